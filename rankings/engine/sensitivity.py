"""Variance-based sensitivity of the ranking to each uncertain methodology choice.

Output per run: y = mean absolute rank shift against the nominal ranking. With sample
matrices A and B (N rows each) and AB_i = A with choice i taken from B, the estimators are

    V = var(y_A, y_B),  S_i = mean(y_B * (y_ABi - y_A)) / V,  ST_i = mean((y_A - y_ABi)^2) / (2V)

(Saltelli 2010 first order, Jansen total), over N * (k + 2) runs for k uncertain choices.
A choice with a single option (or weight spread 0) is not uncertain and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import EngineError
from .method import Method
from .uncertainty import Scorer, UncertaintySpec, rank_descending


@dataclass(frozen=True)
class SensitivityResult:
    """First-order and total indices per uncertain choice."""

    indices: pd.DataFrame  # index: choice; columns first_order, total
    variance: float
    runs: int
    y_a: np.ndarray
    y_b: np.ndarray
    y_ab: dict[str, np.ndarray]


def run_sensitivity(
    *,
    data: pd.DataFrame,
    meta: pd.DataFrame,
    method: Method,
    spec: UncertaintySpec | None = None,
    samples: int | None = None,
) -> SensitivityResult:
    """Sensitivity indices over the choices in `spec`; N = `samples` (default replications)."""
    spec = (spec or UncertaintySpec()).validated()
    n = spec.replications if samples is None else samples
    if n < 2:
        raise EngineError(f"sensitivity needs at least 2 samples, got {n}")
    scorer = Scorer(data=data, meta=meta, method=method)
    winmaxes = spec.winmax if method.treat.method != "none" else (None,)
    if "geometric" in spec.aggregations:
        for w in winmaxes:
            for norm in spec.normalisations:
                scorer.check_positive(w, norm)

    options = {
        "weights": None,
        "normalisation": spec.normalisations,
        "aggregation": spec.aggregations,
        "winmax": winmaxes,
    }
    factors = [
        name
        for name, opts in options.items()
        if (spec.weight_spread > 0 if name == "weights" else len(opts) > 1)
    ]
    if not factors:
        raise EngineError("no uncertain choice: every choice has one option and no weight spread")

    rng = np.random.default_rng(spec.seed)
    n_w = len(scorer.weighted)
    d = spec.weight_spread

    def sample() -> dict[str, np.ndarray]:
        return {
            "weights": rng.uniform(1 - d, 1 + d, size=(n, n_w)),
            "normalisation": rng.integers(0, len(spec.normalisations), n),
            "aggregation": rng.integers(0, len(spec.aggregations), n),
            "winmax": rng.integers(0, len(winmaxes), n),
        }

    a, b = sample(), sample()
    nominal = rank_descending(scorer.nominal_scores())
    ranked = ~np.isnan(nominal)

    def y(draw: dict[str, np.ndarray], r: int) -> float:
        s = scorer.scores(
            factors=draw["weights"][r] if "weights" in factors else None,
            norm=spec.normalisations[draw["normalisation"][r]],
            aggregation=spec.aggregations[draw["aggregation"][r]],
            winmax=winmaxes[draw["winmax"][r]],
        )
        shift = np.abs(rank_descending(s) - nominal)[ranked]
        return float(np.nanmean(shift)) if shift.size else 0.0

    y_a = np.array([y(a, r) for r in range(n)])
    y_b = np.array([y(b, r) for r in range(n)])
    variance = float(np.var(np.concatenate([y_a, y_b]), ddof=1))
    rows = []
    y_ab: dict[str, np.ndarray] = {}
    for name in factors:
        ab = dict(a)
        ab[name] = b[name]
        y_ab[name] = yi = np.array([y(ab, r) for r in range(n)])
        if variance > 0:
            first = float(np.mean(y_b * (yi - y_a)) / variance)
            total = float(np.mean((y_a - yi) ** 2) / (2 * variance))
        else:
            # No output variance at all: the indices are undefined.
            first = total = float("nan")
        rows.append((name, first, total))
    indices = pd.DataFrame.from_records(rows, columns=["choice", "first_order", "total"])
    return SensitivityResult(
        indices=indices.set_index("choice"),
        variance=variance,
        runs=n * (len(factors) + 2),
        y_a=y_a,
        y_b=y_b,
        y_ab=y_ab,
    )
