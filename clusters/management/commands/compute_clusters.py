"""``manage.py compute_clusters``: the cluster-mapping command line inside Django.

A thin wrapper over :func:`clusters.cli.run`; see ``clusters/mapping.py`` for the rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clusters.cli import add_arguments, run, summary
from clusters.mapping import ClusterInputError


class Command(BaseCommand):
    help = (
        "Compute location quotients, strong-cluster flags and stars from "
        "region,sector,group,employment,establishments rows."
    )
    # Reads and writes files only: no database, so no reason to block on system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        data: Path = options["data"]
        out: Path = options["out"]
        national: Path | None = options["national"]
        try:
            result = run(data=data, out=out, national=national)
        except ClusterInputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(summary(result=result, out=out))
