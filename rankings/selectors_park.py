"""Reads behind the park manager's dashboard, scoped by the user.

Counts and data completeness come from one aggregate query and the firm list from one
paginated query, so the page costs the same whatever the size of the park.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, FilteredRelation, IntegerField, Max, Q, Value, When

from firms.figures import OPTIONAL_FIGURES
from firms.models import FirmYear, ImportJob, Park
from firms.selectors import firms_visible_to, import_jobs_visible_to, parks_visible_to
from rankings.models import RankingRun
from rankings.selectors import current_run
from rankings.selectors_firm import run_top_n

PARK_PAGE_SIZE = 50
# The optional FirmYear figures whose completeness the dashboard reports.
OPTIONAL_FIELDS = (*OPTIONAL_FIGURES, "certifications")


@dataclass(frozen=True)
class FieldCompleteness:
    name: str
    label: object  # lazy: translated when shown
    filled: int
    total: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.filled / self.total if self.total else None


@dataclass(frozen=True)
class ParkDashboard:
    park: Park
    run: RankingRun | None
    year: int | None  # the latest year with figures for the park's firms
    top_n: int
    firms: int
    with_figures: int
    ranked: int
    in_top: int
    ineligible: int
    fields: list[FieldCompleteness]
    page: Page
    last_import: ImportJob | None


def _filled(name: str) -> When:
    if name == "certifications":  # a text field: empty means not given
        return When(fy__certifications__gt="", then=Value(1))
    return When(**{f"fy__{name}__isnull": False}, then=Value(1))


def park_dashboard(*, user: User | AnonymousUser, page: int = 1) -> ParkDashboard:
    """The park manager's park: counts, completeness of the latest year, its ranked firms."""
    park = parks_visible_to(user).get(pk=user.park_manager.park_id)
    run = current_run()
    year = FirmYear.objects.filter(firm__park=park).aggregate(y=Max("year"))["y"]
    top_n = run_top_n(run)
    firms = firms_visible_to(user).filter(park=park)
    joined = firms.annotate(
        fy=FilteredRelation("years", condition=Q(years__year=year)),
        sc=FilteredRelation("scores", condition=Q(scores__run=run)),
    )
    # One aggregate query for every count and every field's completeness.
    counts = joined.order_by().aggregate(
        firms=Count("id"),
        with_figures=Count("fy__id"),
        ranked=Count("sc__rank"),
        in_top=Count("sc__id", filter=Q(sc__rank__lte=top_n)),
        ineligible=Count("sc__id", filter=Q(sc__eligible=False)),
        **{
            f"f_{name}": Count(Case(_filled(name), output_field=IntegerField()))
            for name in OPTIONAL_FIELDS
        },
    )
    fields = [
        FieldCompleteness(
            name=name,
            label=FirmYear._meta.get_field(name).verbose_name,
            filled=counts[f"f_{name}"],
            total=counts["with_figures"],
        )
        for name in OPTIONAL_FIELDS
    ]
    filled = sum(
        (Case(_filled(name), default=Value(0), output_field=IntegerField()))
        for name in OPTIONAL_FIELDS
    )
    rows = joined.annotate(
        run_rank=F("sc__rank"),
        run_score=F("sc__score"),
        park_rank=F("sc__rank_park"),
        change=F("sc__rank_change"),
        prev_rank=F("sc__previous_rank"),
        scored=F("sc__id"),
        run_eligible=F("sc__eligible"),
        reason=F("sc__ineligible_reason"),
        figures_id=F("fy__id"),
        filled=filled,
    ).order_by(F("run_rank").asc(nulls_last=True), "name_fa", "id")
    return ParkDashboard(
        park=park,
        run=run,
        year=year,
        top_n=top_n,
        firms=counts["firms"],
        with_figures=counts["with_figures"],
        ranked=counts["ranked"],
        in_top=counts["in_top"],
        ineligible=counts["ineligible"],
        fields=fields,
        page=Paginator(rows, PARK_PAGE_SIZE).get_page(page),
        last_import=import_jobs_visible_to(user).filter(park=park).order_by("-created_at").first(),
    )
