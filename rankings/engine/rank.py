"""Step 6 and helpers: min-tie ("sport") ranking, overall and within groups."""

from __future__ import annotations

import numpy as np


def min_rank(
    x: np.ndarray,
    *,
    descending: bool = False,
    groups: np.ndarray | None = None,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """R's `rank(x, ties.method = "min", na.last = "keep")`, optionally within groups.

    `descending=True` ranks the highest value first. `groups` holds integer codes, -1 for a
    missing group (whose units get no rank). `order` may pass a precomputed
    `sort_order(x, descending)` to rank several groupings cheaply. Returns float64 with NaN
    for unranked units.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    out = np.full(n, np.nan)
    if n == 0:
        return out
    key = -x if descending else x
    if order is None:
        order = sort_order(x, descending=descending)
    if groups is None:
        new_group = np.zeros(n, dtype=bool)
        new_group[0] = True
    else:
        groups = np.asarray(groups, dtype=np.int64)
        # A stable sort by group keeps the value order inside each group.
        order = order[np.argsort(groups[order], kind="stable")]
        g = groups[order]
        new_group = np.empty(n, dtype=bool)
        new_group[0] = True
        new_group[1:] = g[1:] != g[:-1]
    s = key[order]
    new_tie = new_group.copy()
    new_tie[1:] |= s[1:] != s[:-1]
    pos = np.arange(n)
    tie_start = np.maximum.accumulate(np.where(new_tie, pos, 0))
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    out[order] = tie_start - group_start + 1
    out[np.isnan(x)] = np.nan
    if groups is not None:
        out[groups < 0] = np.nan
    return out


def sort_order(x: np.ndarray, *, descending: bool = False) -> np.ndarray:
    """Positions of `x` in ranking order, NaN last (the order among ties does not matter)."""
    x = np.asarray(x, dtype=np.float64)
    return np.argsort(-x if descending else x)
