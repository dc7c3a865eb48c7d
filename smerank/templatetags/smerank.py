"""Template filters: Persian digits, number formatting and Jalali dates."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone, translation

from smerank.formatting import (
    jalali_date,
    number_format,
    persian_digits,
    probability_format,
    title_digits,
)

register = template.Library()


def _lang() -> str:
    return (translation.get_language() or "fa")[:2]


@register.filter
def num(value: object, decimals: int = 0) -> str:
    """`{{ firm.sales|num }}` → ۱۲٬۳۴۵ in Persian, 12,345 in English."""
    return number_format(value, lang=_lang(), decimals=int(decimals))


@register.filter
def digits(value: object) -> str:
    """Any text with its ASCII digits shown in the current language's digits."""
    text = "" if value is None else str(value)
    return persian_digits(text) if _lang() == "fa" else text


@register.filter
def probability(value: object) -> str:
    """`{{ score.top_probability|probability }}` → ۹۲٪ in Persian, 92% in English: the one
    way a top-N probability is shown on every page."""
    return probability_format(value, lang=_lang())


@register.filter
def edition_title(value: object) -> str:
    """An edition's title ("SME100 1403") with its year in the current language's digits,
    whichever digits it was typed with."""
    return title_digits("" if value is None else str(value), lang=_lang())


@register.filter
def year(value: object) -> str:
    """A Jalali year, without thousands grouping."""
    return number_format(value, lang=_lang(), grouping=False)


@register.filter
def jdate(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return jalali_date(value, lang=_lang(), with_time=bool(with_time))


@register.filter
def localised(obj: object, field: str) -> str:
    """`{{ province|localised:"name" }}` picks name_fa or name_en for the current language."""
    lang = _lang()
    preferred = (
        getattr(obj, f"{field}_{lang}", None)
        if not isinstance(obj, dict)
        else obj.get(f"{field}_{lang}")
    )
    fallback = (
        getattr(obj, f"{field}_fa", None) if not isinstance(obj, dict) else obj.get(f"{field}_fa")
    )
    return preferred or fallback or ""
