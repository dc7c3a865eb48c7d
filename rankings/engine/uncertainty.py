"""Monte Carlo uncertainty analysis of the ranking over uncertain methodology choices.

Each replication draws: every weight times a factor uniform in [1 - d, 1 + d]; a
normalisation from a set; arithmetic or geometric aggregation; a winsorisation limit.
Work shared between replications is cached: the imputed data once, the treated data per
winmax, the normalised data per (winmax, normalisation); a replication only re-aggregates
(a few matrix products) and ranks.

Geometric aggregation needs positive normalised values, so the default normalisation set
is minmax onto [1, 100] and plain ranks (1..n); a set that yields a value <= 0 together
with geometric aggregation is rejected before any replication runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .aggregate import aggregate_into, plan_levels
from .denominate import denominate
from .errors import EngineError
from .impute import impute
from .inputs import prepare
from .meta import Framework, parse_meta
from .method import AGGREGATE_METHODS, Method, NormaliseSpec, TreatSpec
from .normalise import normalise
from .rank import min_rank
from .treat import treat

DEFAULT_NORMALISATIONS = (
    NormaliseSpec(method="minmax", range=(1.0, 100.0)),
    NormaliseSpec(method="rank"),
)


@dataclass(frozen=True)
class UncertaintySpec:
    """The uncertain choices and the size of the Monte Carlo sample."""

    replications: int = 200
    seed: int = 1
    weight_spread: float = 0.25  # d: each weight is multiplied by U(1 - d, 1 + d)
    normalisations: tuple[NormaliseSpec, ...] = DEFAULT_NORMALISATIONS
    aggregations: tuple[str, ...] = ("arithmetic", "geometric")
    winmax: tuple[int, ...] = (1, 2, 3, 4, 5)
    top_k: int = 100

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any] | None) -> UncertaintySpec:
        """Parse a JSON object; unknown keys or values raise EngineError."""
        spec = dict(spec or {})
        allowed = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(spec) - allowed)
        if unknown:
            raise EngineError(f"unknown key(s) in uncertainty: {', '.join(unknown)}")
        out = cls()
        if "normalisations" in spec:
            spec["normalisations"] = tuple(
                NormaliseSpec.from_dict(s if isinstance(s, Mapping) else {"method": s})
                for s in spec["normalisations"]
            )
        for key in ("aggregations", "winmax"):
            if key in spec:
                spec[key] = tuple(spec[key])
        return replace(out, **spec).validated()

    def validated(self) -> UncertaintySpec:
        if not isinstance(self.replications, int) or self.replications < 1:
            raise EngineError(
                f"replications must be a whole number >= 1, got {self.replications!r}"
            )
        if not 0 <= self.weight_spread < 1:
            raise EngineError(f"weight_spread must be in [0, 1), got {self.weight_spread!r}")
        if not self.normalisations or not self.aggregations or not self.winmax:
            raise EngineError("each uncertain choice needs at least one option")
        for agg in self.aggregations:
            if agg not in AGGREGATE_METHODS:
                raise EngineError(
                    f"unknown aggregate method {agg!r}; expected one of "
                    f"{', '.join(AGGREGATE_METHODS)}"
                )
        for w in self.winmax:
            if isinstance(w, bool) or not isinstance(w, int) or w < 0:
                raise EngineError(f"winmax options must be whole numbers >= 0, got {w!r}")
        if not isinstance(self.top_k, int) or self.top_k < 1:
            raise EngineError(f"top_k must be a whole number >= 1, got {self.top_k!r}")
        return self


class Scorer:
    """The pipeline up to imputation, done once; scores for any choice of the uncertain steps."""

    def __init__(self, *, data: pd.DataFrame, meta: pd.DataFrame, method: Method) -> None:
        self.method = method
        self.fw: Framework = parse_meta(meta).with_weights(dict(method.weights))
        inputs = prepare(data, self.fw, method)
        self.index = inputs.units.index
        codes = self.fw.indicators
        values = inputs.values
        if method.denominate:
            values = denominate(
                values=values,
                indicators=codes,
                denominator_of=self.fw.denominator,
                denominators=inputs.denominators,
            )
        groups = inputs.groups.get(method.impute.group) if method.impute.group else None
        self.imputed, _ = impute(values=values, method=method.impute.method, groups=groups)
        self.directions = np.array([self.fw.direction[c] for c in codes], dtype=np.float64)
        self.targets = np.array([self.fw.target[c] for c in codes], dtype=np.float64)
        self.weighted = [c for c in self.fw.indicators + self.fw.aggregates if c in self.fw.parent]
        self.base_weights = np.array([self.fw.weight[c] for c in self.weighted])
        self._treated: dict[int | None, np.ndarray] = {}
        self._blocks: dict[tuple[int | None, NormaliseSpec], np.ndarray] = {}
        self._logs: dict[tuple[int | None, NormaliseSpec], np.ndarray | None] = {}
        self.root_col = len(codes) + self.fw.aggregates.index(self.fw.root)

    def treated(self, winmax: int | None) -> np.ndarray:
        """Treated data for a winsorisation limit (None: the method's own treatment)."""
        if winmax not in self._treated:
            spec = self.method.treat if winmax is None else self._treat_spec(winmax)
            self._treated[winmax] = treat(
                values=self.imputed, indicators=self.fw.indicators, spec=spec
            )[0]
        return self._treated[winmax]

    def _treat_spec(self, winmax: int) -> TreatSpec:
        if self.method.treat.method == "none":
            return self.method.treat
        return replace(self.method.treat, winmax=winmax)

    def block(self, winmax: int | None, norm: NormaliseSpec) -> np.ndarray:
        """Units x (indicators + aggregates), normalised columns filled; cached."""
        key = (winmax, norm)
        if key not in self._blocks:
            p = len(self.fw.indicators)
            full = np.empty((len(self.index), p + len(self.fw.aggregates)), order="F")
            normalise(
                values=self.treated(winmax),
                directions=self.directions,
                spec=norm,
                targets=self.targets,
                indicators=self.fw.indicators,
                out=full[:, :p],
            )
            self._blocks[key] = full
        return self._blocks[key]

    def check_positive(self, winmax: int | None, norm: NormaliseSpec) -> None:
        lowest = np.nanmin(self.block(winmax, norm)[:, : len(self.fw.indicators)])
        if lowest <= 0:
            raise EngineError(
                f"geometric aggregation needs positive normalised values, but normalisation "
                f"'{norm.method}' gives {lowest:g}; use e.g. minmax with range [1, 100]"
            )

    def scores(
        self,
        *,
        factors: np.ndarray | None,
        norm: NormaliseSpec,
        aggregation: str,
        winmax: int | None,
    ) -> np.ndarray:
        """Top-aggregate scores with weights multiplied by `factors` (None: unperturbed)."""
        weights = dict(self.fw.weight)
        if factors is not None:
            weights.update(zip(self.weighted, self.base_weights * factors, strict=True))
        full = self.block(winmax, norm)
        plans = plan_levels(self.fw, weights)
        logs = self._log_block(winmax, norm) if aggregation == "geometric" else None
        if logs is not None:
            # Complete positive data: the first level's logs are cached, so a geometric
            # replication costs one matrix product like an arithmetic one.
            first = plans[0]
            with np.errstate(divide="ignore", invalid="ignore"):
                level = (logs @ first.weights_full) / first.weights.sum(axis=0)
            full[:, first.parent_cols] = np.exp(level)
            plans = plans[1:]
        aggregate_into(full, plans, aggregation, units=self.index)
        return full[:, self.root_col].copy()

    def _log_block(self, winmax: int | None, norm: NormaliseSpec) -> np.ndarray | None:
        key = (winmax, norm)
        if key not in self._logs:
            values = self.block(winmax, norm)[:, : len(self.fw.indicators)]
            complete = not np.isnan(values.sum()) and values.min() > 0
            self._logs[key] = np.log(values) if complete else None
        return self._logs[key]

    def nominal_scores(self) -> np.ndarray:
        return self.scores(
            factors=None,
            norm=self.method.normalise,
            aggregation=self.method.aggregate.method,
            winmax=None,
        )


@dataclass(frozen=True)
class UncertaintyResult:
    """Per unit: nominal rank, median and 5/95 percent ranks, probability of the top K."""

    summary: pd.DataFrame  # index uCode
    replications: pd.DataFrame  # the choices drawn for each replication
    spec: UncertaintySpec
    ranks: np.ndarray | None = field(default=None, repr=False)  # units x replications


def row_quantiles(x: np.ndarray, probs: Sequence[float]) -> list[np.ndarray]:
    """Quantiles of each row over its non-missing values (R's default, type 7), vectorised."""
    s = np.sort(x, axis=1)  # NaN sorts last
    m = (~np.isnan(s)).sum(axis=1)
    rows = np.arange(s.shape[0])
    out = []
    for q in probs:
        h = (np.maximum(m, 1) - 1) * q
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(m - 1, 0))
        a = s[rows, lo].astype(np.float64)
        b = s[rows, hi].astype(np.float64)
        val = a + (h - lo) * (b - a)
        val[m == 0] = np.nan
        out.append(val)
    return out


def rank_descending(scores: np.ndarray) -> np.ndarray:
    return min_rank(scores, descending=True)


def run_uncertainty(
    *,
    data: pd.DataFrame,
    meta: pd.DataFrame,
    method: Method,
    spec: UncertaintySpec | None = None,
    keep_ranks: bool = False,
) -> UncertaintyResult:
    """Monte Carlo over the choices in `spec` around the nominal `method` (seeded)."""
    spec = (spec or UncertaintySpec()).validated()
    scorer = Scorer(data=data, meta=meta, method=method)
    winmaxes: Sequence[int | None] = spec.winmax if method.treat.method != "none" else (None,)
    if "geometric" in spec.aggregations:
        for w in winmaxes:
            for norm in spec.normalisations:
                scorer.check_positive(w, norm)

    rng = np.random.default_rng(spec.seed)
    n_rep = spec.replications
    d = spec.weight_spread
    factors = rng.uniform(1 - d, 1 + d, size=(n_rep, len(scorer.weighted)))
    norm_idx = rng.integers(0, len(spec.normalisations), n_rep)
    agg_idx = rng.integers(0, len(spec.aggregations), n_rep)
    win_idx = rng.integers(0, len(winmaxes), n_rep)

    nominal = rank_descending(scorer.nominal_scores())
    n_units = len(scorer.index)
    ranks = np.empty((n_units, n_rep), dtype=np.float32)  # exact for ranks below 2^24
    top = np.zeros(n_units, dtype=np.int64)
    for r in range(n_rep):
        s = scorer.scores(
            factors=factors[r] if d > 0 else None,
            norm=spec.normalisations[norm_idx[r]],
            aggregation=spec.aggregations[agg_idx[r]],
            winmax=winmaxes[win_idx[r]],
        )
        rr = rank_descending(s)
        ranks[:, r] = rr
        top += rr <= spec.top_k

    q05, q50, q95 = row_quantiles(ranks, (0.05, 0.5, 0.95))
    ranked = (~np.isnan(ranks)).sum(axis=1)
    summary = pd.DataFrame(
        {
            "nominal_rank": pd.array(nominal, dtype="Int64"),
            "median_rank": q50.astype(np.float64),
            "rank_p05": q05.astype(np.float64),
            "rank_p95": q95.astype(np.float64),
            "p_top_k": np.where(ranked > 0, top / np.maximum(ranked, 1), np.nan),
        },
        index=scorer.index,
    )
    replications = pd.DataFrame(
        {
            "normalise": [spec.normalisations[i].method for i in norm_idx],
            "aggregate": [spec.aggregations[i] for i in agg_idx],
            "winmax": [winmaxes[i] for i in win_idx],
        }
    )
    return UncertaintyResult(
        summary=summary, replications=replications, spec=spec, ranks=ranks if keep_ranks else None
    )
