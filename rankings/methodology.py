"""The SME methodology spec: pillars, indicators, engine steps, eligibility. Pure Python.

A spec is a JSON-able dict stored on `Methodology.spec`. `spec_validate` checks it and
`engine_inputs` turns it into the engine's metadata table and method.
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from rankings.engine.method import Method
from rankings.indicators import INDICATORS

PILLARS: dict[str, tuple[str, str]] = {
    "competitiveness": ("Competitiveness", "رقابت‌پذیری"),
    "exports": ("Export orientation", "صادرات‌محوری"),
    "innovation": ("Innovation and technology", "نوآوری و فناوری"),
    "standards": ("Standards and quality", "استاندارد و کیفیت"),
    "finance": ("Financial health", "سلامت مالی"),
}

DEFAULT_SPEC: dict[str, Any] = {
    "pillars": [
        {
            "code": "competitiveness",
            "weight": 1,
            "indicators": [
                {"code": "sales_log", "weight": 1},
                {"code": "sales_growth", "weight": 1},
                {"code": "employment_growth", "weight": 1},
                {"code": "sales_per_employee", "weight": 1},
                {"code": "profit_margin", "weight": 1},
            ],
        },
        {
            "code": "exports",
            "weight": 1,
            "indicators": [
                {"code": "export_share", "weight": 1},
                {"code": "export_growth", "weight": 1},
                {"code": "export_markets", "weight": 1},
            ],
        },
        {
            "code": "innovation",
            "weight": 1,
            "indicators": [
                {"code": "rd_intensity", "weight": 1},
                {"code": "new_products", "weight": 1},
                {"code": "tech_level", "weight": 1},
                {"code": "knowledge_based", "weight": 1},
            ],
        },
        {
            "code": "standards",
            "weight": 1,
            "indicators": [
                {"code": "certifications", "weight": 1},
                {"code": "national_standard", "weight": 1},
            ],
        },
        {
            "code": "finance",
            "weight": 1,
            "indicators": [
                {"code": "debt_ratio", "weight": 1},
                {"code": "return_on_assets", "weight": 1},
            ],
        },
    ],
    "engine": {
        "impute": {"method": "group_median", "group": "division"},
        "treat": {"method": "winsorise_then_log", "winmax": 5, "skew": 2, "kurtosis": 3.5},
        "normalise": {"method": "minmax", "range": [0, 100]},
        "aggregate": {"method": "arithmetic"},
    },
    "eligibility": {"employees_min": 10, "employees_max": 150, "sales_max": None},
    "top_n": 100,
}


class SpecError(ValueError):
    """A methodology spec that cannot be used; the message names the problem."""


def spec_default() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_SPEC)


def spec_validate(spec: dict[str, Any]) -> dict[str, Any]:
    """Check a spec and return it; raise SpecError with one clear line otherwise."""
    pillars = spec.get("pillars")
    if not isinstance(pillars, list) or not pillars:
        raise SpecError("the methodology needs at least one pillar")
    seen: set[str] = set()
    for pillar in pillars:
        code = pillar.get("code")
        if code not in PILLARS:
            raise SpecError(f"unknown pillar {code!r}; expected one of {', '.join(PILLARS)}")
        _weight(pillar.get("weight", 1), f"pillar {code}")
        indicators = pillar.get("indicators") or []
        if not indicators:
            raise SpecError(f"pillar {code} has no indicators")
        for ind in indicators:
            icode = ind.get("code")
            if icode not in INDICATORS:
                raise SpecError(f"unknown indicator {icode!r} in pillar {code}")
            if icode in seen:
                raise SpecError(f"indicator {icode} appears in more than one pillar")
            seen.add(icode)
            _weight(ind.get("weight", 1), f"indicator {icode}")
            if ind.get("direction", INDICATORS[icode][2]) not in (1, -1):
                raise SpecError(f"indicator {icode}: direction must be 1 or -1")
    try:
        Method.from_dict(spec.get("engine", {}))
    except ValueError as exc:
        raise SpecError(f"engine: {exc}") from None
    elig = spec.get("eligibility", {})
    low, high = elig.get("employees_min", 0), elig.get("employees_max")
    if (
        not isinstance(low, int)
        or low < 0
        or (high is not None and (not isinstance(high, int) or high < low))
    ):
        raise SpecError("eligibility: the employee band must be whole numbers with min <= max")
    cap = elig.get("sales_max")
    if cap is not None and (not isinstance(cap, int) or cap <= 0):
        raise SpecError("eligibility: the sales cap must be a positive whole number or empty")
    top_n = spec.get("top_n", 100)
    if not isinstance(top_n, int) or top_n < 1:
        raise SpecError("top_n must be a positive whole number")
    return spec


def _weight(value: object, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SpecError(f"{where}: the weight must be a number >= 0")


def engine_meta(spec: dict[str, Any]) -> pd.DataFrame:
    """The COINr-style metadata table: indicators (level 1), pillars (2), the index (3)."""
    rows: list[dict[str, Any]] = []
    for pillar in spec["pillars"]:
        for ind in pillar["indicators"]:
            code = ind["code"]
            rows.append(
                {
                    "iCode": code,
                    "iName": INDICATORS[code][0],
                    "Level": 1,
                    "Parent": pillar["code"],
                    "Direction": ind.get("direction", INDICATORS[code][2]),
                    "Weight": float(ind.get("weight", 1)),
                    "Type": "Indicator",
                }
            )
        rows.append(
            {
                "iCode": pillar["code"],
                "iName": PILLARS[pillar["code"]][0],
                "Level": 2,
                "Parent": "index",
                "Direction": 1,
                "Weight": float(pillar.get("weight", 1)),
                "Type": "Aggregate",
            }
        )
    rows.append(
        {
            "iCode": "index",
            "iName": "SME index",
            "Level": 3,
            "Parent": None,
            "Direction": 1,
            "Weight": 1.0,
            "Type": "Aggregate",
        }
    )
    groups = ["division", "province"]
    rows += [
        {
            "iCode": g,
            "iName": g,
            "Level": None,
            "Parent": None,
            "Direction": None,
            "Weight": None,
            "Type": "Group",
        }
        for g in groups
    ]
    return pd.DataFrame(rows)


def engine_method(spec: dict[str, Any]) -> Method:
    return Method.from_dict(spec.get("engine", {}))


def spec_pillars(spec: dict[str, Any]) -> list[str]:
    return [p["code"] for p in spec["pillars"]]


def spec_indicators(spec: dict[str, Any]) -> list[str]:
    return [i["code"] for p in spec["pillars"] for i in p["indicators"]]
