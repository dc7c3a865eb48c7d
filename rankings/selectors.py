"""Reads of rankings, always scoped by the user."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404

from firms.models import Firm
from firms.roles import Role, user_role
from firms.selectors import firms_visible_to
from rankings.models import Edition, FirmScore, RankingRun, YearState


@dataclass(frozen=True)
class RankingFilters:
    province: str | None = None  # ISO code, e.g. IR-23
    park: str | None = None  # park code
    sector: str | None = None  # ISIC section letter, division, group or class
    # No search here: selectors_browse.ranking_search scopes a national id to the firms
    # the user may see, which a plain filter on this queryset would not.


COUNT_CACHE_SECONDS = 600


def run_cache_key(run: RankingRun) -> str:
    """A run's identity for caches of what is computed from it (a run never changes once
    written). The primary key alone can come back: a restored backup, a rolled-back test
    database."""
    return f"{run.pk}-{run.data_fingerprint[:16]}-{run.created_at.timestamp():.6f}"


def _scoped_key(kind: str, *, user: User | AnonymousUser, run: RankingRun, what: str) -> str:
    role = user_role(user)
    scope = role if role == Role.ANALYST else f"{role}-{user.pk}"
    digest = hashlib.sha256(what.encode()).hexdigest()[:32]
    return f"rankings:{kind}:{run_cache_key(run)}:{scope}:{digest}"


def rows_count_cached(
    *, rows: QuerySet[Any], user: User | AnonymousUser, run: RankingRun, what: str
) -> int:
    """`rows.count()`, kept per run, user scope and `what` (a digest of the filters): the
    COUNT of a 100,000-firm run costs more than reading the page of rows it goes with, and
    a run never changes once written."""
    key = _scoped_key("count:v2", user=user, run=run, what=what)
    count = cache.get(key)
    if count is None:
        count = rows.count()
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


def row_ids_cached(
    *, rows: QuerySet[Any], user: User | AnonymousUser, run: RankingRun, what: str
) -> list[int]:
    """The ids of `rows` in their order, kept like `rows_count_cached`: a list sorted by
    name, change or a pillar (no index serves those) is sorted once, not on every page.
    Only the order is cached; the rows shown are read afresh."""
    key = _scoped_key("ids:v1", user=user, run=run, what=what)
    ids = cache.get(key)
    if ids is None:
        ids = list(rows.values_list("pk", flat=True))
        cache.set(key, ids, COUNT_CACHE_SECONDS)
    return ids


def run_list(*, year: int | None = None) -> QuerySet[RankingRun]:
    runs = RankingRun.objects.select_related("methodology").order_by("-created_at", "-id")
    return runs.filter(year=year) if year else runs


def current_run(*, year: int | None = None) -> RankingRun | None:
    """The year's current run (the latest year with one when `year` is None)."""
    states = YearState.objects.select_related("current_run__methodology").filter(
        current_run__isnull=False
    )
    if year is not None:
        states = states.filter(year=year)
    state = states.order_by("-year").first()
    return state.current_run if state else None


def years_with_runs() -> list[int]:
    return list(
        YearState.objects.filter(current_run__isnull=False)
        .order_by("-year")
        .values_list("year", flat=True)
    )


def _scores(run: RankingRun) -> QuerySet[FirmScore]:
    return FirmScore.objects.filter(run=run).select_related("firm__park__province", "firm__isic")


def scores_in_order(*, ids: list[int]) -> list[FirmScore]:
    """The rows of one page, whose ids a narrower query found (already scoped by the user).

    Paging by id first and reading the full rows after keeps the joins and the wide
    columns off the rows a deep page skips: page 600 of a 100,000-firm run otherwise joins
    30,000 rows to their firm, park and sector to show fifty.
    """
    rows = _scores_shown().filter(pk__in=ids)
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


class RankedIds:
    """The ids of every ranked firm of a run in rank order, for a paginator: a page is
    found from the (run, rank) index instead of skipping `offset` rows.

    A rank is one more than the number of firms with a better score, so the firm at
    position `start` (from 0) has the largest rank that is at most `start + 1`, and the
    firms before that rank fill exactly `rank - 1` positions. Holds for the whole ranked
    list only: a filtered or otherwise sorted list pages over `row_ids_cached`.
    """

    ordered = True

    def __init__(self, *, run: RankingRun) -> None:
        self._run = run
        self._ranked = FirmScore.objects.filter(run=run, rank__isnull=False)

    def count(self) -> int:
        # The COUNT of a 100,000-firm run costs more than finding a page; a run never
        # changes once written.
        key = f"rankings:ranked-count:{run_cache_key(self._run)}"
        return cache.get_or_set(key, self._ranked.count, COUNT_CACHE_SECONDS)

    def __getitem__(self, window: slice) -> list[int]:
        start = window.start or 0
        size = (window.stop if window.stop is not None else start + 1) - start
        first = 1  # the best firm is always ranked 1: the first page needs no look-up
        if start:
            below = self._ranked.filter(rank__lte=start + 1).order_by("-rank")
            first = below.values_list("rank", flat=True).first() or 1
        skip = start - (first - 1)  # firms tied at `first` that the previous page showed
        page = self._ranked.filter(rank__gte=first).order_by("rank", "firm_id")
        return list(page.values_list("pk", flat=True)[skip : skip + size])


def _scores_shown() -> QuerySet[FirmScore]:
    # The two JSON documents of indicators are most of a row and no table shows them.
    return FirmScore.objects.select_related("firm__park__province", "firm__isic").defer(
        "indicators_raw", "indicators_norm"
    )


def ranking_for(
    *, user: User | AnonymousUser, run: RankingRun, filters: RankingFilters | None = None
) -> QuerySet[FirmScore]:
    """Ranked firms of a run that this user may list: analysts see every ranked firm;
    park managers and firm users the published top-N plus the firms they may see."""
    filters = filters or RankingFilters()
    scores = _scores(run).filter(rank__isnull=False)
    if user_role(user) != Role.ANALYST:
        top_n = run.methodology.spec.get("top_n", 100)
        visible = firms_visible_to(user).values("id")
        scores = scores.filter(Q(rank__lte=top_n) | Q(firm_id__in=visible))
    if filters.province:
        scores = scores.filter(firm__park__province__code=filters.province)
    if filters.park:
        scores = scores.filter(firm__park__code=filters.park)
    if filters.sector:
        sector = filters.sector.upper()
        scores = scores.filter(
            Q(firm__isic__section=sector)
            if sector.isalpha()
            else Q(firm__isic__code__startswith=sector)
        )
    return scores.order_by("rank", "firm_id")


def firm_for(*, user: User | AnonymousUser, firm_id: int) -> Firm:
    """The firm, or 404 when this user may not see it (never 403: no existence leak)."""
    firm = firms_visible_to(user).filter(pk=firm_id).first()
    if firm is None:
        if user.is_authenticated and Firm.objects.filter(pk=firm_id).exists():
            from smerank.audit import access_denied

            access_denied(user=user, object_type="Firm", object_id=firm_id)
        raise Http404("No such firm.")
    return firm


def firm_score_history(*, user: User | AnonymousUser, firm_id: int) -> QuerySet[FirmScore]:
    firm = firm_for(user=user, firm_id=firm_id)
    return (
        FirmScore.objects.filter(firm=firm, run__status=RankingRun.Status.SUCCEEDED)
        .select_related("run__methodology")
        .order_by("-run__year", "-run__created_at")
    )


def edition_latest(*, year: int | None = None) -> Edition | None:
    editions = Edition.objects.select_related("run__methodology")
    if year is not None:
        editions = editions.filter(year=year)
    return editions.order_by("-published_at").first()


def edition_top(*, edition: Edition) -> QuerySet[FirmScore]:
    """The published top-N of an edition: public facts only are read from it."""
    top_n = edition.run.methodology.spec.get("top_n", 100)
    return _scores(edition.run).filter(rank__lte=top_n).order_by("rank", "firm_id")
