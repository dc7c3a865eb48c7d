"""Reads for the shortfall report, scoped by the user. The figures come from the pure
`rankings.shortfalls`; this module loads a run's scores, figures and cluster memberships
with a few queries and phrases the result for pages, the API and the workbook.

Analysts see every firm and every level. A park manager sees their own park's firms and
the park level for their park only; the national reference values (the top-N threshold,
the bottom quartile, the sector medians) are still computed over every eligible firm,
but only as thresholds: no other park's firm or figure reaches the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models.fields.json import KT
from django.utils.translation import gettext, gettext_lazy

from clusters.profile import firm_gaps
from firms.models import Firm, FirmYear, Park, Province, Sector
from firms.roles import Role, user_role
from rankings.analysis_labels import GAP_LABELS, LEVEL_LABELS
from rankings.labels import pillar_label
from rankings.models import FirmScore, RankingRun, RunAnalysis
from rankings.selectors import current_run
from rankings.shortfalls import (
    GAP_NAMES,
    LEVELS,
    Benchmarks,
    ShortfallMethod,
    benchmarks_compute,
    firm_shortfalls,
    group_shortfalls,
)

CACHE_SECONDS = 600
NOT_ALLOWED = gettext_lazy("The shortfall report is for analysts and park managers.")
PARK_LEVEL_ONLY = gettext_lazy("Park managers see the park level of their own park only.")
ANALYST_LEVELS = LEVELS
MANAGER_LEVELS = ("park",)


def levels_for(user: User | AnonymousUser) -> tuple[str, ...]:
    """The report levels this user may read (none: not allowed at all)."""
    role = user_role(user)
    if role == Role.ANALYST:
        return ANALYST_LEVELS
    if role == Role.PARK_MANAGER:
        return MANAGER_LEVELS
    return ()


def run_analysis_of(run: RankingRun | None) -> RunAnalysis | None:
    return None if run is None else RunAnalysis.objects.filter(run=run).first()


# --- what pages show ----------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    code: str
    label: str
    share: float  # 0-1

    @property
    def percent(self) -> float:
        return 100.0 * self.share


@dataclass(frozen=True)
class GroupRow:
    key: str  # park code, province code, cluster code or ISIC division
    name_fa: str
    name_en: str
    firms: int
    in_top: int
    weak: list[Share]  # one per pillar, in the methodology's order
    gaps: list[Share]  # one per concrete gap
    top_gaps: list[Share]  # the most common gaps, most common first


@dataclass(frozen=True)
class PillarNeed:
    code: str
    label: str
    weak: bool
    gap: float | None  # pillar score minus the sector median
    need: float | None  # the rise that alone reaches the top-N (None: none needed / impossible)
    impossible: bool


@dataclass(frozen=True)
class FirmRow:
    firm_id: int
    national_id: str
    name_fa: str
    name_en: str
    rank: int | None
    score: float | None
    in_top: bool
    weakest: list[str]  # pillar labels, weakest first
    needs: list[PillarNeed]
    gaps: list[str]  # labels of the firm's concrete gaps


@dataclass(frozen=True)
class ShortfallReport:
    run: RankingRun
    level: str
    level_label: str
    levels: tuple[str, ...]
    top_n: int
    threshold: float | None
    aggregation: str
    pillars: list[tuple[str, str]]  # (code, label)
    groups: list[GroupRow]
    national: GroupRow | None  # the comparison row (analysts only)
    firms: pd.DataFrame = field(repr=False)  # firm_shortfalls + park/province/division
    memberships: pd.DataFrame = field(repr=False)  # firm_id, cluster_id

    def group(self, key: str) -> GroupRow | None:
        return next((g for g in self.groups if g.key == key), None)


# --- loading -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Computed:
    firms: pd.DataFrame
    memberships: pd.DataFrame
    bench: Benchmarks


def _run_key(run: RankingRun) -> str:
    # The fingerprint and time keep a key from meaning two runs (test databases reuse ids).
    stamp = run.created_at.timestamp() if run.created_at else 0
    return f"{run.pk}:{stamp:.6f}:{run.data_fingerprint[:16]}"


def _scores(run: RankingRun, pillars: list[str], park_id: int | None) -> pd.DataFrame:
    """Ranked firms of the run: score, rank, park, province, division, pillars, and the
    two raw indicators the concrete gaps need, in one query."""
    scores = FirmScore.objects.filter(run=run, rank__isnull=False).order_by()
    if park_id is not None:
        scores = scores.filter(firm__park_id=park_id)
    extracted = {f"p__{c}": KT(f"pillars__{c}") for c in pillars}
    extracted["r__sales_growth"] = KT("indicators_raw__sales_growth")
    extracted["r__debt_ratio"] = KT("indicators_raw__debt_ratio")
    columns = ["firm_id", "score", "rank", "park_id", "province_id", "division", *extracted]
    rows = scores.annotate(**extracted).values_list(
        "firm_id",
        "score",
        "rank",
        "firm__park_id",
        "firm__park__province_id",
        "firm__isic__division",
        *extracted,
    )
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    for column in extracted:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame = frame.rename(columns={f"p__{c}": c for c in pillars})
    frame["score"] = frame["score"].astype("float64")
    frame["division"] = frame["division"].astype(object)
    return frame.set_index("firm_id")


def _benchmarks(run: RankingRun, method: ShortfallMethod, frame: pd.DataFrame | None) -> Benchmarks:
    key = f"shortfalls:bench:{_run_key(run)}"
    bench = cache.get(key)
    if bench is None:
        ranked = frame if frame is not None else _scores(run, list(method.pillars), None)
        bench = benchmarks_compute(ranked=ranked, method=method)
        cache.set(key, bench, CACHE_SECONDS)
    return bench


def _computed(run: RankingRun, method: ShortfallMethod, park_id: int | None) -> _Computed:
    key = f"shortfalls:firms:{_run_key(run)}:{park_id or 'all'}"
    found = cache.get(key)
    if found is not None:
        return found
    pillars = list(method.pillars)
    scores = _scores(run, pillars, park_id)
    bench = _benchmarks(run, method, scores if park_id is None else None)
    figures = FirmYear.objects.filter(year=run.year).order_by()
    if park_id is not None:
        figures = figures.filter(firm__park_id=park_id)
    current = pd.DataFrame.from_records(
        list(figures.values_list("firm_id", "exports", "rd_spend", "certifications")),
        columns=["firm_id", "exports", "rd_spend", "certifications"],
    ).set_index("firm_id")
    current = current.reindex(scores.index)
    raw = scores[["r__sales_growth", "r__debt_ratio"]].set_axis(
        ["sales_growth", "debt_ratio"], axis=1
    )
    gaps = firm_gaps(current=current, raw=raw)
    firms = firm_shortfalls(scores=scores, gaps=gaps, bench=bench, method=method)
    firms[["park_id", "province_id", "division"]] = scores[["park_id", "province_id", "division"]]
    memberships = _memberships(run, park_id)
    computed = _Computed(firms=firms, memberships=memberships, bench=bench)
    cache.set(key, computed, CACHE_SECONDS)
    return computed


def _memberships(run: RankingRun, park_id: int | None) -> pd.DataFrame:
    from clusters.models import ClusterMembership

    links = ClusterMembership.objects.filter(run=run).order_by()
    if park_id is not None:
        links = links.filter(firm__park_id=park_id)
    return pd.DataFrame.from_records(
        list(links.values_list("firm_id", "cluster_id")), columns=["firm_id", "cluster_id"]
    )


def _group_links(level: str, computed: _Computed) -> pd.DataFrame:
    firms = computed.firms
    if level == "cluster":
        return computed.memberships.rename(columns={"cluster_id": "group"})
    column = {"park": "park_id", "province": "province_id", "sector": "division"}[level]
    return pd.DataFrame({"firm_id": firms.index, "group": firms[column].to_numpy()})


def _group_names(level: str, ids: list[Any]) -> dict[Any, tuple[str, str, str]]:
    """id -> (key, name_fa, name_en) for the groups of a level."""
    if level == "park":
        rows = Park.objects.filter(id__in=ids).values_list("id", "code", "name_fa", "name_en")
    elif level == "province":
        rows = Province.objects.filter(id__in=ids).values_list("id", "code", "name_fa", "name_en")
    elif level == "sector":
        rows = Sector.objects.filter(level=Sector.Level.DIVISION, code__in=ids).values_list(
            "code", "code", "title_fa", "title_en"
        )
    else:
        from clusters.models import Cluster

        rows = Cluster.objects.filter(id__in=ids).values_list("id", "code", "name_fa", "name_en")
    names = {r[0]: (str(r[1]), r[2] or r[3], r[3] or r[2]) for r in rows}
    return {i: names.get(i, (str(i), str(i), str(i))) for i in ids}


# --- the report ------------------------------------------------------------------------


def _scope(user: User | AnonymousUser, level: str) -> int | None:
    """The park a user is limited to (None: everything); PermissionDenied otherwise."""
    allowed = levels_for(user)
    if not allowed:
        raise PermissionDenied(str(NOT_ALLOWED))
    if level not in allowed:
        raise PermissionDenied(str(PARK_LEVEL_ONLY))
    return user.park_manager.park_id if user_role(user) == Role.PARK_MANAGER else None


def _rows(
    table: pd.DataFrame, names: dict[Any, tuple[str, str, str]], pillars: list[str]
) -> list[GroupRow]:
    # Labels are looked up once: lazy translations cost a little each time.
    pillar_labels = {p: pillar_label(p) for p in pillars}
    gap_labels = {g: str(GAP_LABELS[g]) for g in GAP_NAMES}
    tops = [c for c in table.columns if c.startswith("top_gap_")]
    rows = []
    for group, row in zip(table.index, table.to_dict("records"), strict=True):
        key, name_fa, name_en = names[group]
        gaps = {g: Share(g, gap_labels[g], float(row[g])) for g in GAP_NAMES}
        rows.append(
            GroupRow(
                key=key,
                name_fa=name_fa,
                name_en=name_en,
                firms=int(row["firms"]),
                in_top=int(row["in_top"]),
                weak=[Share(p, pillar_labels[p], float(row[f"weak_{p}"])) for p in pillars],
                gaps=list(gaps.values()),
                top_gaps=[gaps[row[c]] for c in tops if isinstance(row[c], str)],
            )
        )
    rows.sort(key=lambda r: r.key)
    return rows


def shortfall_report(
    *, user: User | AnonymousUser, level: str, year: int | None = None
) -> ShortfallReport | None:
    """The report of `year`'s current run at `level` for this user (None: no run yet)."""
    park_id = _scope(user, level)
    run = current_run(year=year)
    if run is None:
        return None
    method = ShortfallMethod.from_spec(run.methodology.spec)
    pillars = list(method.pillars)
    computed = _computed(run, method, park_id)
    table = group_shortfalls(
        firms=computed.firms, groups=_group_links(level, computed), pillars=pillars
    )
    if park_id is not None:
        table = table[table.index == park_id]
    groups = _rows(table, _group_names(level, list(table.index)), pillars)
    national = None
    if park_id is None and len(computed.firms):
        everyone = pd.DataFrame({"firm_id": computed.firms.index, "group": "all"})
        row = group_shortfalls(firms=computed.firms, groups=everyone, pillars=pillars)
        everyone_label = gettext("All firms")
        names = {"all": ("all", everyone_label, everyone_label)}
        national = _rows(row, names, pillars)[0]
    return ShortfallReport(
        run=run,
        level=level,
        level_label=str(LEVEL_LABELS[level]),
        levels=levels_for(user),
        top_n=method.top_n,
        threshold=computed.bench.threshold,
        aggregation=method.aggregation,
        pillars=[(p, pillar_label(p)) for p in pillars],
        groups=groups,
        national=national,
        firms=computed.firms,
        memberships=computed.memberships,
    )


def group_firm_ids(*, report: ShortfallReport, key: str) -> list[int]:
    """The firms of one group of the report, best rank first (empty for an unknown key)."""
    group = report.group(key)
    if group is None:
        return []
    firms = report.firms
    if report.level == "cluster":
        from clusters.models import Cluster

        cluster_id = Cluster.objects.filter(code=key).values_list("id", flat=True).first()
        ids = report.memberships.loc[report.memberships["cluster_id"] == cluster_id, "firm_id"]
        selected = firms.loc[firms.index.intersection(pd.Index(ids))]
    elif report.level == "sector":
        selected = firms[firms["division"] == key]
    else:
        model = Park if report.level == "park" else Province
        pk = model.objects.filter(code=key).values_list("id", flat=True).first()
        column = "park_id" if report.level == "park" else "province_id"
        selected = firms[firms[column] == pk]
    return [int(i) for i in selected.sort_values(["rank", "score"]).index]


def firm_rows(*, report: ShortfallReport, firm_ids: list[int]) -> list[FirmRow]:
    """The report's rows for these firms (in this order), with names: one query."""
    firms = report.firms.loc[[i for i in firm_ids if i in report.firms.index]]
    names = {
        f["id"]: f
        for f in Firm.objects.filter(id__in=list(firms.index)).values(
            "id", "national_id", "name_fa", "name_en"
        )
    }
    labels = dict(report.pillars)
    gap_labels = {g: str(GAP_LABELS[g]) for g in GAP_NAMES}
    rows = []
    for firm_id, row in zip(firms.index, firms.to_dict("records"), strict=True):
        info = names.get(firm_id, {"national_id": "", "name_fa": "", "name_en": ""})
        needs = [
            PillarNeed(
                code=code,
                label=label,
                weak=bool(row[f"weak_{code}"]),
                gap=_float(row[f"gap_{code}"]),
                need=_float(row[f"need_{code}"]),
                impossible=bool(row[f"impossible_{code}"]),
            )
            for code, label in report.pillars
        ]
        rows.append(
            FirmRow(
                firm_id=int(firm_id),
                national_id=info["national_id"],
                name_fa=info["name_fa"],
                name_en=info["name_en"] or info["name_fa"],
                rank=None if pd.isna(row["rank"]) else int(row["rank"]),
                score=_float(row["score"]),
                in_top=bool(row["in_top"]),
                weakest=[
                    labels.get(row[c], row[c])
                    for c in ("weakest_1", "weakest_2")
                    if isinstance(row.get(c), str)
                ],
                needs=needs,
                gaps=[gap_labels[g] for g in GAP_NAMES if bool(row[g])],
            )
        )
    return rows


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
