"""Step 2: fill missing indicator values by column mean/median, overall or per group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import EngineError
from .method import IMPUTE_METHODS


def group_codes(groups: np.ndarray | pd.Series) -> np.ndarray:
    """Integer code per unit for its group (-1 where missing); integer input is taken as codes."""
    arr = np.asarray(groups)
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64, copy=False)
    codes, _ = pd.factorize(pd.Series(arr, dtype=object), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def impute(
    *, values: np.ndarray, method: str, groups: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return (imputed copy of `values`, boolean mask of the cells that were filled).

    Columns are imputed independently, like COINr's `impute_by = "column"`. A unit whose
    group value is missing keeps its missing values; so does a group with no data.
    """
    if method not in IMPUTE_METHODS:
        raise EngineError(f"unknown impute method {method!r}")
    out = np.array(values, dtype=np.float64, order="F", copy=True)
    missing = np.isnan(out)
    if method == "none" or not missing.any():
        return out, np.zeros(out.shape, dtype=bool)
    cols = np.flatnonzero(missing.any(axis=0))
    if method in ("mean", "median"):
        for j in cols:
            col = out[:, j]
            present = col[~missing[:, j]]
            if present.size:
                fill = present.mean() if method == "mean" else np.median(present)
                col[missing[:, j]] = fill
    else:
        if groups is None:
            raise EngineError(f"impute method '{method}' needs a group column")
        codes = group_codes(groups)
        for j in cols:
            out[:, j] = _impute_by_group(out[:, j], codes, median=method == "group_median")
    filled = missing & ~np.isnan(out)
    return out, filled


def _impute_by_group(col: np.ndarray, codes: np.ndarray, *, median: bool) -> np.ndarray:
    has_group = codes >= 0
    ngroups = int(codes.max()) + 1 if has_group.any() else 0
    if ngroups == 0:
        return col
    present = has_group & ~np.isnan(col)
    if median:
        s = pd.Series(col[present]).groupby(codes[present]).median()
        fills = np.full(ngroups, np.nan)
        fills[s.index.to_numpy()] = s.to_numpy()
    else:
        sums = np.bincount(codes[present], weights=col[present], minlength=ngroups)
        counts = np.bincount(codes[present], minlength=ngroups)
        with np.errstate(invalid="ignore", divide="ignore"):
            fills = sums / counts
    target = has_group & np.isnan(col)
    out = col.copy()
    out[target] = fills[codes[target]]
    return out
