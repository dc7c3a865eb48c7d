"""Reads for the analyst dashboard and the province map, scoped by the user.

Every number here comes from a few aggregate queries or from `RankingRun.summary`, so a
page costs the same whether a run has a hundred firms or a hundred thousand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from firms.models import Firm, Province
from firms.roles import Role, user_role
from firms.selectors import firms_visible_to, parks_visible_to
from rankings.methodology import PILLARS
from rankings.models import FirmScore, RankingRun, YearState
from rankings.selectors import ranking_for
from smerank.formatting import number_format

GEOJSON_PATH = Path(settings.BASE_DIR) / "firms" / "fixtures" / "iran_provinces_simplified.geojson"
MOVERS = 10
# Runs never change once written, so their aggregates can stay cached for a long time.
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class ProvinceCount:
    code: str
    name_fa: str
    name_en: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    year: int | None
    run: RankingRun | None
    firm_count: int
    park_count: int
    province_count: int
    latest_runs: list[RankingRun]
    current_run_ids: set[int]
    top_n: int
    histogram: list[dict[str, Any]] = field(default_factory=list)
    movers_up: list[FirmScore] = field(default_factory=list)
    movers_down: list[FirmScore] = field(default_factory=list)
    top_by_province: list[ProvinceCount] = field(default_factory=list)
    pillar_means: list[dict[str, Any]] = field(default_factory=list)


def run_top_n(run: RankingRun) -> int:
    return int(run.methodology.spec.get("top_n", 100))


def latest_runs_per_year() -> list[RankingRun]:
    """The most recent run of each year, whatever its status (one query)."""
    last_ids = RankingRun.objects.order_by().values("year").annotate(last=Max("id")).values("last")
    return list(
        RankingRun.objects.filter(id__in=last_ids).select_related("methodology").order_by("-year")
    )


def dashboard_overview(*, user: User | AnonymousUser, run: RankingRun | None) -> Dashboard:
    """Counts, the runs of every year and, for `run`, its distribution, movers and provinces."""
    parks = parks_visible_to(user)
    counts = {
        "firm_count": firms_visible_to(user).count(),
        "park_count": parks.count(),
        # A park with at least one firm (an index probe per park), not a join of every firm.
        "province_count": parks.filter(Exists(Firm.objects.filter(park=OuterRef("pk"))))
        .order_by()
        .values("province_id")
        .distinct()
        .count(),
        "latest_runs": latest_runs_per_year(),
        "current_run_ids": set(
            YearState.objects.filter(current_run__isnull=False).values_list(
                "current_run_id", flat=True
            )
        ),
    }
    if run is None:
        return Dashboard(year=None, run=None, top_n=100, **counts)
    top_n = run_top_n(run)
    ranked = ranking_for(user=user, run=run)
    facts = _run_facts(user=user, run=run, ranked=ranked, top_n=top_n)
    movers = {
        s.pk: s
        for s in ranked.filter(pk__in=facts["up"] + facts["down"]).defer(
            "pillars", "indicators_raw", "indicators_norm"
        )
    }
    means = (run.summary or {}).get("pillar_means", {})
    return Dashboard(
        year=run.year,
        run=run,
        top_n=top_n,
        histogram=_histogram(run.summary),
        movers_up=[movers[pk] for pk in facts["up"] if pk in movers],
        movers_down=[movers[pk] for pk in facts["down"] if pk in movers],
        top_by_province=facts["provinces"],
        pillar_means=[
            {"code": code, "label_en": en, "label_fa": fa, "value": means[code]}
            for code, (en, fa) in PILLARS.items()
            if code in means
        ],
        **counts,
    )


def _run_facts(
    *, user: User | AnonymousUser, run: RankingRun, ranked: QuerySet[FirmScore], top_n: int
) -> dict[str, Any]:
    """The movers (as ids, in order) and the top-N by province of a run. Sorting a whole
    run by rank change is the dashboard's one costly query, and a run never changes, so
    the analysts' answer is kept in the cache."""
    analyst = user_role(user) == Role.ANALYST
    key = f"rankings:dashboard-facts:v1:{_run_key(run)}"
    if analyst and (hit := cache.get(key)) is not None:
        return hit
    changed = ranked.filter(rank_change__isnull=False).values_list("pk", flat=True)
    by_province = (
        ranked.filter(rank__lte=top_n)
        .order_by()
        .values(
            "firm__park__province__code",
            "firm__park__province__name_fa",
            "firm__park__province__name_en",
        )
        .annotate(count=Count("id"))
        .order_by("-count", "firm__park__province__code")
    )
    facts = {
        "up": list(changed.filter(rank_change__gt=0).order_by("-rank_change", "rank")[:MOVERS]),
        "down": list(changed.filter(rank_change__lt=0).order_by("rank_change", "rank")[:MOVERS]),
        "provinces": [
            ProvinceCount(
                code=row["firm__park__province__code"],
                name_fa=row["firm__park__province__name_fa"],
                name_en=row["firm__park__province__name_en"],
                count=row["count"],
            )
            for row in by_province
        ],
    }
    if analyst:
        cache.set(key, facts, CACHE_SECONDS)
    return facts


def _histogram(summary: dict[str, Any] | None) -> list[dict[str, Any]]:
    hist = (summary or {}).get("histogram") or {}
    counts, edges = hist.get("counts") or [], hist.get("edges") or []
    if len(edges) != len(counts) + 1:
        return []
    return [
        {"low": edges[i], "high": edges[i + 1], "count": count} for i, count in enumerate(counts)
    ]


def dashboard_charts(*, dashboard: Dashboard, lang: str) -> dict[str, Any]:
    """The charts' data with labels already in the page language (for `json_script`)."""

    def fmt(value: float, decimals: int = 0) -> str:
        return number_format(value, lang=lang, decimals=decimals)

    def label(item: Any, name: str = "name") -> str:
        get = item.get if isinstance(item, dict) else lambda key: getattr(item, key, None)
        return get(f"{name}_{lang}") or get(f"{name}_fa") or ""

    scored = [p for p in dashboard.pillar_means if p["value"] is not None]
    return {
        "lang": lang,
        "histogram": {
            "labels": [f"{fmt(b['low'])}–{fmt(b['high'])}" for b in dashboard.histogram],
            "counts": [b["count"] for b in dashboard.histogram],
            "xName": _("Score"),
            "yName": _("Firms"),
        },
        "provinces": {
            # Largest first in the table; the chart draws bottom-up, so reverse it.
            "labels": [label(p) for p in reversed(dashboard.top_by_province)],
            "counts": [p.count for p in reversed(dashboard.top_by_province)],
            "name": _("Firms in the top %(n)s") % {"n": fmt(dashboard.top_n)},
        },
        "pillars": {
            # A pillar without spread has no mean (NaN); the table shows it as a dash.
            "labels": [label(p, "label") for p in scored],
            "values": [round(p["value"], 1) for p in scored],
            "name": _("Mean pillar score"),
        },
    }


# --- The province map -------------------------------------------------------------


def _run_key(run: RankingRun) -> str:
    # The creation time too: a database rebuilt from scratch may hand out the same id again.
    return f"{run.pk}-{run.created_at.timestamp():.6f}"


@dataclass(frozen=True)
class ProvinceMetric:
    code: str
    name_fa: str
    name_en: str
    avg_score: float | None
    top_count: int
    ranked: int


def province_metrics(*, user: User | AnonymousUser, run: RankingRun) -> list[ProvinceMetric]:
    """Per province: the mean score of its ranked (eligible) firms, how many are in the
    top-N and how many were ranked; every province is listed, with zeros when empty."""
    analyst = user_role(user) == Role.ANALYST
    key = f"rankings:province-metrics:v1:{_run_key(run)}"
    # Only the analysts' view is shared: others see a scoped subset that differs per user.
    if analyst and (hit := cache.get(key)) is not None:
        return hit
    top_n = run_top_n(run)
    rows = (
        ranking_for(user=user, run=run)
        .order_by()
        .values("firm__park__province_id")
        .annotate(
            avg_score=Avg("score"),
            top_count=Count("id", filter=Q(rank__lte=top_n)),
            ranked=Count("id"),
        )
    )
    by_province = {row["firm__park__province_id"]: row for row in rows}
    metrics = []
    for province in Province.objects.order_by("code"):
        row = by_province.get(province.pk, {})
        metrics.append(
            ProvinceMetric(
                code=province.code,
                name_fa=province.name_fa,
                name_en=province.name_en,
                avg_score=row.get("avg_score"),
                top_count=row.get("top_count", 0),
                ranked=row.get("ranked", 0),
            )
        )
    if analyst:
        cache.set(key, metrics, CACHE_SECONDS)
    return metrics


@lru_cache(maxsize=1)
def _province_shapes() -> dict[str, Any]:
    with GEOJSON_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


def province_geojson(*, metrics: list[ProvinceMetric] | None) -> dict[str, Any]:
    """The shipped province boundaries with each province's metrics in its properties."""
    shapes = _province_shapes()
    by_code = {m.code: m for m in metrics or []}
    features = []
    for feature in shapes["features"]:
        props = feature["properties"]
        metric = by_code.get(props["iso_3166_2"])
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "code": props["iso_3166_2"],
                    "name_fa": props["name_fa"],
                    "name_en": props["name_en"],
                    "avg_score": round(metric.avg_score, 2)
                    if metric and metric.avg_score is not None
                    else None,
                    "top_count": metric.top_count if metric else None,
                    "ranked": metric.ranked if metric else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def province_geojson_bytes(*, user: User | AnonymousUser, run: RankingRun | None) -> bytes:
    """The map's GeoJSON, serialised once per run (runs are immutable)."""
    if run is None:
        return json.dumps(province_geojson(metrics=None), ensure_ascii=False).encode()
    analyst = user_role(user) == Role.ANALYST
    key = f"rankings:province-geojson:v1:{_run_key(run)}"
    if analyst and (hit := cache.get(key)) is not None:
        return hit
    body = json.dumps(
        province_geojson(metrics=province_metrics(user=user, run=run)),
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    if analyst:
        cache.set(key, body, CACHE_SECONDS)
    return body
