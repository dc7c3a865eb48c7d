"""The uncertainty and sensitivity analysis of one year's ranking. Pure pandas (no Django).

The engine input is rebuilt exactly as `rankings.compute.year_ranking_compute` builds it
(same indicators, eligibility, grouping columns and unit order), so the nominal ranking
of the Monte Carlo is the run's own ranking; the service checks that it is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rankings.compute import eligibility
from rankings.engine.errors import EngineError
from rankings.engine.method import Method
from rankings.engine.sensitivity import run_sensitivity
from rankings.engine.uncertainty import UncertaintySpec, run_uncertainty
from rankings.indicators import indicators_compute
from rankings.methodology import engine_meta, engine_method, spec_indicators, spec_uncertainty


@dataclass(frozen=True)
class EngineInput:
    data: pd.DataFrame  # one row per eligible firm: uCode, indicators, division, province
    meta: pd.DataFrame
    method: Method
    firm_ids: pd.Index  # the eligible firms, in the order of `data`


@dataclass(frozen=True)
class AnalysisSettings:
    uncertainty: UncertaintySpec
    samples: int  # N of the sensitivity analysis
    params: dict[str, Any]  # as stored on the analysis (JSON)


@dataclass(frozen=True)
class AnalysisResult:
    bands: pd.DataFrame  # index firm_id: nominal_rank, rank_median, rank_low, rank_high, ...
    sensitivity: dict[str, dict[str, float | None]]  # choice -> first_order, total
    params: dict[str, Any]
    timings: dict[str, float]


def analysis_input(
    *, figures: pd.DataFrame, firms: pd.DataFrame, year: int, spec: dict[str, Any]
) -> EngineInput:
    """The eligible firms' indicator table, metadata and method, as the run built them."""
    raw = indicators_compute(figures=figures, year=year)
    current = figures[figures["year"] == year].set_index("firm_id").reindex(raw.index)
    eligible, _ = eligibility(current=current, spec=spec)
    info = firms.reindex(raw.index)
    codes = spec_indicators(spec)
    pool = raw.index[eligible.to_numpy()]
    data = raw.loc[pool, codes].copy()
    data["division"] = info.loc[pool, "division"].astype(object)
    data["province"] = info.loc[pool, "province_id"].astype(object)
    data.insert(0, "uCode", pool.astype(str))
    return EngineInput(data=data, meta=engine_meta(spec), method=engine_method(spec), firm_ids=pool)


def analysis_settings(
    *, spec: dict[str, Any], overrides: dict[str, Any] | None = None
) -> AnalysisSettings:
    """The spec's uncertainty settings (defaults when absent), `overrides` on top."""
    merged = spec_uncertainty(
        {**spec, "uncertainty": {**(spec.get("uncertainty") or {}), **(overrides or {})}}
    )
    top_n = int(spec.get("top_n", 100))
    engine_keys = {k: v for k, v in merged.items() if k != "sensitivity_samples"}
    uncertainty = UncertaintySpec.from_dict({**engine_keys, "top_k": top_n})
    return AnalysisSettings(
        uncertainty=uncertainty,
        samples=int(merged["sensitivity_samples"]),
        params={**merged, "top_n": top_n},
    )


def analysis_compute(*, engine_input: EngineInput, settings: AnalysisSettings) -> AnalysisResult:
    """Rank bands for every eligible firm, and the sensitivity index of every choice."""
    timings: dict[str, float] = {}
    ids = engine_input.firm_ids
    params = {**settings.params, "firms": len(ids)}
    if len(ids) == 0:
        empty = pd.DataFrame(
            columns=["nominal_rank", "rank_median", "rank_low", "rank_high", "top_probability"]
        )
        return AnalysisResult(bands=empty, sensitivity={}, params=params, timings=timings)

    t = time.perf_counter()
    result = run_uncertainty(
        data=engine_input.data,
        meta=engine_input.meta,
        method=engine_input.method,
        spec=settings.uncertainty,
    )
    timings["uncertainty"] = time.perf_counter() - t
    bands = _bands(result.summary, ids)

    t = time.perf_counter()
    sensitivity, runs = _sensitivity(engine_input, settings)
    timings["sensitivity"] = time.perf_counter() - t
    params["sensitivity_runs"] = runs
    return AnalysisResult(bands=bands, sensitivity=sensitivity, params=params, timings=timings)


def _bands(summary: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    """The engine's summary (indexed by uCode, in input order) re-indexed by firm id.

    The band is widened to whole ranks outward (floor of the 5 % rank, ceiling of the
    95 % rank), so it never claims more precision than the replications give.
    """
    s = summary.reset_index(drop=True)
    p05 = s["rank_p05"].to_numpy(dtype=np.float64)
    p95 = s["rank_p95"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        low = np.floor(p05 + 1e-9)
        high = np.ceil(p95 - 1e-9)
    return pd.DataFrame(
        {
            "nominal_rank": s["nominal_rank"].astype("Int64").to_numpy(),
            "rank_median": s["median_rank"].to_numpy(dtype=np.float64),
            "rank_low": pd.array(low, dtype="Int64"),
            "rank_high": pd.array(high, dtype="Int64"),
            "top_probability": s["p_top_k"].to_numpy(dtype=np.float64),
        },
        index=pd.Index(ids, name="firm_id"),
    )


def _sensitivity(
    engine_input: EngineInput, settings: AnalysisSettings
) -> tuple[dict[str, dict[str, float | None]], int]:
    try:
        result = run_sensitivity(
            data=engine_input.data,
            meta=engine_input.meta,
            method=engine_input.method,
            spec=settings.uncertainty,
            samples=settings.samples,
        )
    except EngineError as exc:
        if "no uncertain choice" in str(exc):
            # Nothing is uncertain (a fixed methodology): there is nothing to apportion.
            return {}, 0
        raise
    out = {
        choice: {"first_order": _finite(row["first_order"]), "total": _finite(row["total"])}
        for choice, row in result.indices.iterrows()
    }
    return out, result.runs


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
