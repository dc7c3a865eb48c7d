"""The SME methodology spec: pillars, indicators, engine steps, eligibility. Pure Python.

A spec is a JSON-able dict stored on `Methodology.spec`. `spec_validate` checks it and
`engine_inputs` turns it into the engine's metadata table and method.
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from rankings.engine.errors import EngineError
from rankings.engine.method import Method
from rankings.engine.uncertainty import UncertaintySpec
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
        "treat": {
            "method": "winsorise_then_log",
            "winmax": 5,
            "skew": 2,
            "kurtosis": 3.5,
            "exclude": ["knowledge_based", "national_standard", "tech_level"],
        },
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
    if "uncertainty" in spec:
        spec_uncertainty(spec)
    return spec


# The optional "uncertainty" key of a spec: the Monte Carlo over the uncertain choices and
# the sensitivity analysis run by the worker after each run. Absent keys take these values.
UNCERTAINTY_DEFAULTS: dict[str, Any] = {
    "replications": 200,
    "weight_spread": 0.25,
    "normalisations": [{"method": "minmax", "range": [1, 100]}, {"method": "rank"}],
    "aggregations": ["arithmetic", "geometric"],
    "winmax": [1, 2, 3, 4, 5],
    "seed": 1403,
    # N of the sensitivity analysis: N * (k + 2) runs for k uncertain choices.
    "sensitivity_samples": 32,
}
# Bounds that keep one analysis inside the worker's time limit at 100,000 firms.
MAX_REPLICATIONS = 2000
MAX_SENSITIVITY_SAMPLES = 1000


def spec_uncertainty(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec's uncertainty settings over the defaults, checked (SpecError otherwise).

    The engine's `UncertaintySpec` validates the choices; `top_k` is the spec's top_n.
    """
    given = spec.get("uncertainty") or {}
    if not isinstance(given, dict):
        raise SpecError("uncertainty must be an object")
    unknown = sorted(set(given) - set(UNCERTAINTY_DEFAULTS))
    if unknown:
        raise SpecError(f"uncertainty: unknown key(s) {', '.join(unknown)}")
    merged = {**copy.deepcopy(UNCERTAINTY_DEFAULTS), **given}
    reps, samples = merged["replications"], merged["sensitivity_samples"]
    if isinstance(reps, bool) or not isinstance(reps, int) or not 1 <= reps <= MAX_REPLICATIONS:
        raise SpecError(
            f"uncertainty: replications must be a whole number from 1 to {MAX_REPLICATIONS}"
        )
    if (
        isinstance(samples, bool)
        or not isinstance(samples, int)
        or not 2 <= samples <= MAX_SENSITIVITY_SAMPLES
    ):
        raise SpecError(
            "uncertainty: sensitivity_samples must be a whole number from 2 to "
            f"{MAX_SENSITIVITY_SAMPLES}"
        )
    seed = merged["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SpecError("uncertainty: seed must be a whole number >= 0")
    spread = merged["weight_spread"]
    if isinstance(spread, bool) or not isinstance(spread, int | float):
        raise SpecError("uncertainty: weight_spread must be a number in [0, 1)")
    for key in ("normalisations", "aggregations", "winmax"):
        if not isinstance(merged[key], list):
            raise SpecError(f"uncertainty: {key} must be a list")
    engine_keys = {k: v for k, v in merged.items() if k != "sensitivity_samples"}
    try:
        UncertaintySpec.from_dict({**engine_keys, "top_k": spec.get("top_n", 100)})
    except (EngineError, TypeError, AttributeError) as exc:
        raise SpecError(f"uncertainty: {exc}") from None
    return merged


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
