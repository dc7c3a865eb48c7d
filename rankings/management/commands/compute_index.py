"""`manage.py compute_index`: a thin wrapper over `python -m rankings.engine`."""

from django.core.management.base import BaseCommand, CommandError

from rankings.engine.cli import add_arguments, compute_index
from rankings.engine.errors import EngineError


class Command(BaseCommand):
    help = "Compute a composite index from an indicator CSV and COINr-style metadata."

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        try:
            result = compute_index(
                data=options["data"],
                meta=options["meta"],
                method=options["method"],
                out=options["out"],
            )
        except EngineError as exc:
            # Same message and exit status as `python -m rankings.engine`.
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(f"wrote {options['out']} ({len(result.scores)} units)")
