"""Input of the cluster pages: the list's filters and the official cluster definition."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clusters.models import Cluster
from clusters.selectors_web import (
    ACTIVITY_LEVELS,
    ClusterListFilters,
    park_options,
    province_options,
    sectors_by_codes,
)
from firms.models import Park, Province, Sector
from rankings.forms import search_fold, year_choices

# Codes starting with "D-" are the mapping's discovered clusters ("D-IR-23-25").
DISCOVERED_PREFIX = "D-"
_CODE_SPLIT = re.compile(r"[\s,،;؛]+")
_DIGITS_FOLD = str.maketrans(
    {
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        **{chr(0x0660 + d): str(d) for d in range(10)},
    }
)


def _lang() -> str:
    return (translation.get_language() or "fa")[:2]


def localised_name(obj: Any, field: str = "name") -> str:
    lang = _lang()
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_fa", "") or ""


class ClusterListForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Fiscal year"), required=False, coerce=int, empty_value=None, choices=()
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All clusters")), *Cluster.Kind.choices],
    )
    province = forms.ChoiceField(label=_("Province"), required=False, choices=())
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(years, lang=_lang())
        self.fields["province"].choices = [
            ("", _("All provinces")),
            *sorted(
                ((p.code, localised_name(p)) for p in province_options()),
                key=lambda choice: choice[1],
            ),
        ]

    def clean_q(self) -> str:
        return search_fold(self.cleaned_data.get("q") or "")

    def filters(self) -> ClusterListFilters:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return ClusterListFilters(
            kind=data.get("kind") or "",
            province=data.get("province") or "",
            search=data.get("q") or "",
        )


class LocalisedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, Park):
            return f"{localised_name(obj)} ({localised_name(obj.province)})"
        return localised_name(obj)


class ClusterForm(forms.Form):
    """An official cluster: what it does (ISIC codes) and where (provinces or parks)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Short and unique, e.g. FOOD-ISF. Letters, digits and dashes."),
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$",
                _("Use 2 to 32 Latin letters, digits, dashes or underscores."),
            )
        ],
    )
    name_fa = forms.CharField(label=_("Persian name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    activities = forms.CharField(
        label=_("ISIC activities"),
        max_length=2000,
        help_text=_(
            "ISIC Rev.4 divisions (2 digits), groups (3) or classes (4), separated by commas, "
            "e.g. 10, 2511. A firm belongs to the cluster when its class starts with one of them."
        ),
    )
    provinces = LocalisedMultipleChoiceField(
        label=_("Provinces"),
        queryset=Province.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    parks = LocalisedMultipleChoiceField(
        label=_("Industrial parks"),
        queryset=Park.objects.none(),
        required=False,
        widget=forms.SelectMultiple(
            attrs={"size": 8, "class": "form-select", "aria-describedby": "parks-help"}
        ),
        help_text=_(
            "A firm must be in one of the provinces or one of the parks; choose neither for "
            "the whole country."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, instance: Cluster | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["parks"].queryset = park_options()
        self.fields["provinces"].queryset = province_options().order_by(f"name_{_lang()}")
        for name in ("code", "name_fa", "name_en", "description", "activities"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")
        for name in ("name_fa", "description"):
            self.fields[name].widget.attrs["dir"] = "auto"

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.errors:  # Bootstrap shows the messages of `.is-invalid` fields
            if name in self.fields:
                css = self.fields[name].widget.attrs.get("class", "")
                self.fields[name].widget.attrs["class"] = f"{css} is-invalid".strip()
        return valid

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if code.startswith(DISCOVERED_PREFIX):
            raise forms.ValidationError(
                _("Codes starting with D- are reserved for discovered clusters.")
            )
        taken = Cluster.objects.filter(code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another cluster already uses this code."))
        return code

    def clean_activities(self) -> list[Sector]:
        raw = (self.cleaned_data.get("activities") or "").translate(_DIGITS_FOLD)
        codes = list(dict.fromkeys(c for c in _CODE_SPLIT.split(raw.strip()) if c))
        if not codes:
            raise forms.ValidationError(_("Give at least one ISIC code."))
        not_numeric = [c for c in codes if not c.isdigit() or not 2 <= len(c) <= 4]
        if not_numeric:
            raise forms.ValidationError(
                _(
                    "%(codes)s: use divisions (2 digits), groups (3) or classes (4), "
                    "not sections or other text."
                ),
                params={"codes": ", ".join(not_numeric)},
            )
        found = sectors_by_codes(codes=codes)
        unknown = [c for c in codes if c not in found or found[c].level not in ACTIVITY_LEVELS]
        if unknown:
            raise forms.ValidationError(
                _("Unknown ISIC codes: %(codes)s"), params={"codes": ", ".join(unknown)}
            )
        return [found[c] for c in codes]

    @classmethod
    def initial_from(cls, cluster: Cluster) -> dict[str, Any]:
        """The form's values for an existing cluster (or a discovered one to adopt)."""
        return {
            "code": cluster.code,
            "name_fa": cluster.name_fa,
            "name_en": cluster.name_en,
            "description": cluster.description,
            "activities": ", ".join(sorted(s.code for s in cluster.sectors.all())),
            "provinces": [p.pk for p in cluster.provinces.all()],
            "parks": [p.pk for p in cluster.parks.all()],
            "is_active": cluster.is_active,
        }

    def save_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name_fa": data["name_fa"].strip(),
            "name_en": (data.get("name_en") or "").strip(),
            "description": (data.get("description") or "").strip(),
            "sectors": data["activities"],
            "provinces": list(data.get("provinces") or []),
            "parks": list(data.get("parks") or []),
            "is_active": bool(data.get("is_active")),
        }
