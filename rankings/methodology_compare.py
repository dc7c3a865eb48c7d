"""Two methodology specs side by side, and the changes between them (for the audit log).

A spec is flattened into `path -> value` pairs ("pillars.exports.weight": 1.0, ...);
the comparison table and the audit diff are both read from that one flattening, so
what the page highlights is exactly what the audit log records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rankings.indicators import INDICATORS
from rankings.methodology import PILLARS
from smerank.formatting import number_format

IMPUTE_LABELS = {
    "none": gettext_lazy("None (leave missing values out)"),
    "mean": gettext_lazy("Mean of all firms"),
    "median": gettext_lazy("Median of all firms"),
    "group_mean": gettext_lazy("Mean within the ISIC division"),
    "group_median": gettext_lazy("Median within the ISIC division"),
}
NORMALISE_LABELS = {
    "minmax": gettext_lazy("Min-max"),
    "zscore": gettext_lazy("Z-score"),
    "prank": gettext_lazy("Percentile rank"),
    "rank": gettext_lazy("Rank"),
    "dist2max": gettext_lazy("Distance to the best"),
    "goalposts": gettext_lazy("Goalposts"),
    "none": gettext_lazy("None"),
}
AGGREGATE_LABELS = {
    "arithmetic": gettext_lazy("Arithmetic mean"),
    "geometric": gettext_lazy("Geometric mean"),
    "harmonic": gettext_lazy("Harmonic mean"),
}


def spec_flatten(spec: dict[str, Any]) -> dict[str, Any]:
    """Every choice of a spec as one `path -> value` pair."""
    flat: dict[str, Any] = {}
    for pillar in spec.get("pillars", []):
        code = pillar["code"]
        flat[f"pillars.{code}.weight"] = float(pillar.get("weight", 1))
        for ind in pillar.get("indicators", []):
            icode = ind["code"]
            default_direction = INDICATORS.get(icode, ("", "", 1))[2]
            flat[f"indicators.{icode}.pillar"] = code
            flat[f"indicators.{icode}.weight"] = float(ind.get("weight", 1))
            flat[f"indicators.{icode}.direction"] = int(ind.get("direction", default_direction))
    engine = spec.get("engine", {})
    for step in ("impute", "treat", "normalise", "aggregate"):
        section = engine.get(step, {})
        if isinstance(section, str):
            section = {"method": section}
        for key, value in section.items():
            flat[f"engine.{step}.{key}"] = list(value) if isinstance(value, tuple) else value
    for key, value in spec.get("eligibility", {}).items():
        flat[f"eligibility.{key}"] = value
    flat["top_n"] = spec.get("top_n", 100)
    return flat


def spec_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What changed from `old` to `new`: `{path: {"old": x, "new": y}}` (JSON-able)."""
    a, b = spec_flatten(old), spec_flatten(new)
    return {
        path: {"old": a.get(path), "new": b.get(path)}
        for path in sorted(set(a) | set(b))
        if a.get(path) != b.get(path)
    }


@dataclass(frozen=True)
class CompareRow:
    label: str
    left: str
    right: str
    changed: bool


@dataclass(frozen=True)
class CompareSection:
    title: str
    rows: list[CompareRow]

    @property
    def changed_count(self) -> int:
        return sum(row.changed for row in self.rows)


def spec_compare(left: dict[str, Any], right: dict[str, Any], *, lang: str) -> list[CompareSection]:
    """The comparison table of two specs, values written out in `lang`."""
    a, b = spec_flatten(left), spec_flatten(right)
    fmt = _Formatter(lang)

    def row(label: str, paths: list[str], show: Any) -> CompareRow:
        changed = any(a.get(p) != b.get(p) for p in paths)
        return CompareRow(label=label, left=show(a), right=show(b), changed=changed)

    pillars = [
        row(fmt.pillar(code), [f"pillars.{code}.weight"], fmt.weight_of(f"pillars.{code}.weight"))
        for code in PILLARS
        if f"pillars.{code}.weight" in a or f"pillars.{code}.weight" in b
    ]
    indicators = [
        row(
            fmt.indicator(code),
            [f"indicators.{code}.{k}" for k in ("pillar", "weight", "direction")],
            fmt.indicator_cell(code),
        )
        for code in INDICATORS
        if f"indicators.{code}.weight" in a or f"indicators.{code}.weight" in b
    ]
    engine = [
        row(_("Imputation"), _paths(a, b, "engine.impute."), fmt.impute),
        row(_("Outlier treatment"), _paths(a, b, "engine.treat."), fmt.treat),
        row(_("Normalisation"), _paths(a, b, "engine.normalise."), fmt.normalise),
        row(_("Aggregation"), _paths(a, b, "engine.aggregate."), fmt.aggregate),
    ]
    eligibility = [
        row(
            _("Employees, at least"),
            ["eligibility.employees_min"],
            fmt.number_or("eligibility.employees_min", _("no minimum")),
        ),
        row(
            _("Employees, at most"),
            ["eligibility.employees_max"],
            fmt.number_or("eligibility.employees_max", _("no limit")),
        ),
        row(
            _("Sales cap (million rials)"),
            ["eligibility.sales_max"],
            fmt.number_or("eligibility.sales_max", _("no cap")),
        ),
        row(_("Size of the published ranking"), ["top_n"], fmt.number_or("top_n", "—")),
    ]
    return [
        CompareSection(_("Pillar weights"), pillars),
        CompareSection(_("Indicators: weight and direction"), indicators),
        CompareSection(_("Engine steps"), engine),
        CompareSection(_("Eligibility and ranking size"), eligibility),
    ]


def _paths(a: dict[str, Any], b: dict[str, Any], prefix: str) -> list[str]:
    return sorted(p for p in set(a) | set(b) if p.startswith(prefix))


class _Formatter:
    """Cell text for one language; each method returns a function of a flattened spec."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def num(self, value: Any) -> str:
        # As few decimals as the value needs: 1, 0.5, 0.25 (never 1.00).
        number = round(float(value), 3)
        decimals = next(d for d in range(4) if round(number, d) == number)
        return number_format(value, lang=self.lang, decimals=decimals)

    def pillar(self, code: str) -> str:
        en, fa = PILLARS[code]
        return fa if self.lang == "fa" else en

    def indicator(self, code: str) -> str:
        en, fa, _direction = INDICATORS[code]
        return fa if self.lang == "fa" else en

    def weight_of(self, path: str) -> Any:
        return lambda flat: self.num(flat[path]) if path in flat else _("not used")

    def number_or(self, path: str, missing: str) -> Any:
        return lambda flat: self.num(flat[path]) if flat.get(path) is not None else missing

    def indicator_cell(self, code: str) -> Any:
        def show(flat: dict[str, Any]) -> str:
            if f"indicators.{code}.weight" not in flat:
                return _("not used")
            direction = (
                _("higher is better")
                if flat[f"indicators.{code}.direction"] == 1
                else _("lower is better")
            )
            pillar = self.pillar(flat[f"indicators.{code}.pillar"])
            weight = self.num(flat[f"indicators.{code}.weight"])
            return f"{weight} · {direction} · {pillar}"

        return show

    def impute(self, flat: dict[str, Any]) -> str:
        method = flat.get("engine.impute.method", "none")
        return str(IMPUTE_LABELS.get(method, method))

    def treat(self, flat: dict[str, Any]) -> str:
        if flat.get("engine.treat.method", "none") == "none":
            return _("off")
        return _(
            "winsorise up to %(winmax)s values, then log (skew > %(skew)s, kurtosis > %(kurt)s)"
        ) % {
            "winmax": self.num(flat.get("engine.treat.winmax", 5)),
            "skew": self.num(flat.get("engine.treat.skew", 2)),
            "kurt": self.num(flat.get("engine.treat.kurtosis", 3.5)),
        }

    def normalise(self, flat: dict[str, Any]) -> str:
        method = flat.get("engine.normalise.method", "minmax")
        text = str(NORMALISE_LABELS.get(method, method))
        if method == "minmax":
            low, high = flat.get("engine.normalise.range", [0, 100])
            text += f" ({self.num(low)}–{self.num(high)})"
        return text

    def aggregate(self, flat: dict[str, Any]) -> str:
        method = flat.get("engine.aggregate.method", "arithmetic")
        return str(AGGREGATE_LABELS.get(method, method))
