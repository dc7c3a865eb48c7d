"""Persian-first formatting of numbers and dates (pure Python, used by templates and exports)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jdatetime

_TO_FA = str.maketrans("0123456789.,-%", "۰۱۲۳۴۵۶۷۸۹٫٬−٪")
_JALALI_MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)


def persian_digits(text: str) -> str:
    """ASCII digits and separators to their Persian forms."""
    return text.translate(_TO_FA)


def number_format(value: object, *, lang: str, decimals: int = 0, grouping: bool = True) -> str:
    """A number with thousands grouping; Persian digits when `lang` is fa."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if number.is_nan():
        return "—"
    text = f"{number:,.{decimals}f}" if grouping else f"{number:.{decimals}f}"
    if lang != "fa":
        return text
    # A left-to-right mark keeps the minus sign on the left of the digits in RTL text.
    return ("\u200e" if number < 0 else "") + persian_digits(text)


def jalali_date(value: dt.date | dt.datetime | None, *, lang: str, with_time: bool = False) -> str:
    """A Gregorian date or datetime shown as a Jalali date (Persian digits when fa)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        jd = jdatetime.datetime.fromgregorian(datetime=value)
    else:
        jd = jdatetime.date.fromgregorian(date=value)
    if lang == "fa":
        text = f"{jd.day} {_JALALI_MONTHS_FA[jd.month - 1]} {jd.year}"
        if with_time and isinstance(value, dt.datetime):
            text += f"، {value.hour:02d}:{value.minute:02d}"
        return persian_digits(text)
    text = f"{jd.year}/{jd.month:02d}/{jd.day:02d}"
    if with_time and isinstance(value, dt.datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text
