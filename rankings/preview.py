"""What a candidate methodology would do to the top-N, computed without writing anything.

The candidate ranking is computed exactly as the worker would (`figures_load`, `firms_load`,
`year_ranking_compute`) and compared with the year's current run. Nothing is saved: the
analyst can try as many variants as they like before creating a version.

This reads every firm of the year, as a ranking must; only analysts may call it (the view
enforces that), and only a handful of firms (those entering, leaving or moving within the
top-N) are named in the result.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, Max

from firms.models import Firm, FirmYear
from rankings.compute import year_ranking_compute
from rankings.frames import figures_load, firms_load
from rankings.models import FirmScore, RankingRun, YearState
from rankings.selectors import current_run, years_with_runs

MOVERS = 10

# An analyst tries variant after variant on the same data: the year's frames are kept
# in this process (one year at a time) until the data changes, which is most of the
# preview's time at 100,000 firms.
_frames_lock = threading.Lock()
_frames: dict[tuple[Any, ...], tuple[pd.DataFrame, pd.DataFrame]] = {}


class PreviewError(ValueError):
    """The candidate spec cannot be computed on this year's data; the message says why."""


@dataclass(frozen=True)
class PreviewFirm:
    firm_id: int
    name_fa: str
    name_en: str
    province_fa: str
    province_en: str
    new_rank: int | None
    old_rank: int | None

    @property
    def change(self) -> int | None:
        """Places gained (positive) or lost (negative); None unless ranked in both."""
        if self.new_rank is None or self.old_rank is None:
            return None
        return self.old_rank - self.new_rank


@dataclass(frozen=True)
class PreviewResult:
    year: int
    top_n: int
    run: RankingRun | None  # the current run the candidate is compared with
    eligible_count: int
    current_eligible_count: int | None
    entering: list[PreviewFirm]
    leaving: list[PreviewFirm]
    staying_count: int
    rises: list[PreviewFirm]
    falls: list[PreviewFirm]
    top: list[PreviewFirm]  # the candidate's first ten
    spearman: float | None
    common_count: int  # firms ranked by both, over which `spearman` is computed
    seconds: float

    @property
    def eligible_change(self) -> int | None:
        if self.current_eligible_count is None:
            return None
        return self.eligible_count - self.current_eligible_count


def preview_year() -> int | None:
    """The latest year with a ranking, else the latest year with data."""
    years = years_with_runs()
    if years:
        return years[0]
    return FirmYear.objects.order_by("-year").values_list("year", flat=True).first()


def spearman(a: pd.Series, b: pd.Series) -> float | None:
    """Spearman's rank correlation of two aligned series (average ranks for ties)."""
    if len(a) < 2:
        return None
    ra = a.rank(method="average").to_numpy(dtype=np.float64)
    rb = b.rank(method="average").to_numpy(dtype=np.float64)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denominator = float(np.sqrt((ra * ra).sum() * (rb * rb).sum()))
    if denominator == 0:
        return None
    return float((ra * rb).sum() / denominator)


def methodology_preview(*, spec: dict[str, Any], year: int) -> PreviewResult:
    """Rank `year` with `spec` and compare its top-N with the current run's."""
    started = time.perf_counter()
    figures, firms = _year_frames(year)
    try:
        result = year_ranking_compute(figures=figures, firms=firms, year=year, spec=spec)
    except ValueError as exc:  # EngineError: e.g. a geometric mean of zeros
        raise PreviewError(str(exc)) from exc
    new = result.scores["rank"].dropna().astype("int64")

    run = current_run(year=year)
    old = _run_ranks(run) if run is not None else pd.Series(dtype="int64")

    top_n = int(spec.get("top_n", 100))
    current_top_n = int(run.methodology.spec.get("top_n", 100)) if run else top_n
    new_top = set(new[new <= top_n].index)
    old_top = set(old[old <= current_top_n].index)
    common = new.index.intersection(old.index)
    # Movers are looked for among the firms of either top-N: moves deep in the ranking
    # (40,000th to 30,000th) are large but say nothing about the published list.
    watched = pd.Index(sorted(new_top | old_top)).intersection(common)
    change = old[watched] - new[watched]
    change = change[change != 0]
    rises = change[change > 0].sort_values(ascending=False, kind="stable").head(MOVERS)
    falls = change[change < 0].sort_values(kind="stable").head(MOVERS)
    first = new.sort_values(kind="stable").head(10)
    entering_ids = sorted(new_top - old_top, key=lambda f: new[f])
    leaving_ids = sorted(old_top - new_top, key=lambda f: old[f])

    wanted = {*entering_ids, *leaving_ids, *rises.index, *falls.index, *first.index}
    named = _firm_names(wanted)

    def firm(firm_id: int) -> PreviewFirm:
        info = named.get(int(firm_id), {})
        return PreviewFirm(
            firm_id=int(firm_id),
            name_fa=info.get("name_fa", ""),
            name_en=info.get("name_en", ""),
            province_fa=info.get("province_fa", ""),
            province_en=info.get("province_en", ""),
            new_rank=int(new[firm_id]) if firm_id in new.index else None,
            old_rank=int(old[firm_id]) if firm_id in old.index else None,
        )

    return PreviewResult(
        year=year,
        top_n=top_n,
        run=run,
        eligible_count=result.eligible_count,
        current_eligible_count=run.eligible_count if run else None,
        entering=[firm(f) for f in entering_ids],
        leaving=[firm(f) for f in leaving_ids],
        staying_count=len(new_top & old_top),
        rises=[firm(f) for f in rises.index],
        falls=[firm(f) for f in falls.index],
        top=[firm(f) for f in first.index],
        spearman=spearman(old.reindex(common), new.reindex(common)) if run else None,
        common_count=len(common),
        seconds=time.perf_counter() - started,
    )


def _data_version(year: int) -> tuple[Any, ...]:
    """Changes whenever the figures or the firms behind `year` change: the year's data
    generation plus the counts and last edits of both tables (admin edits included)."""
    generation = YearState.objects.filter(year=year).values_list("generation", flat=True).first()
    firms = Firm.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    figures = FirmYear.objects.filter(year__in=[year - 1, year]).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    return (year, generation, firms["n"], firms["last"], figures["n"], figures["last"])


def _year_frames(year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    key = _data_version(year)
    with _frames_lock:
        if key in _frames:
            return _frames[key]
    frames = (figures_load(year=year), firms_load())
    with _frames_lock:
        _frames.clear()
        _frames[key] = frames
    return frames


def preview_cache_clear() -> None:
    with _frames_lock:
        _frames.clear()


def _run_ranks(run: RankingRun) -> pd.Series:
    """Firm id -> rank of a run, read with one plain cursor (66,000 rows and more)."""
    sql = (
        f"SELECT firm_id, rank FROM {FirmScore._meta.db_table} "  # noqa: S608
        "WHERE run_id = %s AND rank IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [run.pk])
        rows = cursor.fetchall()
    if not rows:
        return pd.Series(dtype="int64")
    ids, ranks = zip(*rows, strict=True)
    return pd.Series(ranks, index=pd.Index(ids), dtype="int64")


def _firm_names(firm_ids: set[int]) -> dict[int, dict[str, str]]:
    rows = Firm.objects.filter(id__in=[int(f) for f in firm_ids]).values(
        "id",
        "name_fa",
        "name_en",
        "park__province__name_fa",
        "park__province__name_en",
    )
    return {
        row["id"]: {
            "name_fa": row["name_fa"],
            "name_en": row["name_en"],
            "province_fa": row["park__province__name_fa"],
            "province_en": row["park__province__name_en"],
        }
        for row in rows
    }
