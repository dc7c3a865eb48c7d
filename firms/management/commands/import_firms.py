"""`manage.py import_firms FILE --park CODE [--user USERNAME] [--dry-run]`.

Exit 0 when the file is valid (committed unless --dry-run); otherwise exit 1 and print
one line per problem, `row N, column C, value V: message`, writing nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from firms import imports
from firms.models import ImportJob, Park


class Command(BaseCommand):
    help = "Validate a firm-data file for a park and commit it (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--park", required=True, help="Park code, e.g. 23-01")
        parser.add_argument("--user", help="Username recorded as the uploader")
        parser.add_argument("--dry-run", action="store_true", help="Validate only.")

    def handle(self, *args: Any, **opts: Any) -> None:
        park = Park.objects.filter(code=opts["park"]).first()
        if park is None:
            raise CommandError(f"No park with code {opts['park']!r}.")
        user = None
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"No user {opts['user']!r}.")
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as stream:
            try:
                job = imports.import_job_create(
                    park=park, uploader=user, stream=stream, name=path.name
                )
            except imports.UploadRejected as exc:
                self._fail([f"file: {exc.error.message_en}"])
        # Validation runs here, not in a worker: the command answers with the result.
        imports.import_job_validate(job_id=job.pk)
        job.refresh_from_db()
        if job.status != ImportJob.Status.READY:
            self._fail([_line(e) for e in job.errors])
        summary = (
            f"{job.rows_total} rows valid: {job.firms_new} new firms, {job.years_new} new and "
            f"{job.years_changed} changed firm-years, {job.years_unchanged} unchanged"
        )
        if opts["dry_run"]:
            ImportJob.objects.filter(pk=job.pk).update(failure_reason="dry run")
            self.stdout.write(f"{summary} (dry run: nothing written).")
            return
        imports.import_job_commit(job=job, user=user)
        self.stdout.write(f"{summary}; committed as upload {job.pk}.")

    def _fail(self, lines: list[str]) -> None:
        for line in lines:
            self.stdout.write(line)
        sys.exit(1)


def _line(error: dict[str, Any]) -> str:
    if error.get("row") is None:
        return f"file: {error['message_en']}"
    return f'row {error["row"]}, column {error["column"]}, value "{error["value"]}": {error["message_en"]}'
