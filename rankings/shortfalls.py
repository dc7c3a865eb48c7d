"""The shortfall report: where firms fall short, pillar by pillar and gap by gap.

Pure pandas/numpy (no Django), vectorised over all firms at once. Inputs are a run's
scores (one row per firm: eligible, score, rank, ISIC division and one column per pillar)
and the concrete gaps of `clusters.profile.firm_gaps` (no exports, no quality certificate,
no R&D, falling sales, high debt); the selector loads both.

Per firm:

* weakest pillars: the (at most two) pillars furthest *below the median of the eligible
  firms of its sector* (ISIC division);
* weak in pillar p: a pillar score in the national bottom quartile of eligible firms
  (at or below the 25th percentile, so every firm tied at the floor counts: a firm with
  no exports is weak in exports however many share that) and below the national best
  (a pillar on which every firm is equal makes nobody weak);
* the improvement of each pillar alone, the others held, that lifts the firm's score to
  T, the score of the top_n-th firm (ties at T are inside the top-N). Arithmetic
  aggregation: Δ_p = (T − score)·Σw / w_p, over the pillars the firm has (the engine drops
  missing ones and renormalises the weights). Geometric aggregation, solved exactly:
  P_p' = (T / Π_{q≠p} P_q^(w_q/Σw))^(Σw/w_p). None for a firm already in the top-N;
  "impossible" when the target exceeds the best possible pillar score (100 − P_p for the
  0-100 scale), when the pillar has no weight, or (geometric) when another pillar is 0.

Per group (park, province, cluster, sector), over the group's eligible firms: firms,
firms in the top-N, the share weak in each pillar, the share with each concrete gap and
the three most common gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

GAP_NAMES = ("no_exports", "no_certification", "no_rd", "falling_sales", "high_debt")
LEVELS = ("park", "province", "cluster", "sector")
WEAK_QUANTILE = 0.25
WEAKEST_COUNT = 2
TOP_GAPS = 3
_EPS = 1e-9


@dataclass(frozen=True)
class ShortfallMethod:
    """What of the methodology the report needs."""

    pillars: tuple[str, ...]
    weights: Mapping[str, float]  # pillar weights as the engine uses them
    aggregation: str = "arithmetic"  # "arithmetic" | "geometric" (others: no improvement)
    ceiling: float = 100.0  # the best possible pillar score
    top_n: int = 100

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> ShortfallMethod:
        from rankings.insights import spec_aggregation, spec_ceiling, spec_pillar_weights

        weights = spec_pillar_weights(spec)
        return cls(
            pillars=tuple(weights),
            weights=weights,
            aggregation=spec_aggregation(spec),
            ceiling=spec_ceiling(spec),
            top_n=int(spec.get("top_n", 100)),
        )


@dataclass(frozen=True)
class Benchmarks:
    """National reference values, from every eligible firm of the run."""

    threshold: float | None  # T, the top_n-th score; None when fewer firms are ranked
    weak_at: dict[str, float | None]  # the 25th percentile of each pillar
    best: dict[str, float | None]  # the national best of each pillar
    national: dict[str, float | None]  # the national median of each pillar
    sector_medians: pd.DataFrame  # index: division; one column per pillar


def top_threshold(scores: pd.Series | np.ndarray, top_n: int) -> float | None:
    """The score of the firm in place `top_n` (None when fewer firms have a score)."""
    values = np.asarray(scores, dtype=np.float64)
    values = values[~np.isnan(values)]
    if len(values) < top_n:
        return None
    return float(np.partition(values, len(values) - top_n)[len(values) - top_n])


def _none(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def benchmarks_compute(*, ranked: pd.DataFrame, method: ShortfallMethod) -> Benchmarks:
    """`ranked`: the eligible firms with a score (columns score, division, pillars)."""
    pillars = list(method.pillars)
    values = ranked[pillars].astype("float64")
    medians = values.groupby(ranked["division"].astype(object), sort=True).median()
    return Benchmarks(
        threshold=top_threshold(ranked["score"], method.top_n),
        weak_at={p: _none(v) for p, v in values.quantile(WEAK_QUANTILE).items()},
        best={p: _none(v) for p, v in values.max().items()},
        national={p: _none(v) for p, v in values.median().items()},
        sector_medians=medians,
    )


def improvements(
    *,
    pillars: pd.DataFrame,
    score: pd.Series,
    threshold: float | None,
    method: ShortfallMethod,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per firm and pillar: the rise Δ_p that alone brings the score to `threshold`, and
    whether it is impossible. NaN (not impossible) where nothing is needed or defined."""
    codes = list(method.pillars)
    p = pillars[codes].to_numpy(dtype=np.float64)
    s = score.to_numpy(dtype=np.float64)
    n, k = p.shape
    delta = np.full((n, k), np.nan)
    impossible = np.zeros((n, k), dtype=bool)
    if threshold is None or method.aggregation not in ("arithmetic", "geometric"):
        return _frames(delta, impossible, pillars.index, codes)
    w = np.array([float(method.weights.get(c, 0.0)) for c in codes])
    present = ~np.isnan(p)
    total = present.astype(np.float64) @ w  # Σw over the pillars each firm has
    below = ~np.isnan(s) & (s < threshold)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method.aggregation == "arithmetic":
            # score = Σ w·P / Σw, so a rise Δ of pillar p lifts it by w_p·Δ / Σw.
            delta = (threshold - s)[:, None] * total[:, None] / w[None, :]
        else:
            logs = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), -np.inf)
            share = np.where(present, w[None, :] / total[:, None], 0.0)
            finite = np.where(present & (p > 0), logs, 0.0)
            weighted = share * finite
            # A zero pillar (with weight) elsewhere keeps the geometric mean at zero.
            zero = present & (p <= 0) & (share > 0)
            for j in range(k):
                others = weighted.sum(axis=1) - weighted[:, j]
                blocked = zero.sum(axis=1) - zero[:, j] > 0
                target = np.exp((np.log(threshold) - others) / share[:, j])
                target[blocked] = np.inf
                delta[:, j] = target - np.where(present[:, j], p[:, j], 0.0)
    usable = below[:, None] & present
    no_weight = (w <= 0)[None, :] & usable
    delta = np.where(usable & ~no_weight, delta, np.nan)
    target = p + delta
    impossible = no_weight | (usable & ~np.isfinite(delta) & ~np.isnan(delta))
    impossible |= usable & np.isfinite(target) & (target > method.ceiling + _EPS)
    delta = np.where(impossible, np.nan, delta)
    return _frames(delta, impossible, pillars.index, codes)


def _frames(
    delta: np.ndarray, impossible: np.ndarray, index: pd.Index, codes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        pd.DataFrame(delta, index=index, columns=codes),
        pd.DataFrame(impossible, index=index, columns=codes),
    )


def weakest_pillars(gaps: pd.DataFrame, count: int = WEAKEST_COUNT) -> pd.DataFrame:
    """Per row, the codes of the (at most `count`) most negative columns, most negative
    first, as columns weakest_1..weakest_count (None when fewer are below zero)."""
    return _extremes(gaps.to_numpy(dtype=np.float64), gaps, count, "weakest", smallest=True)


def _extremes(
    values: np.ndarray, frame: pd.DataFrame, count: int, prefix: str, *, smallest: bool
) -> pd.DataFrame:
    """The column names of each row's `count` most negative (`smallest`) or largest
    positive values, vectorised; ties keep the column order."""
    names = np.array(frame.columns, dtype=object)
    keep = values < 0 if smallest else values > 0
    keyed = np.where(keep, values if smallest else -values, np.inf)
    order = np.argsort(keyed, axis=1, kind="stable")[:, :count]
    chosen = np.isfinite(np.take_along_axis(keyed, order, axis=1))
    picked = np.where(chosen, names[order], None)
    columns = [f"{prefix}_{i + 1}" for i in range(picked.shape[1])]
    out = pd.DataFrame(picked, index=frame.index, columns=columns, dtype=object).reindex(
        columns=[f"{prefix}_{i + 1}" for i in range(count)]
    )
    return out.astype(object).where(out.notna(), None)


def firm_shortfalls(
    *,
    scores: pd.DataFrame,
    gaps: pd.DataFrame,
    bench: Benchmarks,
    method: ShortfallMethod,
) -> pd.DataFrame:
    """One row per eligible firm of `scores` (index firm_id; columns score, rank, division,
    pillars). Columns: score, rank, in_top, weakest_1, weakest_2 (pillar codes), then per
    pillar p: `gap_p` (against the sector median), `weak_p`, `need_p` (Δ_p, NaN when none
    is needed or it is impossible), `impossible_p`; then the concrete gaps (booleans)."""
    codes = list(method.pillars)
    firms = scores[scores["score"].notna()]
    values = firms[codes].astype("float64")
    sector = bench.sector_medians.reindex(columns=codes)
    peer = sector.reindex(firms["division"].astype(object)).set_axis(firms.index)
    gap = values - peer
    rank = firms["rank"].astype("float64")
    out = pd.DataFrame(index=firms.index)
    out["score"] = firms["score"].astype("float64")
    out["rank"] = firms["rank"].astype("Int64")
    out["in_top"] = (rank <= method.top_n).to_numpy()
    out = out.join(weakest_pillars(gap))
    weak_at = pd.Series(bench.weak_at, dtype="float64").reindex(codes)
    best = pd.Series(bench.best, dtype="float64").reindex(codes)
    weak = values.le(weak_at, axis=1) & values.lt(best, axis=1)
    delta, impossible = improvements(
        pillars=values, score=out["score"], threshold=bench.threshold, method=method
    )
    in_top = out["in_top"].to_numpy()
    delta.loc[in_top] = np.nan
    impossible.loc[in_top] = False
    columns = {}
    for c in codes:
        columns[f"gap_{c}"] = gap[c]
        columns[f"weak_{c}"] = weak[c]
        columns[f"need_{c}"] = delta[c]
        columns[f"impossible_{c}"] = impossible[c]
    out = pd.concat([out, pd.DataFrame(columns, index=firms.index)], axis=1)
    concrete = gaps.reindex(firms.index).reindex(columns=list(GAP_NAMES))
    for g in GAP_NAMES:
        out[g] = concrete[g].fillna(False).astype(bool).to_numpy()
    return out


def group_shortfalls(
    *, firms: pd.DataFrame, groups: pd.DataFrame, pillars: Sequence[str]
) -> pd.DataFrame:
    """Per group: firms, in_top, `weak_p` shares, concrete-gap shares, top_gap_1..3.

    `firms` is `firm_shortfalls`' output; `groups` has columns firm_id and group (a firm
    may be in several groups, e.g. clusters). Groups are sorted by their key.
    """
    flags = [f"weak_{p}" for p in pillars] + list(GAP_NAMES)
    links = groups[["firm_id", "group"]].dropna()
    joined = links.join(firms[["in_top", *flags]].astype("float64"), on="firm_id", how="inner")
    if joined.empty:
        tops = [f"top_gap_{i + 1}" for i in range(TOP_GAPS)]
        return pd.DataFrame(columns=["firms", "in_top", *flags, *tops])
    grouped = joined.groupby("group", sort=True)
    out = grouped[flags].mean()
    out.insert(0, "in_top", grouped["in_top"].sum().astype("int64"))
    out.insert(0, "firms", grouped.size().astype("int64"))
    return out.join(most_common(out[list(GAP_NAMES)]))


def most_common(shares: pd.DataFrame, count: int = TOP_GAPS) -> pd.DataFrame:
    """Per row, the (at most `count`) columns with the largest positive share, largest
    first, as columns top_gap_1..top_gap_count (None when fewer are above zero)."""
    return _extremes(shares.to_numpy(dtype=np.float64), shares, count, "top_gap", smallest=False)
