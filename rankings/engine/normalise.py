"""Step 4: bring indicators onto a common scale, after multiplying by their Direction."""

from __future__ import annotations

import warnings

import numpy as np

from .errors import EngineError
from .method import NORMALISE_METHODS, NormaliseSpec
from .rank import min_rank


def _colstats(x: np.ndarray, fn) -> np.ndarray:
    # An all-missing column legitimately gives NaN; numpy's warning about it is noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(x, axis=0)


def normalise(
    *,
    values: np.ndarray,
    directions: np.ndarray,
    spec: NormaliseSpec,
    targets: np.ndarray | None = None,
    indicators: tuple[str, ...] | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Normalise each column of `values` (units x indicators); NaN stays NaN.

    Follows COINr's `n_*` functions. A column with no spread gives NaN under minmax and
    dist2max, as COINr does (0/0). `out`, if given, receives the result (saves a copy).
    """
    if spec.method not in NORMALISE_METHODS:
        raise EngineError(f"unknown normalise method {spec.method!r}")
    dirs = np.asarray(directions, dtype=np.float64)
    if out is None:
        out = np.empty(np.shape(values), order="F")
    x = np.multiply(values, dirs[np.newaxis, :], out=out)
    with np.errstate(divide="ignore", invalid="ignore"):
        if spec.method == "none":
            return x
        if spec.method == "minmax":
            lower, upper = spec.range
            lo, hi = _colstats(x, np.nanmin), _colstats(x, np.nanmax)
            # COINr's order of operations: (x - min) / (max - min) * (u - l) + l.
            x -= lo
            x /= hi - lo
            x *= upper - lower
            x += lower
            # Rounding can overshoot a bound by one ulp; the bounds are the contract.
            np.clip(x, lower, upper, out=x)
            return x
        if spec.method == "zscore":
            mean = _colstats(x, np.nanmean)
            sd = _colstats(x, lambda a, axis: np.nanstd(a, axis=axis, ddof=1))
            x -= mean
            x *= spec.sd / sd
            x += spec.mean
            return x
        if spec.method == "dist2max":
            lo, hi = _colstats(x, np.nanmin), _colstats(x, np.nanmax)
            # 1 - (max - x) / (max - min), in place
            np.subtract(hi, x, out=x)
            x /= hi - lo
            np.subtract(1.0, x, out=x)
            return x
        if spec.method == "goalposts":
            return _goalposts(x, dirs, targets, spec.cap, indicators)
        for j in range(x.shape[1]):
            r = min_rank(x[:, j])
            if spec.method == "prank":
                r = (r - 1) / (np.count_nonzero(~np.isnan(x[:, j])) - 1)
            x[:, j] = r
        return x


def _goalposts(
    x: np.ndarray,
    dirs: np.ndarray,
    targets: np.ndarray | None,
    cap: bool,
    indicators: tuple[str, ...] | None,
) -> np.ndarray:
    """COINr's `n_dist2targ` with targets from iMeta: (x - min) / (target - min).

    The direction-flipped data is measured from its worst value to the (also flipped)
    Target, so 1 means the target is reached; with `cap` nothing scores above 1.
    """
    names = indicators or tuple(str(j) for j in range(x.shape[1]))
    if targets is None:
        targets = np.full(x.shape[1], np.nan)
    missing = [names[j] for j in range(x.shape[1]) if not np.isfinite(targets[j])]
    if missing:
        raise EngineError(
            f"goalposts normalisation needs a Target for every indicator; missing for: "
            f"{', '.join(missing)}"
        )
    targ = np.asarray(targets, dtype=np.float64) * dirs
    lo = _colstats(x, np.nanmin)
    x -= lo
    x /= targ - lo
    if cap:
        np.minimum(x, 1.0, out=x, where=~np.isnan(x))
    return x
