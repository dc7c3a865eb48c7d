"""The whole index: denominate, impute, treat, normalise, aggregate, rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .aggregate import aggregate_into, plan_levels
from .denominate import denominate
from .impute import impute
from .inputs import prepare
from .meta import Framework, parse_meta
from .method import Method
from .normalise import normalise
from .rank import min_rank, sort_order
from .treat import treat


@dataclass(frozen=True)
class IndexResult:
    """Every stage of one index run, each a DataFrame indexed by uCode."""

    method: Method
    framework: Framework
    units: pd.DataFrame  # uName (if given) and group columns
    raw: pd.DataFrame
    denominated: pd.DataFrame
    imputed: pd.DataFrame
    treated: pd.DataFrame
    normalised: pd.DataFrame
    aggregated: pd.DataFrame  # normalised indicators, then every aggregate, level by level
    imputed_cells: pd.DataFrame  # True where a missing value was filled
    treated_cells: pd.DataFrame  # True where treatment changed a value
    treatment: pd.DataFrame  # one row per indicator: action, points_changed, skew/kurtosis
    scores: pd.Series  # the top aggregate
    ranks: pd.DataFrame  # Rank, then Rank_<group> for every group column

    def output(self) -> pd.DataFrame:
        """The OUT.csv table: uCode, every aggregate (level by level), Rank."""
        out = self.aggregated[list(self.framework.aggregates)].copy()
        out["Rank"] = self.ranks["Rank"]
        return out.reset_index()


def _frame(values: np.ndarray, index: pd.Index, columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(values, index=index, columns=list(columns), copy=False)


def rank_table(scores: np.ndarray, index: pd.Index, groups: dict[str, np.ndarray]) -> pd.DataFrame:
    """Overall rank (highest first, ties share the lowest number) and ranks within groups."""
    order = sort_order(scores, descending=True)
    ranks = pd.DataFrame(index=index)
    ranks["Rank"] = pd.array(min_rank(scores, descending=True, order=order), dtype="Int64")
    for name, codes in groups.items():
        r = min_rank(scores, descending=True, groups=codes, order=order)
        ranks[f"Rank_{name}"] = pd.array(r, dtype="Int64")
    return ranks


def build_index(*, data: pd.DataFrame, meta: pd.DataFrame, method: Method) -> IndexResult:
    """Run the full pipeline; raise EngineError (a ValueError) for any invalid input."""
    fw = parse_meta(meta).with_weights(dict(method.weights))
    inputs = prepare(data, fw, method)
    index = inputs.units.index
    codes = fw.indicators

    raw = inputs.values
    if method.denominate:
        den = denominate(
            values=raw,
            indicators=codes,
            denominator_of=fw.denominator,
            denominators=inputs.denominators,
        )
    else:
        den = raw
    groups = inputs.groups.get(method.impute.group) if method.impute.group else None
    imp, filled = impute(values=den, method=method.impute.method, groups=groups)
    trt, report, changed = treat(values=imp, indicators=codes, spec=method.treat)
    directions = np.array([fw.direction[c] for c in codes], dtype=np.float64)
    targets = np.array([fw.target[c] for c in codes], dtype=np.float64)
    # One block holds the normalised indicators and every aggregate; the normalised stage is
    # a view of its left part, which saves a copy of the largest arrays.
    full = np.empty((len(index), len(codes) + len(fw.aggregates)), order="F")
    nrm = normalise(
        values=trt,
        directions=directions,
        spec=method.normalise,
        targets=targets,
        indicators=codes,
        out=full[:, : len(codes)],
    )
    aggregate_into(full, plan_levels(fw), method.aggregate.method, units=index)
    scores = full[:, len(codes) + fw.aggregates.index(fw.root)]
    return IndexResult(
        method=method,
        framework=fw,
        units=inputs.units,
        raw=_frame(raw, index, codes),
        denominated=_frame(den, index, codes),
        imputed=_frame(imp, index, codes),
        treated=_frame(trt, index, codes),
        normalised=_frame(nrm, index, codes),
        aggregated=_frame(full, index, codes + fw.aggregates),
        imputed_cells=_frame(filled, index, codes),
        treated_cells=_frame(changed, index, codes),
        treatment=report,
        scores=pd.Series(scores, index=index, name=fw.root),
        ranks=rank_table(scores, index, {g: inputs.groups[g] for g in fw.groups}),
    )
