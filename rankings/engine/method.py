"""The methodology of one index run, parsed from METHOD.json with validation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import EngineError

IMPUTE_METHODS = ("none", "mean", "median", "group_mean", "group_median")
TREAT_METHODS = ("none", "winsorise_then_log")
NORMALISE_METHODS = ("minmax", "zscore", "prank", "rank", "dist2max", "goalposts", "none")
AGGREGATE_METHODS = ("arithmetic", "geometric", "harmonic")


def _choice(section: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise EngineError(
            f"unknown {section} method {value!r}; expected one of {', '.join(allowed)}"
        )
    return value


def _number(section: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EngineError(f"{section}.{key} must be a finite number, got {value!r}")
    return float(value)


def _keys(section: str, spec: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(spec) - set(allowed))
    if unknown:
        raise EngineError(f"unknown key(s) in {section}: {', '.join(unknown)}")


def _section(name: str, value: object) -> Mapping[str, Any]:
    if isinstance(value, str):
        return {"method": value}  # shorthand: "impute": "median"
    if not isinstance(value, Mapping):
        raise EngineError(f"'{name}' must be an object with a 'method' key")
    return value


@dataclass(frozen=True)
class ImputeSpec:
    method: str = "none"
    group: str | None = None

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> ImputeSpec:
        _keys("impute", spec, ("method", "group"))
        method = _choice("impute", spec.get("method", "none"), IMPUTE_METHODS)
        group = spec.get("group")
        if group is not None and not isinstance(group, str):
            raise EngineError(f"impute.group must be a column name, got {group!r}")
        if method.startswith("group_") and not group:
            raise EngineError(f"impute method '{method}' needs a 'group' column")
        return cls(method=method, group=group if method.startswith("group_") else None)


@dataclass(frozen=True)
class TreatSpec:
    method: str = "none"
    winmax: int = 5
    skew: float = 2.0
    kurtosis: float = 3.5
    # Indicators never treated: yes/no flags and small ordinal scales, which winsorising
    # would flatten into a constant.
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> TreatSpec:
        _keys("treat", spec, ("method", "winmax", "skew", "kurtosis", "exclude"))
        method = _choice("treat", spec.get("method", "none"), TREAT_METHODS)
        winmax = spec.get("winmax", 5)
        if isinstance(winmax, bool) or not isinstance(winmax, int) or winmax < 0:
            raise EngineError(f"treat.winmax must be a whole number >= 0, got {winmax!r}")
        skew = _number("treat", "skew", spec.get("skew", 2.0))
        kurtosis = _number("treat", "kurtosis", spec.get("kurtosis", 3.5))
        exclude = spec.get("exclude", ())
        if isinstance(exclude, str) or not all(isinstance(c, str) for c in exclude):
            raise EngineError("treat.exclude must be a list of indicator codes")
        return cls(
            method=method, winmax=winmax, skew=skew, kurtosis=kurtosis, exclude=tuple(exclude)
        )


@dataclass(frozen=True)
class NormaliseSpec:
    method: str = "minmax"
    range: tuple[float, float] = (0.0, 100.0)
    mean: float = 0.0
    sd: float = 1.0
    # goalposts: cap scores of units beyond the target at 1 (COINr's dist2targ_cap_max).
    cap: bool = True

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> NormaliseSpec:
        _keys("normalise", spec, ("method", "range", "mean", "sd", "cap"))
        method = _choice("normalise", spec.get("method", "minmax"), NORMALISE_METHODS)
        rng = spec.get("range", (0.0, 100.0))
        if not isinstance(rng, list | tuple) or len(rng) != 2:
            raise EngineError(f"normalise.range must be [lower, upper], got {rng!r}")
        lower = _number("normalise", "range", rng[0])
        upper = _number("normalise", "range", rng[1])
        if not lower < upper:
            raise EngineError(f"normalise.range lower must be below upper, got {list(rng)!r}")
        mean = _number("normalise", "mean", spec.get("mean", 0.0))
        sd = _number("normalise", "sd", spec.get("sd", 1.0))
        if sd <= 0:
            raise EngineError(f"normalise.sd must be > 0, got {sd!r}")
        cap = spec.get("cap", True)
        if not isinstance(cap, bool):
            raise EngineError(f"normalise.cap must be true or false, got {cap!r}")
        return cls(method=method, range=(lower, upper), mean=mean, sd=sd, cap=cap)


@dataclass(frozen=True)
class AggregateSpec:
    method: str = "arithmetic"

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> AggregateSpec:
        _keys("aggregate", spec, ("method",))
        return cls(method=_choice("aggregate", spec.get("method", "arithmetic"), AGGREGATE_METHODS))


@dataclass(frozen=True)
class Method:
    """Every step's choice; the defaults are those of a METHOD.json with missing keys."""

    denominate: bool = False
    impute: ImputeSpec = field(default_factory=ImputeSpec)
    treat: TreatSpec = field(default_factory=TreatSpec)
    normalise: NormaliseSpec = field(default_factory=NormaliseSpec)
    aggregate: AggregateSpec = field(default_factory=AggregateSpec)
    weights: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any] | None) -> Method:
        """Parse a METHOD.json object; raise EngineError on anything unknown or invalid."""
        spec = {} if spec is None else spec
        if not isinstance(spec, Mapping):
            raise EngineError("the method must be a JSON object")
        keys = ("denominate", "impute", "treat", "normalise", "aggregate", "weights")
        _keys("method", spec, keys)
        denominate = spec.get("denominate", False)
        if not isinstance(denominate, bool):
            raise EngineError(f"denominate must be true or false, got {denominate!r}")
        weights = spec.get("weights", {}) or {}
        if not isinstance(weights, Mapping):
            raise EngineError("weights must be an object mapping iCode to weight")
        checked: dict[str, float] = {}
        for code, value in weights.items():
            w = _number("weights", str(code), value)
            if w < 0:
                raise EngineError(f"weights.{code} must be >= 0, got {value!r}")
            checked[str(code)] = w
        return cls(
            denominate=denominate,
            impute=ImputeSpec.from_dict(_section("impute", spec.get("impute", {}))),
            treat=TreatSpec.from_dict(_section("treat", spec.get("treat", {}))),
            normalise=NormaliseSpec.from_dict(_section("normalise", spec.get("normalise", {}))),
            aggregate=AggregateSpec.from_dict(_section("aggregate", spec.get("aggregate", {}))),
            weights=checked,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form; `Method.from_dict(m.to_dict()) == m`."""
        return {
            "denominate": self.denominate,
            "impute": {"method": self.impute.method, "group": self.impute.group},
            "treat": {
                "method": self.treat.method,
                "winmax": self.treat.winmax,
                "skew": self.treat.skew,
                "kurtosis": self.treat.kurtosis,
                "exclude": list(self.treat.exclude),
            },
            "normalise": {
                "method": self.normalise.method,
                "range": list(self.normalise.range),
                "mean": self.normalise.mean,
                "sd": self.normalise.sd,
                "cap": self.normalise.cap,
            },
            "aggregate": {"method": self.aggregate.method},
            "weights": dict(self.weights),
        }
