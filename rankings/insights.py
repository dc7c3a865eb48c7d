"""What a firm's scores say about it. Pure Python/pandas: no Django, no database.

Inputs are a methodology spec (dict), a firm's pillar and indicator dicts as stored on
FirmScore, and peer tables (pandas, indexed by firm_id); outputs are frozen dataclasses
that templates phrase in plain words. Shared by the firm profile and the firm's own page:

* `indicator_rows`: each indicator raw and normalised, with the run's outlier treatment
  and whether the value was imputed;
* `peer_percentile`, `pillar_medians`, `pillar_standing`: where the firm stands among
  its peers, pillar by pillar;
* `top_gap`: how far one pillar alone must rise to reach the top-N threshold;
* `pillar_findings`: the concrete indicators behind a weak pillar;
* `ineligibility`: why a firm is outside the SME band.

The indicator helpers live in `rankings.insights_indicators` and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from rankings.insights_indicators import (
    INDICATOR_KINDS,
    IndicatorFinding,
    IndicatorRow,
    as_number,
    indicator_rows,
    indicator_shown,
    pillar_findings,
)
from rankings.methodology import PILLARS

__all__ = [
    "INDICATOR_KINDS",
    "IndicatorFinding",
    "IndicatorRow",
    "Ineligibility",
    "Percentile",
    "PillarGap",
    "PillarPoint",
    "PillarStanding",
    "TopGap",
    "indicator_rows",
    "indicator_shown",
    "ineligibility",
    "peer_percentile",
    "pillar_findings",
    "pillar_medians",
    "pillar_points",
    "pillar_standing",
    "spec_aggregation",
    "spec_ceiling",
    "spec_pillar_weights",
    "top_gap",
]

# --- the methodology spec ------------------------------------------------------------


def spec_pillar_weights(spec: Mapping[str, Any]) -> dict[str, float]:
    """Pillar weights as the engine uses them (`engine.weights` overrides the pillar's)."""
    overrides = (spec.get("engine") or {}).get("weights") or {}
    return {p["code"]: float(overrides.get(p["code"], p.get("weight", 1))) for p in spec["pillars"]}


def spec_aggregation(spec: Mapping[str, Any]) -> str:
    return ((spec.get("engine") or {}).get("aggregate") or {}).get("method", "arithmetic")


def spec_ceiling(spec: Mapping[str, Any]) -> float:
    """The best possible pillar score: the top of the normalisation range (100 by default)."""
    normalise = (spec.get("engine") or {}).get("normalise") or {}
    bounds = normalise.get("range")
    return float(bounds[1]) if isinstance(bounds, list | tuple) and len(bounds) == 2 else 100.0


# --- peers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Percentile:
    group: str  # "sector" | "province" | "cluster"
    name_fa: str  # the sector, province or cluster
    name_en: str
    peers: int  # eligible peers, the firm itself excluded
    below: int  # peers with a strictly lower score (0 when withheld)
    percent: float | None  # share of peers below, 0-100; None without peers or withheld
    withheld: bool = False  # the group is too small for this user to see where it stands


def peer_percentile(
    *,
    group: str,
    name_fa: str,
    name_en: str,
    firm_id: int,
    score: float,
    peer_scores: pd.Series,
    withheld: bool = False,
) -> Percentile:
    """Share of the group's eligible firms (indexed by firm_id) scoring below `score`.

    `withheld`: the caller may not show this group's statistics (a small group, see
    `rankings.selectors_firm`); the peers are counted but nothing is compared. Without
    peers there is nothing to withhold, and the result says so (`withheld` False).
    """
    others = peer_scores.drop(index=firm_id, errors="ignore").dropna()
    peers = len(others)
    if withheld and peers:
        return Percentile(
            group=group,
            name_fa=name_fa,
            name_en=name_en,
            peers=peers,
            below=0,
            percent=None,
            withheld=True,
        )
    below = int((others < score).sum())
    return Percentile(
        group=group,
        name_fa=name_fa,
        name_en=name_en,
        peers=peers,
        below=below,
        percent=100.0 * below / peers if peers else None,
    )


def pillar_medians(*, peers: pd.DataFrame, pillars: Sequence[str]) -> dict[str, float | None]:
    """The median of each pillar over `peers` (one column per pillar)."""
    out: dict[str, float | None] = {}
    for code in pillars:
        if code not in peers.columns:
            out[code] = None
            continue
        values = pd.to_numeric(peers[code], errors="coerce").dropna()
        out[code] = float(values.median()) if len(values) else None
    return out


@dataclass(frozen=True)
class PillarPoint:
    code: str
    label_fa: str
    label_en: str
    score: float | None
    national: float | None = None
    sector: float | None = None
    province: float | None = None

    @property
    def gap_national(self) -> float | None:
        return None if self.score is None or self.national is None else self.score - self.national

    @property
    def gap_sector(self) -> float | None:
        return None if self.score is None or self.sector is None else self.score - self.sector

    @property
    def distance_national(self) -> float | None:
        return None if self.gap_national is None else abs(self.gap_national)

    @property
    def distance_sector(self) -> float | None:
        return None if self.gap_sector is None else abs(self.gap_sector)


def pillar_points(
    *,
    spec: Mapping[str, Any],
    pillars: Mapping[str, Any],
    national: Mapping[str, float | None] | None = None,
    sector: Mapping[str, float | None] | None = None,
    province: Mapping[str, float | None] | None = None,
) -> list[PillarPoint]:
    """The firm's pillar scores beside its peers' medians, in the spec's pillar order."""
    points = []
    for p in spec["pillars"]:
        code = p["code"]
        en, fa = PILLARS.get(code, (code, code))
        points.append(
            PillarPoint(
                code=code,
                label_fa=fa,
                label_en=en,
                score=as_number(pillars.get(code)),
                national=(national or {}).get(code),
                sector=(sector or {}).get(code),
                province=(province or {}).get(code),
            )
        )
    return points


@dataclass(frozen=True)
class PillarStanding:
    strengths: list[PillarPoint]  # strongest first
    weaknesses: list[PillarPoint]  # weakest first


def _standing_key(point: PillarPoint) -> float:
    # The mean distance to the national and the sector median, whichever exist.
    gaps = [g for g in (point.gap_national, point.gap_sector) if g is not None]
    return sum(gaps) / len(gaps) if gaps else 0.0


def pillar_standing(*, points: Sequence[PillarPoint], count: int = 2) -> PillarStanding:
    """The `count` pillars furthest above the peer medians, and the `count` furthest below.

    With fewer than 2 * count pillars each side gets half, so no pillar is both.
    """
    scored = sorted((p for p in points if p.score is not None), key=_standing_key, reverse=True)
    k = min(count, len(scored) // 2)
    if k == 0:
        return PillarStanding(strengths=[], weaknesses=[])
    return PillarStanding(strengths=scored[:k], weaknesses=scored[::-1][:k])


# --- the gap to the top-N ----------------------------------------------------------


@dataclass(frozen=True)
class PillarGap:
    code: str
    label_fa: str
    label_en: str
    current: float
    target: float | None  # the pillar score that alone reaches the threshold
    possible: bool  # reachable without passing the best possible score

    @property
    def current_shown(self) -> float:
        return round(self.current, 1)

    @property
    def target_shown(self) -> float | None:
        # Rounded up, so the figure shown is never short of what is needed.
        return None if self.target is None else math.ceil(self.target * 10 - 1e-9) / 10

    @property
    def increase_shown(self) -> float | None:
        t = self.target_shown
        return None if t is None else round(t - self.current_shown, 1)


@dataclass(frozen=True)
class TopGap:
    top_n: int
    threshold: float | None  # the score of the firm ranked top_n (None: nobody ranked)
    score: float
    in_top: bool
    supported: bool  # False for aggregations this arithmetic cannot invert (harmonic)
    ceiling: float
    gaps: list[PillarGap] = field(default_factory=list)  # easiest first, impossible last

    @property
    def margin(self) -> float | None:
        return None if self.threshold is None else self.score - self.threshold


def _pillar_target(
    *, aggregation: str, current: float, score: float, threshold: float, share: float
) -> float | None:
    """The pillar value that moves the index from `score` to `threshold`, others fixed.

    `share` is Σw / w_p. Arithmetic: index = Σ w·P / Σw, so ΔP = (T - score) · Σw / w_p.
    Geometric: index = Π P^(w/Σw), so P' = P · (T / score)^(Σw / w_p).
    """
    if aggregation == "arithmetic":
        return current + (threshold - score) * share
    if aggregation == "geometric":
        if current <= 0 or score <= 0:
            return None
        return current * (threshold / score) ** share
    return None


def top_gap(
    *,
    score: float,
    rank: int | None,
    pillars: Mapping[str, Any],
    weights: Mapping[str, float],
    threshold: float | None,
    top_n: int,
    aggregation: str = "arithmetic",
    ceiling: float = 100.0,
    labels: Mapping[str, tuple[str, str]] = PILLARS,
) -> TopGap:
    """Per pillar, the single-pillar rise that would bring `score` up to `threshold`."""
    in_top = threshold is None or (rank is not None and rank <= top_n) or score >= threshold
    supported = aggregation in ("arithmetic", "geometric")
    result = TopGap(
        top_n=top_n,
        threshold=threshold,
        score=score,
        in_top=in_top,
        supported=supported,
        ceiling=ceiling,
    )
    if in_top or not supported:
        return result
    present = {c: as_number(v) for c, v in pillars.items() if as_number(v) is not None}
    # The engine drops missing pillars and renormalises the weights of the others.
    total = sum(weights.get(c, 0.0) for c in present)
    gaps = []
    for code, current in present.items():
        w = weights.get(code, 0.0)
        target = (
            _pillar_target(
                aggregation=aggregation,
                current=current,
                score=score,
                threshold=threshold,
                share=total / w,
            )
            if w > 0
            else None
        )
        en, fa = labels.get(code, (code, code))
        gaps.append(
            PillarGap(
                code=code,
                label_fa=fa,
                label_en=en,
                current=current,
                target=target,
                possible=target is not None and target <= ceiling + 1e-9,
            )
        )
    gaps.sort(key=lambda g: (not g.possible, (g.target or 0.0) - g.current))
    return replace(result, gaps=gaps)


# --- eligibility ---------------------------------------------------------------------


@dataclass(frozen=True)
class Ineligibility:
    reason: str  # "too_few_employees" | "too_many_employees" | "sales_above_cap" | other
    employees: int | None
    sales: int | None
    employees_min: int
    employees_max: int | None
    sales_max: int | None


def ineligibility(
    *, reason: str, spec: Mapping[str, Any], employees: int | None, sales: int | None
) -> Ineligibility:
    rules = spec.get("eligibility") or {}
    return Ineligibility(
        reason=reason,
        employees=employees,
        sales=sales,
        employees_min=int(rules.get("employees_min") or 0),
        employees_max=rules.get("employees_max"),
        sales_max=rules.get("sales_max"),
    )
