"""Step 5: aggregate level by level following `Parent`, as weighted means.

Each level is one matrix product: children values (units x children) times a weight matrix
(children x parents). Missing children are dropped and the remaining weights renormalised,
as COINr's `a_amean`, `a_gmean` and `a_hmean` do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import EngineError
from .meta import Framework
from .method import AGGREGATE_METHODS


@dataclass(frozen=True)
class LevelPlan:
    """How to aggregate one level over the columns `indicators + aggregates`."""

    child_cols: np.ndarray  # positions of the children
    parent_cols: np.ndarray  # positions of the parents (a contiguous block)
    child_codes: tuple[str, ...]
    parent_codes: tuple[str, ...]
    weights: np.ndarray  # children x parents, zero where not a child
    # The same weights over every column left of the parents, so that complete data can be
    # multiplied in place without gathering the children first.
    weights_full: np.ndarray


def plan_levels(fw: Framework, weights: Mapping[str, float] | None = None) -> list[LevelPlan]:
    """Aggregation plan; `weights` (default: the framework's) maps iCode to weight."""
    w = fw.weight if weights is None else weights
    position = {code: i for i, code in enumerate(fw.indicators + fw.aggregates)}
    plans = []
    for parents in fw.aggregate_levels:
        kids = tuple(k for p in parents for k in fw.children[p])
        mat = np.zeros((len(kids), len(parents)))
        row = 0
        for j, p in enumerate(parents):
            for k in fw.children[p]:
                mat[row, j] = w[k]
                row += 1
        child_cols = np.array([position[k] for k in kids])
        parent_cols = np.array([position[p] for p in parents])
        full = np.zeros((int(parent_cols.min()), len(parents)))
        full[child_cols] = mat
        plans.append(
            LevelPlan(
                child_cols=child_cols,
                parent_cols=parent_cols,
                child_codes=kids,
                parent_codes=parents,
                weights=mat,
                weights_full=full,
            )
        )
    return plans


def aggregate_level(
    children: np.ndarray,
    weights: np.ndarray,
    method: str,
    *,
    child_codes: Sequence[str] = (),
    parent_codes: Sequence[str] = (),
    units: Sequence[str] | None = None,
) -> np.ndarray:
    """Weighted mean of `children` (units x k) into parents (units x p) via `weights` (k x p)."""
    if method not in AGGREGATE_METHODS:
        raise EngineError(f"unknown aggregate method {method!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "arithmetic" and not np.isnan(children.sum()):
            return (children @ weights) / weights.sum(axis=0)
        present = ~np.isnan(children)
        complete = present.all()
        denom = weights.sum(axis=0) if complete else present.astype(np.float64) @ weights
        if method == "arithmetic":
            num = np.where(present, children, 0.0) @ weights
            return num / denom
        bad = present & ((children <= 0) if method == "geometric" else (children == 0))
        if bad.any():
            _raise_bad_value(bad, children, weights, method, child_codes, parent_codes, units)
        if method == "geometric":
            logs = np.where(present, np.log(np.where(present, children, 1.0)), 0.0)
            return np.exp((logs @ weights) / denom)
        inv = np.where(present, 1.0 / np.where(present, children, 1.0), 0.0)
        return denom / (inv @ weights)


def _raise_bad_value(bad, children, weights, method, child_codes, parent_codes, units) -> None:
    i, k = (int(a[0]) for a in np.nonzero(bad))
    child = child_codes[k] if child_codes else f"column {k}"
    parent_idx = np.flatnonzero(weights[k] != 0)
    parent = parent_codes[parent_idx[0]] if parent_codes and parent_idx.size else "its parent"
    unit = units[i] if units is not None else f"row {i + 1}"
    need = "values > 0" if method == "geometric" else "non-zero values"
    raise EngineError(
        f"{method} mean needs {need}, but '{child}' (in '{parent}') is {children[i, k]:g} "
        f"for unit '{unit}'; use a normalisation with a positive range, e.g. minmax 1-100"
    )


def aggregate_into(
    full: np.ndarray,
    plans: Sequence[LevelPlan],
    method: str,
    units: Sequence[str] | None = None,
) -> None:
    """Fill the aggregate columns of `full` (units x (indicators + aggregates)) in place."""
    for plan in plans:
        left = full[:, : plan.weights_full.shape[0]]
        if method == "arithmetic" and not np.isnan(left.sum()):
            # Complete data: multiply the columns in place; no gather of the children.
            with np.errstate(divide="ignore", invalid="ignore"):
                result = (left @ plan.weights_full) / plan.weights.sum(axis=0)
        else:
            result = aggregate_level(
                full[:, plan.child_cols],
                plan.weights,
                method,
                child_codes=plan.child_codes,
                parent_codes=plan.parent_codes,
                units=units,
            )
        full[:, plan.parent_cols] = result


def aggregate(
    *,
    normalised: np.ndarray,
    fw: Framework,
    method: str,
    units: Sequence[str] | None = None,
    plans: Sequence[LevelPlan] | None = None,
) -> np.ndarray:
    """Return units x (indicators + aggregates): the normalised indicators then every aggregate."""
    n, p = normalised.shape
    full = np.empty((n, p + len(fw.aggregates)), order="F")
    full[:, :p] = normalised
    aggregate_into(full, plan_levels(fw) if plans is None else plans, method, units)
    return full
