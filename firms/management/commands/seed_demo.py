"""`manage.py seed_demo`: realistic synthetic parks, firms, figures and demo users."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser

from firms import demo, services
from firms.models import Firm, FirmYear, Park, Province

DEMO_USERS = ("demo-analyst", "demo-manager", "demo-firm")


class Command(BaseCommand):
    help = "Load realistic synthetic demo data and the three demo users (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firms", type=int, default=3000)
        parser.add_argument("--parks", type=int, default=62)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--last-year", type=int, default=1403)
        parser.add_argument("--password", default="smerank-demo")
        parser.add_argument("--seed", type=int, default=1403)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds firms.",
        )
        parser.add_argument(
            "--no-recompute",
            action="store_true",
            help="Do not enqueue a ranking recompute afterwards.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        if opts["if_empty"] and Firm.objects.exists():
            self.stdout.write("The database already holds firms; demo data not loaded.")
            return
        provinces = list(Province.objects.values("code", "capital_fa", "capital_en"))
        if len(provinces) != 31:
            raise CommandError("Reference data is missing: run `manage.py migrate` first.")
        if opts["parks"] < len(provinces):
            raise CommandError(f"--parks must be at least {len(provinces)} (one per province).")
        if opts["firms"] < 1 or not 1 <= opts["years"] <= 10:
            raise CommandError("--firms must be positive and --years between 1 and 10.")
        parks = demo.demo_parks(parks=opts["parks"], provinces=provinces)
        firms = demo.demo_firms(
            firms=opts["firms"],
            parks=parks,
            classes_by_division=services.sector_classes_by_division(),
            seed=opts["seed"],
        )
        years = demo.demo_years(
            firms=firms, years=opts["years"], last_year=opts["last_year"], seed=opts["seed"]
        )
        counts = services.demo_seed(parks=parks, firms=firms, years=years)
        first_park = Park.objects.get(code=parks["code"].iloc[0])
        password = opts["password"]
        services.user_with_role_ensure(username="demo-analyst", password=password, role="analyst")
        services.user_with_role_ensure(
            username="demo-manager", password=password, role="park_manager", park=first_park
        )
        if counts["years_added"] and not opts["no_recompute"]:
            self._recompute(sorted(years["year"].unique().tolist()))
            self._publish(opts["last_year"])
        # Chosen once the year is ranked (with in-process tasks), among the ranked firms.
        first_firm = self._demo_firm(first_park, year=opts["last_year"])
        services.user_with_role_ensure(
            username="demo-firm", password=password, role="firm", firm=first_firm
        )
        self.stdout.write(
            f"Seeded {counts['firms_added']} new firms and {counts['years_added']} new firm-years "
            f"in {time.perf_counter() - started:.1f} s (park {first_park.code}, "
            f"firm {first_firm.national_id})."
        )

    def _demo_firm(self, park: Park, *, year: int) -> Firm | None:
        """A firm of the manager's park that the ranking covers (see
        `demo.demo_firm_choice`); the park's first firm only if none is in the SME band."""
        from rankings.methodology import spec_default
        from rankings.models import FirmScore, Methodology, YearState

        columns = ["employees", "sales", *demo.OPTIONAL_FIGURES]
        rows = FirmYear.objects.filter(firm__park=park).values(
            "firm__national_id", "year", *columns
        )
        figures = pd.DataFrame(list(rows), columns=["firm__national_id", "year", *columns])
        figures = figures.rename(columns={"firm__national_id": "national_id"})
        state = (
            YearState.objects.filter(year=year, current_run__isnull=False)
            .select_related("current_run__methodology")
            .first()
        )
        ranked = None
        if state is not None:
            spec = state.current_run.methodology.spec
            scores = FirmScore.objects.filter(
                run=state.current_run, firm__park=park, rank__isnull=False
            )
            ranked = set(scores.values_list("firm__national_id", flat=True))
        else:
            active = Methodology.objects.filter(is_active=True).first()
            spec = active.spec if active else spec_default()
        band = spec.get("eligibility", {})
        chosen = demo.demo_firm_choice(
            figures=figures, year=year, eligibility=band, ranked=ranked
        ) or demo.demo_firm_choice(figures=figures, year=year, eligibility=band)
        firms = Firm.objects.filter(park=park).order_by("national_id")
        return (firms.filter(national_id=chosen).first() if chosen else None) or firms.first()

    def _recompute(self, years: list[int]) -> None:
        from django.db import transaction

        from rankings.services import data_changed, ranking_recompute
        from smerank.celery import app

        with transaction.atomic():
            data_changed(years=years)
        if app.conf.task_always_eager:
            # No worker: rank here, so the demo is complete when the command returns (the
            # task sent on commit then finds nothing left to do).
            for year in years:
                ranking_recompute(year=year)

    def _publish(self, year: int) -> None:
        """Publish the demo's latest year as an edition once its ranking exists (at once
        with in-process tasks; with a worker, publish later from the runs page)."""
        from rankings.models import Edition, YearState
        from rankings.services import edition_publish

        state = YearState.objects.filter(year=year, current_run__isnull=False).first()
        if state is None or Edition.objects.filter(year=year).exists():
            return
        edition_publish(run=state.current_run, title=f"SME100 {year}", user=None)
