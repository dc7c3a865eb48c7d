"""Reading a firm's indicators: raw values in reading units, and the weak ones in words.

Pure Python (no Django); part of `rankings.insights`, which re-exports what is public.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rankings.indicators import INDICATORS
from rankings.methodology import PILLARS

# How an indicator's raw value reads: ratios as percentages, money in million rials
# (sales_log is log1p(sales), shown back as sales), counts, the 0-5 level, yes/no flags.
_KINDS = {
    "percent": "sales_growth employment_growth profit_margin export_share export_growth "
    "rd_intensity debt_ratio return_on_assets",
    "money": "sales_per_employee",
    "money_log": "sales_log",
    "count": "export_markets new_products certifications",
    "level": "tech_level",
    "flag": "knowledge_based national_standard",
}
INDICATOR_KINDS = {code: kind for kind, codes in _KINDS.items() for code in codes.split()}
# A zero here means "the firm has none of it": no exports, no R&D, no certificate...
ABSENCE_INDICATORS = frozenset(
    {c for c, kind in INDICATOR_KINDS.items() if kind in ("count", "level", "flag")}
    | {"export_share", "rd_intensity"}
)
# A negative value here is a fall or a loss, worth saying as such.
SIGNED_INDICATORS = frozenset(
    {"sales_growth", "employment_growth", "export_growth", "profit_margin", "return_on_assets"}
)
ISSUE_ORDER = ("absent", "negative", "high", "missing", "low")


def as_number(value: object) -> float | None:
    """A finite float, or None for missing values (None, NaN, infinities, non-numbers)."""
    if isinstance(value, bool):
        return float(value)
    if value is None or isinstance(value, str):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# --- the indicator table -------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    pillar: str
    pillar_fa: str
    pillar_en: str
    label_fa: str
    label_en: str
    kind: str
    raw: float | None  # as computed from the figures
    shown: float | None  # raw in reading units: percent, million rials, count
    normalised: float | None
    imputed: bool  # no raw value, but the engine filled one in
    treatment: str  # "none" | "winsorised" | "log"
    points_changed: int


def indicator_shown(code: str, raw: float | None) -> float | None:
    if raw is None:
        return None
    kind = INDICATOR_KINDS.get(code, "number")
    if kind == "percent":
        return raw * 100
    if kind == "money_log":
        return math.expm1(raw)
    return raw


def indicator_rows(
    *,
    spec: Mapping[str, Any],
    raw: Mapping[str, Any],
    normalised: Mapping[str, Any],
    treatment: Sequence[Mapping[str, Any]],
) -> list[IndicatorRow]:
    """One row per indicator of the spec, in pillar order."""
    treated = {t.get("iCode"): t for t in treatment}
    rows = []
    for pillar in spec["pillars"]:
        for ind in pillar["indicators"]:
            code = ind["code"]
            r, n = as_number(raw.get(code)), as_number(normalised.get(code))
            t = treated.get(code) or {}
            en, fa, _direction = INDICATORS.get(code, (code, code, 1))
            rows.append(
                IndicatorRow(
                    code=code,
                    pillar=pillar["code"],
                    pillar_en=PILLARS.get(pillar["code"], ("", ""))[0],
                    pillar_fa=PILLARS.get(pillar["code"], ("", ""))[1],
                    label_fa=fa,
                    label_en=en,
                    kind=INDICATOR_KINDS.get(code, "number"),
                    raw=r,
                    shown=indicator_shown(code, r),
                    normalised=n,
                    imputed=r is None and n is not None,
                    treatment=str(t.get("action") or "none"),
                    points_changed=int(as_number(t.get("points_changed")) or 0),
                )
            )
    return rows


# --- the indicators behind a weak pillar -------------------------------------------


@dataclass(frozen=True)
class IndicatorFinding:
    code: str
    label_fa: str
    label_en: str
    issue: str  # "absent" | "negative" | "high" | "missing" | "low"
    raw: float | None
    shown: float | None
    normalised: float | None


def _issue(code: str, raw: float | None, norm: float | None, midpoint: float) -> str | None:
    if raw is None:
        return "missing"
    if code in ABSENCE_INDICATORS and raw == 0:
        return "absent"
    if code in SIGNED_INDICATORS and raw < 0:
        return "negative"
    if norm is not None and norm < midpoint:
        return "high" if code == "debt_ratio" else "low"
    return None


def pillar_findings(
    *,
    spec: Mapping[str, Any],
    pillar: str,
    raw: Mapping[str, Any],
    normalised: Mapping[str, Any],
    midpoint: float = 50.0,
) -> list[IndicatorFinding]:
    """The indicators that hold `pillar` down: absences first, then losses, then lows."""
    codes = next((p["indicators"] for p in spec["pillars"] if p["code"] == pillar), [])
    findings = []
    for ind in codes:
        code = ind["code"]
        r, n = as_number(raw.get(code)), as_number(normalised.get(code))
        issue = _issue(code, r, n, midpoint)
        if issue is None:
            continue
        en, fa, _direction = INDICATORS.get(code, (code, code, 1))
        findings.append(
            IndicatorFinding(
                code=code,
                label_fa=fa,
                label_en=en,
                issue=issue,
                raw=r,
                shown=indicator_shown(code, r),
                normalised=n,
            )
        )
    findings.sort(key=lambda f: (ISSUE_ORDER.index(f.issue), f.normalised or 0.0))
    return findings
