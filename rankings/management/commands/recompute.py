"""`manage.py recompute [--year Y] [--sync]`: recompute the ranking of one or all years."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from firms.models import FirmYear


class Command(BaseCommand):
    help = "Recompute the ranking of a year (or every year with data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="Jalali fiscal year; default: every year")
        parser.add_argument("--sync", action="store_true", help="Run here instead of a worker.")

    def handle(self, *args: Any, **opts: Any) -> None:
        from rankings.services import data_changed, ranking_recompute

        years = (
            [opts["year"]]
            if opts["year"]
            else sorted(FirmYear.objects.order_by().values_list("year", flat=True).distinct())
        )
        if not years:
            self.stdout.write("No firm data yet: nothing to rank.")
            return
        if not opts["sync"]:
            from django.db import transaction

            with transaction.atomic():
                data_changed(years=years)
            self.stdout.write(f"Recompute enqueued for {', '.join(map(str, years))}.")
            return
        for year in years:
            run = ranking_recompute(year=year)
            if run is None:
                self.stdout.write(f"{year}: already up to date.")
            else:
                total = run.timings.get("total", 0)
                self.stdout.write(
                    f"{year}: run {run.pk} {run.status}, {run.firm_count} firms, "
                    f"{run.eligible_count} eligible, {total:.2f} s"
                )
