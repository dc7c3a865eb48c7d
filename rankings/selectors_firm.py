"""Reads behind the firm profile and the firm's own page.

Scoped by the user like every read of firm data (through `firm_for`). Peer statistics
(pillar medians, score percentiles) are computed from a run's eligible firms and leave this
module only as aggregates. A run never changes once written, so those per-group aggregates
are cached under the run's identity: a page costs the same few queries whether a sector
holds ten firms or ten thousand.

Small groups: a median, percentile or rank within two or three firms shows where the others
stand. Non-analysts get no statistic of a peer group (sector, province, cluster; the park
for firm users: a park manager sees all of it anyway) of fewer than AGGREGATE_MIN_FIRMS
firms, counted *with* the firm (its eligible, scored firms in the run, like a cluster's
members: 5 is the firm and 4 others). National statistics are never withheld.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from functools import reduce
from operator import or_

import numpy as np
import pandas as pd
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db.models import Count, Q

from firms.models import Firm, FirmYear, Sector
from firms.roles import Role, user_role
from rankings import insights
from rankings.methodology import spec_pillars
from rankings.models import FirmScore, RankingRun, YearState
from rankings.selectors import firm_for, run_cache_key
from smerank.permissions import aggregates_hidden

PEER_CACHE_SECONDS = 24 * 3600
MAX_RUNS_SHOWN = 40


def run_top_n(run: RankingRun | None) -> int:
    return int(run.methodology.spec.get("top_n", 100)) if run else 100


# --- peer groups (cached per run) ----------------------------------------------------


@dataclass(frozen=True)
class PeerGroup:
    scores: pd.Series  # eligible firms' scores, indexed by firm_id (empty for "all")
    medians: dict[str, float | None]
    withheld: bool = False  # too small for this user: no medians, no percentile
    park_sizes: dict[int, int] = field(default_factory=dict)  # a province's firms per park

    @property
    def size(self) -> int:
        """The group's eligible, scored firms: the firm itself included."""
        return len(self.scores)


def _for_user(group: PeerGroup, user: User | AnonymousUser) -> PeerGroup:
    """The group as this user may use it: below AGGREGATE_MIN_FIRMS firms, non-analysts get
    no medians (the scores stay, to count peers; they never leave this module)."""
    if not aggregates_hidden(user, firms=group.size):
        return group
    return replace(group, medians={}, withheld=True)


def _cluster_membership_model() -> type | None:
    try:
        from clusters.models import ClusterMembership
    except ImportError:  # the clusters app is optional for this page
        return None
    return ClusterMembership


def _peer_group(*, run: RankingRun, kind: str, value: object) -> PeerGroup:
    """The run's eligible firms of one sector ("division"), province, cluster or "all"."""
    stored = (run.summary or {}).get("pillar_medians")
    if kind == "all" and isinstance(stored, dict):
        # Written by the worker with the run: no scan of the scores at all.
        return PeerGroup(scores=pd.Series([], dtype="float64"), medians=stored)
    key = f"rankings:peers:v2:{run_cache_key(run)}:{kind}:{value}"
    if (hit := cache.get(key)) is not None:
        return hit
    scores = FirmScore.objects.filter(run=run, eligible=True, score__isnull=False)
    # Firms first, then their row of the run through the (run, firm) index: with 100,000
    # firms this reads a few thousand score rows instead of scanning the whole run.
    if kind == "division":
        members = Firm.objects.filter(isic__division=value).values("id")
    elif kind == "province":
        members = Firm.objects.filter(park__province_id=value).values("id")
    elif kind == "cluster":
        membership = _cluster_membership_model()
        members = membership.objects.filter(run=run, cluster_id=value).values("firm_id")
    if kind != "all":
        scores = scores.filter(firm_id__in=members)
    # A province's firms counted per park too: a firm user's park is a peer group as well.
    parks = ("firm__park_id",) if kind == "province" else ()
    rows = list(scores.order_by().values_list("firm_id", "score", "pillars", *parks))
    pillars = spec_pillars(run.methodology.spec)
    ids = [f for f, _s, _p, *_ in rows]
    # Lists of floats (None becomes NaN) build a frame far faster than a list of dicts.
    values = np.array([[(p or {}).get(c) for c in pillars] for _f, _s, p, *_ in rows], dtype=float)
    table = pd.DataFrame(values.reshape(len(rows), len(pillars)), index=ids, columns=pillars)
    group = PeerGroup(
        # Nationally only the medians are needed; keep the cached value small.
        scores=pd.Series(
            [] if kind == "all" else [s for _f, s, _p, *_ in rows],
            index=[] if kind == "all" else ids,
            dtype="float64",
        ),
        medians=insights.pillar_medians(peers=table, pillars=pillars),
        park_sizes=dict(Counter(park for *_, park in rows)) if parks else {},
    )
    cache.set(key, group, PEER_CACHE_SECONDS)
    return group


# --- the firm profile ----------------------------------------------------------------


@dataclass(frozen=True)
class HistoryPoint:
    year: int
    run: RankingRun
    score: FirmScore | None


@dataclass(frozen=True)
class FirmProfile:
    firm: Firm
    run: RankingRun | None  # the run of the latest year the firm was scored in
    score: FirmScore | None
    latest_year: int | None  # the latest year with a current run (may be after run.year)
    top_n: int
    points: list[insights.PillarPoint]
    indicators: list[insights.IndicatorRow]
    ineligible: insights.Ineligibility | None
    figures: list[FirmYear]  # newest first
    history: list[HistoryPoint]  # one per year with a current run, oldest first
    runs: list[FirmScore]  # the firm in every successful run, newest first (bounded)
    sector_size: int = 0
    province_size: int = 0
    sector_group: PeerGroup | None = None
    province_group: PeerGroup | None = None
    # "sector", "province", "park": medians, percentile and rank this user may not see.
    withheld: frozenset[str] = frozenset()

    @property
    def current_run_ids(self) -> set[int]:
        return {h.run.pk for h in self.history}

    @property
    def ranked(self) -> bool:
        return self.score is not None and self.score.rank is not None

    @property
    def has_band(self) -> bool:
        return (
            self.score is not None
            and self.score.rank_low is not None
            and self.score.rank_high is not None
        )


def firm_profile(*, user: User | AnonymousUser, firm_id: int) -> FirmProfile:
    """Everything the profile shows, in a fixed number of queries; 404 if not visible."""
    firm = firm_for(user=user, firm_id=firm_id)
    states = (
        YearState.objects.filter(current_run__isnull=False)
        .select_related("current_run__methodology")
        .order_by("year")
    )
    runs_by_year = {s.year: s.current_run for s in states}
    current_scores = {
        s.run_id: s
        for s in FirmScore.objects.filter(
            firm=firm, run_id__in=[r.pk for r in runs_by_year.values()]
        )
    }
    history = [
        HistoryPoint(year=y, run=r, score=current_scores.get(r.pk)) for y, r in runs_by_year.items()
    ]
    scored = [h for h in history if h.score is not None]
    latest = scored[-1] if scored else None
    run, score = (latest.run, latest.score) if latest else (None, None)
    figures = list(FirmYear.objects.filter(firm=firm).order_by("-year"))
    runs = list(
        FirmScore.objects.filter(firm=firm, run__status=RankingRun.Status.SUCCEEDED)
        .select_related("run__methodology")
        .defer("indicators_raw", "indicators_norm")
        .order_by("-run__year", "-run__created_at", "-run_id")[:MAX_RUNS_SHOWN]
    )
    profile = FirmProfile(
        firm=firm,
        run=run,
        score=score,
        latest_year=max(runs_by_year) if runs_by_year else None,
        top_n=run_top_n(run),
        points=[],
        indicators=[],
        ineligible=None,
        figures=figures,
        history=history,
        runs=runs,
    )
    if run is None or score is None:
        return profile
    spec = run.methodology.spec
    indicators = insights.indicator_rows(
        spec=spec,
        raw=score.indicators_raw,
        normalised=score.indicators_norm,
        treatment=run.treatment,
    )
    if not score.eligible:
        year_figures = next((f for f in figures if f.year == run.year), None)
        ineligible = insights.ineligibility(
            reason=score.ineligible_reason,
            spec=spec,
            employees=year_figures.employees if year_figures else None,
            sales=year_figures.sales if year_figures else None,
        )
        return replace(profile, indicators=indicators, ineligible=ineligible)
    sector = _for_user(_peer_group(run=run, kind="division", value=firm.isic.division), user)
    province = _for_user(_peer_group(run=run, kind="province", value=firm.park.province_id), user)
    withheld = {name for name, g in (("sector", sector), ("province", province)) if g.withheld}
    park_size = province.park_sizes.get(firm.park_id, 0)
    if user_role(user) == Role.FIRM and aggregates_hidden(user, firms=park_size):
        withheld.add("park")  # a park manager sees all of their park anyway
    points = insights.pillar_points(
        spec=spec, pillars=score.pillars, sector=sector.medians, province=province.medians
    )
    return replace(
        profile,
        indicators=indicators,
        points=points,
        sector_size=sector.size,
        province_size=province.size,
        sector_group=sector,
        province_group=province,
        withheld=frozenset(withheld),
    )


# --- the firm's own page -------------------------------------------------------------


@dataclass(frozen=True)
class FirmInsight:
    profile: FirmProfile
    sector: Sector | None  # the firm's ISIC division
    percentiles: list[insights.Percentile] = field(default_factory=list)
    standing: insights.PillarStanding | None = None
    gap: insights.TopGap | None = None
    weakest: insights.PillarPoint | None = None
    findings: list[insights.IndicatorFinding] = field(default_factory=list)
    clusters_available: bool = False

    @property
    def has_cluster(self) -> bool:
        return any(p.group == "cluster" for p in self.percentiles)


def firm_insight(*, user: User | AnonymousUser) -> FirmInsight:
    """The signed-in firm user's own firm: standing among peers and the way to the top."""
    profile = firm_profile(user=user, firm_id=user.firm_user.firm_id)
    firm, run, score = profile.firm, profile.run, profile.score
    sector = Sector.objects.filter(code=firm.isic.division).first()
    membership = _cluster_membership_model()
    insight = FirmInsight(profile=profile, sector=sector, clusters_available=membership is not None)
    if run is None or score is None or not score.eligible or score.score is None:
        return insight
    spec = run.methodology.spec
    national = _peer_group(run=run, kind="all", value="")
    points = insights.pillar_points(
        spec=spec,
        pillars=score.pillars,
        national=national.medians,
        sector=profile.sector_group.medians,
        province=profile.province_group.medians,
    )
    percentiles = [
        insights.peer_percentile(
            group="sector",
            name_fa=sector.title_fa if sector else firm.isic.division,
            name_en=sector.title_en if sector else firm.isic.division,
            firm_id=firm.pk,
            score=score.score,
            peer_scores=profile.sector_group.scores,
            withheld=profile.sector_group.withheld,
        ),
        insights.peer_percentile(
            group="province",
            name_fa=firm.park.province.name_fa,
            name_en=firm.park.province.name_en,
            firm_id=firm.pk,
            score=score.score,
            peer_scores=profile.province_group.scores,
            withheld=profile.province_group.withheld,
        ),
    ]
    if membership is not None:
        percentiles += _cluster_percentiles(
            membership, user=user, run=run, firm=firm, score=score.score
        )
    standing = insights.pillar_standing(points=points)
    top_n = profile.top_n
    threshold = (
        FirmScore.objects.filter(run=run, rank__isnull=False, rank__lte=top_n)
        .order_by("-rank")
        .values_list("score", flat=True)
        .first()
    )
    gap = insights.top_gap(
        score=score.score,
        rank=score.rank,
        pillars=score.pillars,
        weights=insights.spec_pillar_weights(spec),
        threshold=threshold,
        top_n=top_n,
        aggregation=insights.spec_aggregation(spec),
        ceiling=insights.spec_ceiling(spec),
    )
    weakest = standing.weaknesses[0] if standing.weaknesses else None
    findings = (
        insights.pillar_findings(
            spec=spec,
            pillar=weakest.code,
            raw=score.indicators_raw,
            normalised=score.indicators_norm,
        )
        if weakest
        else []
    )
    return FirmInsight(
        profile=replace(profile, points=points),
        sector=sector,
        percentiles=percentiles,
        standing=standing,
        gap=gap,
        weakest=weakest,
        findings=findings,
        clusters_available=membership is not None,
    )


def _cluster_percentiles(
    membership: type, *, user: User | AnonymousUser, run: RankingRun, firm: Firm, score: float
) -> list[insights.Percentile]:
    rows = membership.objects.filter(run=run, firm=firm).select_related("cluster")
    groups = [(m.cluster, _peer_group(run=run, kind="cluster", value=m.cluster_id)) for m in rows]
    return [
        insights.peer_percentile(
            group="cluster",
            name_fa=cluster.name_fa,
            name_en=cluster.name_en or cluster.name_fa,
            firm_id=firm.pk,
            score=score,
            peer_scores=group.scores,
            withheld=_for_user(group, user).withheld,
        )
        for cluster, group in groups
    ]


# --- the score history (API) -------------------------------------------------------


def group_ranks_withheld(
    *, user: User | AnonymousUser, firm_id: int, run_ids: list[int]
) -> dict[int, frozenset[str]]:
    """Per run, the groups ("sector", "province", "park") whose rank of the firm this user
    may not see, by the rule above (an empty set: none). Two queries at most,
    whatever the number of runs. The groups are the firm's current ones."""
    role = user_role(user)
    if role == Role.ANALYST or not run_ids:
        return {}
    firm = Firm.objects.select_related("park", "isic").get(pk=firm_id)
    groups = {
        "sector": Q(firm__isic__division=firm.isic.division),
        "province": Q(firm__park__province_id=firm.park.province_id),
    }
    if role == Role.FIRM:
        groups["park"] = Q(firm__park_id=firm.park_id)
    counts = (
        FirmScore.objects.filter(run_id__in=run_ids, eligible=True, score__isnull=False)
        .filter(reduce(or_, groups.values()))
        .order_by()
        .values("run_id")
        .annotate(**{name: Count("pk", filter=q) for name, q in groups.items()})
    )
    sizes = {row["run_id"]: row for row in counts}
    return {
        run_id: frozenset(
            g for g in groups if aggregates_hidden(user, firms=sizes.get(run_id, {}).get(g, 0))
        )
        for run_id in run_ids
    }
