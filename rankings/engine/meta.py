"""Indicator metadata in COINr's `iMeta` format, parsed into an index framework."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from .errors import EngineError

REQUIRED_COLUMNS = ("iCode", "Level", "Parent", "Direction", "Weight", "Type")
TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")


@dataclass(frozen=True)
class Framework:
    """The validated structure of an index: indicators, aggregates and how they nest."""

    indicators: tuple[str, ...]
    # Aggregate codes per level, lowest level first; the last entry holds only the root.
    aggregate_levels: tuple[tuple[str, ...], ...]
    children: dict[str, tuple[str, ...]]
    parent: dict[str, str]
    level: dict[str, int]
    direction: dict[str, int]
    weight: dict[str, float]
    denominator: dict[str, str | None]
    target: dict[str, float]
    names: dict[str, str]
    groups: tuple[str, ...]
    denominators: tuple[str, ...]
    root: str

    @property
    def aggregates(self) -> tuple[str, ...]:
        return tuple(code for level in self.aggregate_levels for code in level)

    def with_weights(self, overrides: dict[str, float]) -> Framework:
        """Copy with some weights replaced (keys must be indicator or aggregate codes)."""
        weights = dict(self.weight)
        for code, value in overrides.items():
            if code not in self.level:
                raise EngineError(f"weight given for '{code}', which is not an iCode")
            weights[code] = _check_weight(code, value)
        return replace(self, weight=weights)


def _check_weight(code: str, value: object) -> float:
    try:
        w = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise EngineError(f"weight of '{code}' is not a number: {value!r}") from None
    if not math.isfinite(w) or w < 0:
        raise EngineError(f"weight of '{code}' must be a finite number >= 0, got {value!r}")
    return w


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _show(value: object) -> str:
    """A metadata cell as a user would have typed it (0 rather than 0.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _number(value: object) -> float:
    if value is None:
        return math.nan
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def parse_meta(meta: pd.DataFrame) -> Framework:
    """Validate a COINr-style metadata table and return its framework."""
    missing = [c for c in REQUIRED_COLUMNS if c not in meta.columns]
    if missing:
        raise EngineError(f"metadata is missing column(s): {', '.join(missing)}")

    rows = meta.to_dict("records")
    codes: list[str] = []
    types: dict[str, str] = {}
    for i, row in enumerate(rows, start=1):
        code = _text(row["iCode"])
        if code is None:
            raise EngineError(f"metadata row {i} has no iCode")
        if code in types:
            raise EngineError(f"iCode '{code}' appears more than once in the metadata")
        kind = _text(row["Type"])
        if kind not in TYPES:
            raise EngineError(
                f"iCode '{code}' has Type {kind!r}; expected one of {', '.join(TYPES)}"
            )
        codes.append(code)
        types[code] = kind

    nodes = [c for c in codes if types[c] in ("Indicator", "Aggregate")]
    by_code = {_text(r["iCode"]): r for r in rows}
    parent: dict[str, str] = {}
    level: dict[str, int] = {}
    for code in nodes:
        row = by_code[code]
        lev = _number(row["Level"])
        if not math.isfinite(lev) or lev < 1 or lev != int(lev):
            raise EngineError(
                f"iCode '{code}' has Level {_show(row['Level'])}; expected 1, 2, 3, ..."
            )
        level[code] = int(lev)
        par = _text(row["Parent"])
        if par is not None:
            if par not in types:
                raise EngineError(f"Parent '{par}' of '{code}' is not an iCode")
            if types[par] != "Aggregate":
                raise EngineError(f"Parent '{par}' of '{code}' is not an Aggregate")
            parent[code] = par

    _check_cycles(nodes, parent)

    for code, par in parent.items():
        if level[par] != level[code] + 1:
            raise EngineError(
                f"'{code}' is at Level {level[code]} but its Parent '{par}' is at Level "
                f"{level[par]}; a Parent must be exactly one level up"
            )

    roots = [c for c in nodes if c not in parent]
    indicators = tuple(c for c in nodes if types[c] == "Indicator")
    if not indicators:
        raise EngineError("metadata has no Indicator rows")
    for code in indicators:
        if code not in parent:
            raise EngineError(f"indicator '{code}' has no Parent")
    if len(roots) != 1:
        raise EngineError(f"expected one top aggregate (no Parent), found: {', '.join(roots)}")
    root = roots[0]

    children: dict[str, tuple[str, ...]] = {}
    for code in nodes:
        if types[code] == "Aggregate":
            kids = tuple(c for c in nodes if parent.get(c) == code)
            if not kids:
                raise EngineError(f"aggregate '{code}' has no children")
            children[code] = kids

    direction: dict[str, int] = {}
    for code in indicators:
        d = _number(by_code[code]["Direction"])
        if d not in (1.0, -1.0):
            raise EngineError(
                f"indicator '{code}' has Direction {_show(by_code[code]['Direction'])}; "
                "expected 1 or -1"
            )
        direction[code] = int(d)

    weight: dict[str, float] = {}
    for code in nodes:
        w = _number(by_code[code]["Weight"])
        if code == root and not math.isfinite(w):
            w = 1.0  # the root's weight is never used
        weight[code] = _check_weight(code, w if math.isfinite(w) else by_code[code]["Weight"])

    has_denominator = "Denominator" in meta.columns
    has_target = "Target" in meta.columns
    denominator = {
        c: (_text(by_code[c]["Denominator"]) if has_denominator else None) for c in indicators
    }
    target = {c: (_number(by_code[c]["Target"]) if has_target else math.nan) for c in indicators}
    names = {
        c: (_text(by_code[c].get("iName")) or c) if "iName" in meta.columns else c for c in codes
    }

    max_level = level[root]
    aggregate_levels = tuple(
        tuple(c for c in nodes if types[c] == "Aggregate" and level[c] == lev)
        for lev in range(2, max_level + 1)
    )
    return Framework(
        indicators=indicators,
        aggregate_levels=tuple(lev for lev in aggregate_levels if lev),
        children=children,
        parent=parent,
        level=level,
        direction=direction,
        weight=weight,
        denominator=denominator,
        target=target,
        names=names,
        groups=tuple(c for c in codes if types[c] == "Group"),
        denominators=tuple(c for c in codes if types[c] == "Denominator"),
        root=root,
    )


def _check_cycles(nodes: list[str], parent: dict[str, str]) -> None:
    done: set[str] = set()
    for start in nodes:
        path: list[str] = []
        seen: set[str] = set()
        code: str | None = start
        while code is not None and code not in done:
            if code in seen:
                cycle = [*path[path.index(code) :], code]
                raise EngineError(f"cycle in Parent links: {' -> '.join(cycle)}")
            seen.add(code)
            path.append(code)
            code = parent.get(code)
        done.update(path)
