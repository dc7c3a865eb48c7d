"""Input of the ranking pages: filters of the public and analysts' tables, publishing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from rankings.selectors_browse import SIZE_CLASSES, BrowseFilters, FilterChoices
from smerank.formatting import number_format

# Persian and Arabic keyboards type different code points for the same letters and
# digits; names are stored with the Persian ones and national ids with ASCII digits.
_SEARCH_FOLD = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        **{chr(0x0660 + d): str(d) for d in range(10)},
    }
)

SIZE_LABELS = {
    "micro": _("Micro (under 10 employees)"),
    "small": _("Small (10–49 employees)"),
    "medium": _("Medium (50–249 employees)"),
}
SIZE_CHOICES = [("", _("All sizes")), *((k, SIZE_LABELS[k]) for k in SIZE_CLASSES)]


def search_fold(text: str) -> str:
    return " ".join(text.translate(_SEARCH_FOLD).split())


def year_choices(years: list[int], *, lang: str) -> list[tuple[int, str]]:
    return [(y, number_format(y, lang=lang, grouping=False)) for y in years]


class SearchField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("label", _("Search by name"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return search_fold(super().clean(value) or "")


class PublicTop100Form(forms.Form):
    q = SearchField()
    year = forms.TypedChoiceField(
        label=_("Edition"), required=False, coerce=int, empty_value=None, choices=()
    )

    def __init__(self, *args: Any, years: list[int], lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(years, lang=lang)


class PreparedChoices(BaseChoiceIterator):
    """Choices that are (value, label) pairs already. A ChoiceField normalises a plain list
    option by option each time a form is built: hundreds of parks and ISIC classes on every
    page view of the ranking table."""

    def __init__(self, pairs: Iterable[tuple[Any, str]]) -> None:
        self.pairs = tuple(pairs)

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        return iter(self.pairs)


def options_html(pairs: Iterable[tuple[Any, str]]) -> str:
    """A drop-down's options as HTML, none selected: a few hundred options through the
    template engine (or format_html, with its lazy-string checks) cost more than the rest
    of the page."""
    return "".join(
        f'<option value="{escape(str(value))}">{escape(str(label))}</option>'
        for value, label in pairs
    )


def mark_selected(html: str, value: str) -> SafeString:
    """`html` from options_html with the option(s) of this value selected."""
    option = f'<option value="{escape(value)}">'
    selected = f'<option value="{escape(value)}" selected>'
    return mark_safe(html.replace(option, selected))  # noqa: S308 - options_html escaped it


# The ranking filter's drop-downs whose options RankingFilterOptions holds.
_RUN_CONTROLS = ("province", "park", "section", "division", "cluster", "size")


@dataclass(frozen=True)
class RankingFilterOptions:
    """The options of the ranking filter's drop-downs in one language, for validation
    (`choices`) and display (`html`): built once per run and language and cached, since
    only the reference data's names can change them."""

    choices: dict[str, tuple[tuple[Any, str], ...]]
    html: dict[str, str]

    @classmethod
    def build(cls, choices: FilterChoices, *, lang: str) -> RankingFilterOptions:
        name = "name_en" if lang == "en" else "name_fa"
        title = "title_en" if lang == "en" else "title_fa"
        every = ("", str(_("All")))
        pairs: dict[str, list[tuple[Any, str]]] = {
            "province": [
                every,
                *((p.code, getattr(p, name) or p.name_fa) for p in choices.provinces),
            ],
            "park": [every, *((p.code, getattr(p, name) or p.name_fa) for p in choices.parks)],
            "section": [
                every,
                *(
                    (s.code, f"{s.code} · {getattr(s, title) or s.title_en}")
                    for s in choices.sections
                ),
            ],
            "division": [
                every,
                *(
                    (s.code, f"{s.code} · {getattr(s, title) or s.title_en}")
                    for s in choices.divisions
                ),
            ],
            "size": [(value, str(label)) for value, label in SIZE_CHOICES],
        }
        if choices.clusters is not None:  # None: no cluster model, so no cluster filter
            pairs["cluster"] = [
                every,
                *(
                    (pk, (name_en if lang == "en" else "") or name_fa)
                    for pk, name_fa, name_en in choices.clusters
                ),
            ]
        return cls(
            choices={k: tuple(v) for k, v in pairs.items()},
            html={k: options_html(v) for k, v in pairs.items()},
        )


class RankingFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Fiscal year"), required=False, coerce=int, empty_value=None, choices=()
    )
    q = SearchField(label=_("Name or national id"))
    province = forms.ChoiceField(label=_("Province"), required=False, choices=())
    park = forms.ChoiceField(label=_("Industrial park"), required=False, choices=())
    section = forms.ChoiceField(label=_("ISIC section"), required=False, choices=())
    division = forms.ChoiceField(label=_("ISIC division"), required=False, choices=())
    cluster = forms.TypedChoiceField(
        label=_("Cluster"), required=False, coerce=int, empty_value=None, choices=()
    )
    size = forms.ChoiceField(label=_("Size class"), required=False, choices=SIZE_CHOICES)
    sort = forms.ChoiceField(required=False, choices=())
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(
        self,
        *args: Any,
        years: list[int],
        options: RankingFilterOptions,
        sorts: list[str],
        lang: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        years_pairs = year_choices(years, lang=lang)
        self.fields["year"].choices = PreparedChoices(years_pairs)
        for name in _RUN_CONTROLS:
            if name in options.choices:
                self.fields[name].choices = PreparedChoices(options.choices[name])
            else:
                del self.fields[name]
        self.fields["sort"].choices = PreparedChoices((s, s) for s in sorts)
        self._options_html = {"year": options_html(years_pairs), **options.html}

    def controls(self) -> list[dict[str, Any]]:
        """The filter controls with their options already marked: rendering hundreds of
        options through widget templates costs more than the whole query."""
        controls = []
        for name in ("year", "q", "province", "park", "section", "division", "cluster", "size"):
            if name not in self.fields:
                continue
            bound = self[name]
            value = bound.value()
            current = "" if value is None else str(value)
            html = self._options_html.get(name)
            controls.append(
                {
                    "name": name,
                    "id": bound.id_for_label,
                    "label": bound.label,
                    "errors": bound.errors,
                    "value": current,
                    "options_html": mark_selected(html, current) if html is not None else "",
                }
            )
        return controls

    def browse_filters(self) -> BrowseFilters:
        data = self.cleaned_data
        return BrowseFilters(
            province=data.get("province") or None,
            park=data.get("park") or None,
            section=data.get("section") or None,
            division=data.get("division") or None,
            cluster=data.get("cluster"),
            size=data.get("size") or None,
            search=data.get("q") or None,
        )


class EditionPublishForm(forms.Form):
    title = forms.CharField(label=_("Edition title"), max_length=64)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
