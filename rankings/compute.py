"""One year's ranking from firm figures: indicators, eligibility, the index, ranks.

Pure pandas/numpy (no Django), shared by the worker and the methodology preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rankings.engine import build_index
from rankings.engine.rank import min_rank, sort_order
from rankings.indicators import indicators_compute
from rankings.methodology import engine_meta, engine_method, spec_indicators, spec_pillars

FIRM_COLUMNS = ["park_id", "province_id", "isic", "division"]


@dataclass(frozen=True)
class YearRanking:
    """The scores table (indexed by firm_id) and the engine's treatment report."""

    scores: pd.DataFrame
    raw: pd.DataFrame  # indicators as computed from the figures
    normalised: pd.DataFrame  # indicators after impute, treat and normalise
    pillars: list[str]
    indicators: list[str]
    treatment: pd.DataFrame
    eligible_count: int

    def top(self, n: int) -> pd.DataFrame:
        ranked = self.scores[self.scores["rank"].notna()]
        return ranked.sort_values(["rank", "score"], ascending=[True, False]).head(n)


def eligibility(*, current: pd.DataFrame, spec: dict[str, Any]) -> tuple[pd.Series, pd.Series]:
    """Which firms fall in the SME band, and the reason code for the others."""
    rules = spec.get("eligibility", {})
    employees = current["employees"].astype("float64")
    sales = current["sales"].astype("float64")
    reason = pd.Series("", index=current.index, dtype=object)
    reason[employees < rules.get("employees_min", 0)] = "too_few_employees"
    if rules.get("employees_max") is not None:
        reason[employees > rules["employees_max"]] = "too_many_employees"
    if rules.get("sales_max") is not None:
        reason[(reason == "") & (sales > rules["sales_max"])] = "sales_above_cap"
    return reason == "", reason


def _group_rank(scores: np.ndarray, labels: pd.Series, order: np.ndarray) -> np.ndarray:
    codes, _ = pd.factorize(labels, use_na_sentinel=True)
    return min_rank(scores, descending=True, groups=codes, order=order)


def year_ranking_compute(
    *, figures: pd.DataFrame, firms: pd.DataFrame, year: int, spec: dict[str, Any]
) -> YearRanking:
    """Rank every eligible firm with figures for `year`.

    `figures`: firm_id, year, the FirmYear figures, knowledge_based (this year and the
    previous one). `firms`: indexed by firm_id with park_id, province_id, isic, division.
    The index is built over the eligible firms only: they are the population ranked, so
    the normalisation ranges are theirs.
    """
    raw = indicators_compute(figures=figures, year=year)
    current = figures[figures["year"] == year].set_index("firm_id").reindex(raw.index)
    eligible, reason = eligibility(current=current, spec=spec)
    info = firms.reindex(raw.index)
    codes, pillars = spec_indicators(spec), spec_pillars(spec)

    scores = pd.DataFrame(index=raw.index)
    scores["eligible"] = eligible
    scores["ineligible_reason"] = reason
    for column in ["score", "rank", "rank_province", "rank_park", "rank_sector", *pillars]:
        scores[column] = np.nan
    normalised = pd.DataFrame(np.nan, index=raw.index, columns=codes)
    treatment = pd.DataFrame()

    pool = raw.index[eligible.to_numpy()]
    if len(pool):
        data = raw.loc[pool, codes].copy()
        data["division"] = info.loc[pool, "division"].astype(object)
        data["province"] = info.loc[pool, "province_id"].astype(object)
        data.insert(0, "uCode", pool.astype(str))
        result = build_index(data=data, meta=engine_meta(spec), method=engine_method(spec))
        positions = scores.index.get_indexer(pool)
        scores.iloc[positions, scores.columns.get_loc("score")] = result.scores.to_numpy()
        for pillar in pillars:
            scores.iloc[positions, scores.columns.get_loc(pillar)] = result.aggregated[
                pillar
            ].to_numpy()
        normalised.iloc[positions] = result.normalised[codes].to_numpy()
        treatment = result.treatment.reset_index(drop=True)

    values = scores["score"].to_numpy(dtype=np.float64)
    order = sort_order(values, descending=True)
    scores["rank"] = min_rank(values, descending=True, order=order)
    scores["rank_province"] = _group_rank(values, info["province_id"], order)
    scores["rank_park"] = _group_rank(values, info["park_id"], order)
    scores["rank_sector"] = _group_rank(values, info["division"], order)
    return YearRanking(
        scores=scores,
        raw=raw[codes],
        normalised=normalised,
        pillars=pillars,
        indicators=codes,
        treatment=treatment,
        eligible_count=int(eligible.sum()),
    )
