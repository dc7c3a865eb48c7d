"""Step 3: outlier treatment by winsorisation, falling back to a log transform.

Mirrors COINr's `Treat()` defaults (`winsorise` then `log_CT`, checked by `check_SkewKurt`):
an indicator passes when |skew| < skew threshold OR kurtosis < kurtosis threshold. While it
fails and fewer than `winmax` points have been changed, the current maximum value(s) are set
to the largest remaining value (skew >= 0), else the minimum value(s) to the smallest
remaining one. If it still fails, the winsorisation is discarded and the untreated values
become log(x - min + 0.01 (max - min)).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .method import TreatSpec

REPORT_COLUMNS = (
    "iCode",
    "action",
    "points_changed",
    "skew_before",
    "kurtosis_before",
    "skew_after",
    "kurtosis_after",
)


@dataclass(frozen=True)
class ColumnTreatment:
    """The outcome for one indicator (values are the non-missing ones, in input order)."""

    values: np.ndarray
    action: str  # "none" | "winsorised" | "log"
    points_changed: int
    skew_before: float
    kurtosis_before: float
    skew_after: float
    kurtosis_after: float


def _stats(n: int, s2: float, s3: float, s4: float) -> tuple[float, float]:
    """Bias-adjusted skew and kurtosis (e1071 type 2) from centred power sums."""
    if n < 4 or not s2 > 0:
        return math.nan, math.nan
    m2, m3, m4 = s2 / n, s3 / n, s4 / n
    skew = math.sqrt(n * (n - 1)) / (n - 2) * m3 / m2**1.5
    kurt = ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return skew, kurt


def _centred_sums(x: np.ndarray, mu: float) -> tuple[float, float, float]:
    d = x - mu
    d2 = d * d
    return float(d2.sum()), float((d2 * d).sum()), float((d2 * d2).sum())


def skew_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Skew and kurtosis of the non-missing values of `x` (NaN if fewer than 4 or constant)."""
    v = np.asarray(x, dtype=np.float64)
    return _skew_kurtosis_present(v[~np.isnan(v)])


def _skew_kurtosis_present(v: np.ndarray) -> tuple[float, float]:
    if v.size < 4:
        return math.nan, math.nan
    return _stats(v.size, *_centred_sums(v, float(v.mean())))


def _passes(skew: float, kurt: float, spec: TreatSpec) -> bool:
    # COINr: (abs(sk) < t1) | (kt < t2); an undefined statistic (constant data) counts as a pass.
    if math.isnan(skew) or math.isnan(kurt):
        return True
    return abs(skew) < spec.skew or kurt < spec.kurtosis


class _Block:
    """Centred power sums of a fixed block of values, re-centrable at any mean exactly."""

    def __init__(self, x: np.ndarray) -> None:
        self.n = int(x.size)
        self.total = float(x.sum()) if self.n else 0.0
        self.c = self.total / self.n if self.n else 0.0
        self.a2, self.a3, self.a4 = _centred_sums(x, self.c) if self.n else (0.0, 0.0, 0.0)

    def sums_at(self, mu: float) -> tuple[float, float, float]:
        # Binomial re-centring; benign because the block's own centred first sum is zero.
        d = self.c - mu
        n = self.n
        s2 = self.a2 + n * d * d
        s3 = self.a3 + 3 * d * self.a2 + n * d**3
        s4 = self.a4 + 4 * d * self.a3 + 6 * d * d * self.a2 + n * d**4
        return s2, s3, s4


def _stats_with_block(block: _Block, e: np.ndarray) -> tuple[float, float]:
    n = block.n + e.size
    mu = (block.total + float(e.sum())) / n
    b2, b3, b4 = block.sums_at(mu)
    e2, e3, e4 = _centred_sums(e, mu)
    return _stats(n, b2 + e2, b3 + e3, b4 + e4)


def _winsorise(
    e: np.ndarray,
    block: _Block,
    block_max: float,
    block_min: float,
    stats: tuple[float, float],
    spec: TreatSpec,
) -> tuple[np.ndarray, float, float, bool] | None:
    """COINr's winsorisation loop run on the extreme values `e`; the rest is a fixed block.

    Returns None when the loop would reach into the block (then the caller reruns it on the
    full vector). `block_max`/`block_min` are -inf/+inf for an empty block.
    """
    x = e.copy()
    n_hi = n_lo = 0
    skew, kurt = stats
    passing = _passes(skew, kurt, spec)
    while not passing and n_hi + n_lo < spec.winmax:
        if skew >= 0:
            top = x.max()
            if top <= block_max:
                return None
            hit = x == top
            rest = x[~hit]
            nxt = max(float(rest.max()) if rest.size else -math.inf, block_max)
            if not math.isfinite(nxt):
                break
            x[hit] = nxt
            n_hi = int(hit.sum())
        else:
            bottom = x.min()
            if bottom >= block_min:
                return None
            hit = x == bottom
            rest = x[~hit]
            nxt = min(float(rest.min()) if rest.size else math.inf, block_min)
            if not math.isfinite(nxt):
                break
            x[hit] = nxt
            n_lo = int(hit.sum())
        skew, kurt = _stats_with_block(block, x)
        passing = _passes(skew, kurt, spec)
    return x, skew, kurt, passing


def treat_values(v: np.ndarray, spec: TreatSpec) -> ColumnTreatment:
    """Treat one indicator's non-missing values `v` (1-D, no NaN)."""
    n = v.size
    skew0, kurt0 = _skew_kurtosis_present(v)
    if n < 4 or _passes(skew0, kurt0, spec):
        return ColumnTreatment(v, "none", 0, skew0, kurt0, skew0, kurt0)

    result = _winsorise_fast(v, (skew0, kurt0), spec)
    if result[3]:
        x, skew1, kurt1, _ = result
        changed = int(np.count_nonzero(x != v))
        return ColumnTreatment(x, "winsorised", changed, skew0, kurt0, skew1, kurt1)

    lo, hi = float(v.min()), float(v.max())
    with np.errstate(divide="ignore", invalid="ignore"):
        logged = np.log(v - lo + 0.01 * (hi - lo))
    skew2, kurt2 = _skew_kurtosis_present(logged)
    return ColumnTreatment(logged, "log", n, skew0, kurt0, skew2, kurt2)


def _winsorise_fast(
    v: np.ndarray, stats0: tuple[float, float], spec: TreatSpec
) -> tuple[np.ndarray, float, float, bool]:
    """Winsorise touching only the extremes: a partition finds them, the middle is summed once."""
    n = v.size
    m = spec.winmax + 1
    if spec.winmax == 0:
        return v, stats0[0], stats0[1], False
    if n > 8 * m:
        # Two single-pivot partitions are several times faster than one with two pivots.
        low_cut = np.partition(v, m - 1)[m - 1]
        high_cut = np.partition(v, n - m)[n - m]
        if low_cut < high_cut:
            hi = v >= high_cut
            lo = v <= low_cut
            ext = hi | lo
            middle = v[~ext]
            block = _Block(middle)
            bmax = float(middle.max()) if middle.size else -math.inf
            bmin = float(middle.min()) if middle.size else math.inf
            out = _winsorise(v[ext], block, bmax, bmin, stats0, spec)
            if out is not None:
                x = v.copy()
                x[ext] = out[0]
                return x, out[1], out[2], out[3]
    out = _winsorise(v, _Block(v[:0]), -math.inf, math.inf, stats0, spec)
    assert out is not None
    return out


def treat(
    *, values: np.ndarray, indicators: Sequence[str], spec: TreatSpec
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """Treat every indicator column; return (treated copy, report, mask of changed cells)."""
    out = np.array(values, dtype=np.float64, order="F", copy=True)
    changed = np.zeros(out.shape, dtype=bool)
    rows = []
    for j, code in enumerate(indicators):
        col = out[:, j]
        nan = np.isnan(col)
        complete = not nan.any()
        # After imputation most columns are complete; skip the masked copies then.
        present = slice(None) if complete else ~nan
        v = col.copy() if complete else col[present]
        if spec.method == "none" or code in spec.exclude:
            skew, kurt = _skew_kurtosis_present(v)
            rows.append((code, "none", 0, skew, kurt, skew, kurt))
            continue
        res = treat_values(v, spec)
        if res.action != "none":
            col[present] = res.values
            changed[present, j] = res.values != v
        rows.append(
            (
                code,
                res.action,
                res.points_changed,
                res.skew_before,
                res.kurtosis_before,
                res.skew_after,
                res.kurtosis_after,
            )
        )
    report = pd.DataFrame.from_records(rows, columns=list(REPORT_COLUMNS))
    report["points_changed"] = report["points_changed"].astype("int64")
    return out, report, changed
