"""The form that turns an analyst's edits of the active methodology into a new spec."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rankings.indicators import INDICATORS
from rankings.methodology import PILLARS, SpecError, spec_validate
from rankings.methodology_compare import AGGREGATE_LABELS, IMPUTE_LABELS, NORMALISE_LABELS
from smerank.formatting import persian_digits

# Goalposts need per-indicator targets and "none" leaves indicators on their own scales;
# neither can be set from this form, so they are not offered.
NORMALISE_CHOICES = ("minmax", "zscore", "prank", "rank", "dist2max")
# Geometric and harmonic means need every normalised value above zero.
POSITIVE_NORMALISATIONS = ("minmax", "rank")
_FROM_LOCAL = {
    ord(p): a for p, a in zip(persian_digits("0123456789.,-"), "0123456789.,-", strict=True)
}
_FROM_LOCAL |= {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}  # Arabic-Indic digits


def _ascii(value: Any) -> Any:
    """Persian or Arabic digits typed into a number box, read as ASCII digits."""
    if isinstance(value, str):
        return value.translate(_FROM_LOCAL).replace(",", "").strip()
    return value


class LocalNumberInput(forms.TextInput):
    """A number box that shows Persian digits in Persian (a type=number input cannot);
    the fields below read either kind of digit back."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        attrs = {"inputmode": "decimal", "class": "form-control", **(attrs or {})}
        super().__init__(attrs)

    def format_value(self, value: Any) -> str | None:
        text = f"{value:g}" if isinstance(value, float) else super().format_value(value)
        if text and (get_language() or "fa").startswith("fa"):
            return persian_digits(text)
        return text


class LocalFloatField(forms.FloatField):
    def to_python(self, value: Any) -> float | None:
        return super().to_python(_ascii(value))


class LocalIntegerField(forms.IntegerField):
    def to_python(self, value: Any) -> int | None:
        return super().to_python(_ascii(value))


def _weight_field(label: str, initial: float) -> LocalFloatField:
    return LocalFloatField(
        label=label,
        min_value=0,
        max_value=1000,
        initial=initial,
        widget=LocalNumberInput(),
    )


def _select(choices: dict[str, Any], keys: tuple[str, ...] | None = None) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[(k, choices[k]) for k in (keys or tuple(choices))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class MethodologyForm(forms.Form):
    """Prefilled from `base_spec`; `spec` holds the validated candidate after is_valid()."""

    name = forms.CharField(
        label=_("Name of the new version"),
        max_length=128,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    notes = forms.CharField(
        label=_("Notes (why this change)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    employees_min = LocalIntegerField(
        label=_("Employees, at least"),
        min_value=0,
        widget=LocalNumberInput(attrs={"inputmode": "numeric"}),
    )
    employees_max = LocalIntegerField(
        label=_("Employees, at most"),
        min_value=0,
        required=False,
        help_text=_("Leave empty for no upper limit."),
        widget=LocalNumberInput(attrs={"inputmode": "numeric"}),
    )
    sales_max = LocalIntegerField(
        label=_("Sales cap (million rials)"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for no cap."),
        widget=LocalNumberInput(attrs={"inputmode": "numeric"}),
    )
    impute = _select(IMPUTE_LABELS)
    treat = forms.BooleanField(
        label=_("Treat outliers (winsorise, then log if still skewed)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    winmax = LocalIntegerField(
        label=_("Most values winsorised per indicator"),
        min_value=0,
        max_value=100,
        required=False,
        widget=LocalNumberInput(attrs={"inputmode": "numeric"}),
    )
    normalise = _select(NORMALISE_LABELS, NORMALISE_CHOICES)
    aggregate = _select(AGGREGATE_LABELS)
    activate = forms.BooleanField(
        label=_("Make it the active methodology (every year is then recomputed)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, base_spec: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_spec = base_spec
        self.spec: dict[str, Any] | None = None
        fa = (get_language() or "fa").startswith("fa")
        self.fields["impute"].label = _("Imputation of missing values")
        self.fields["normalise"].label = _("Normalisation")
        self.fields["aggregate"].label = _("Aggregation")
        for pillar in base_spec["pillars"]:
            code = pillar["code"]
            self.fields[f"pillar_{code}"] = _weight_field(
                PILLARS[code][1 if fa else 0], pillar.get("weight", 1)
            )
            for ind in pillar["indicators"]:
                en, fa_label, _direction = INDICATORS[ind["code"]]
                self.fields[f"indicator_{ind['code']}"] = _weight_field(
                    fa_label if fa else en, ind.get("weight", 1)
                )
        engine, elig = base_spec.get("engine", {}), base_spec.get("eligibility", {})
        treat = engine.get("treat", {})
        self.initial.update(
            {
                "employees_min": elig.get("employees_min", 0),
                "employees_max": elig.get("employees_max"),
                "sales_max": elig.get("sales_max"),
                "impute": engine.get("impute", {}).get("method", "none"),
                "treat": treat.get("method", "none") != "none",
                "winmax": treat.get("winmax", 5),
                "normalise": engine.get("normalise", {}).get("method", "minmax"),
                "aggregate": engine.get("aggregate", {}).get("method", "arithmetic"),
            }
        )

    def pillar_groups(self) -> list[tuple[forms.BoundField, list[forms.BoundField]]]:
        """Each pillar's weight field with its indicators' weight fields, for the template."""
        return [
            (
                self[f"pillar_{p['code']}"],
                [self[f"indicator_{i['code']}"] for i in p["indicators"]],
            )
            for p in self.base_spec["pillars"]
        ]

    def full_clean(self) -> None:
        super().full_clean()
        # Bootstrap shows a field in red only with this class on the input itself.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Each check runs when its own fields are valid, so every mistake shows at once.
        low, high = data.get("employees_min"), data.get("employees_max")
        if low is not None and high is not None and high < low:
            self.add_error("employees_max", _("The upper limit must not be below the lower."))
        if data.get("treat") and data.get("winmax") is None and "winmax" not in self.errors:
            self.add_error("winmax", _("Say how many values may be winsorised."))
        if data.get("aggregate") in ("geometric", "harmonic") and data.get("normalise") not in (
            None,
            *POSITIVE_NORMALISATIONS,
        ):
            self.add_error(
                "aggregate",
                _("Geometric and harmonic means need values above zero: use min-max or rank."),
            )
        pillars = self.base_spec["pillars"]
        weights = [data.get(f"pillar_{p['code']}") for p in pillars]
        if None not in weights and not any(weights):
            self.add_error(None, _("Give at least one pillar a weight above zero."))
        for pillar in pillars:
            weights = [data.get(f"indicator_{i['code']}") for i in pillar["indicators"]]
            if None not in weights and not any(weights):
                self.add_error(
                    f"pillar_{pillar['code']}",
                    _("Give at least one indicator of this pillar a weight above zero."),
                )
        if self.errors:
            return data
        try:
            self.spec = spec_validate(self._spec(data))
        except SpecError as exc:
            self.add_error(None, _("The methodology cannot be used: %(reason)s") % {"reason": exc})
        return data

    def _spec(self, data: dict[str, Any]) -> dict[str, Any]:
        """The base spec with the edited values; anything the form does not show is kept."""
        spec = copy.deepcopy(self.base_spec)
        for pillar in spec["pillars"]:
            pillar["weight"] = _number(data[f"pillar_{pillar['code']}"])
            for ind in pillar["indicators"]:
                ind["weight"] = _number(data[f"indicator_{ind['code']}"])
        spec["eligibility"] = {
            **spec.get("eligibility", {}),
            "employees_min": data["employees_min"],
            "employees_max": data.get("employees_max"),
            "sales_max": data.get("sales_max"),
        }
        engine = spec.setdefault("engine", {})
        impute = {"method": data["impute"]}
        if data["impute"].startswith("group_"):
            impute["group"] = engine.get("impute", {}).get("group") or "division"
        engine["impute"] = impute
        treat = dict(engine.get("treat", {}))
        treat["method"] = "winsorise_then_log" if data["treat"] else "none"
        if data.get("winmax") is not None:
            treat["winmax"] = data["winmax"]
        engine["treat"] = treat
        normalise = {**engine.get("normalise", {}), "method": data["normalise"]}
        if data["normalise"] == "minmax":
            low, high = normalise.get("range", [0, 100])
            if data["aggregate"] in ("geometric", "harmonic") and low <= 0:
                low = 1  # COINr's convention: min-max 1-100 before a geometric mean
            normalise["range"] = [low, high]
        engine["normalise"] = normalise
        engine["aggregate"] = {"method": data["aggregate"]}
        return spec


def _number(value: float) -> int | float:
    """Whole weights stored as integers (1, not 1.0), as in the default spec."""
    return int(value) if float(value).is_integer() else float(value)
