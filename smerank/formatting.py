"""Persian-first formatting of numbers and dates (pure Python, used by templates and exports)."""

from __future__ import annotations

import datetime as dt
import math
import re
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


_TO_ASCII_DIGITS = str.maketrans(
    {**{chr(0x06F0 + d): str(d) for d in range(10)}, **{chr(0x0660 + d): str(d) for d in range(10)}}
)
# A run of digits standing on its own, not part of a Latin word such as "SME100".
_LONE_NUMBER = re.compile(r"(?<![A-Za-z0-9])[0-9]+(?![A-Za-z0-9])")


def persian_digits(text: str) -> str:
    """ASCII digits and separators to their Persian forms."""
    return text.translate(_TO_FA)


def title_digits(text: str, *, lang: str) -> str:
    """A title typed by a person (an edition's "SME100 1403") in the page's digits.

    In Persian, numbers standing alone (the year) take Persian digits while digits inside
    a Latin name ("SME100") stay as the brand is written; in English, Persian or Arabic
    digits typed on a Persian keyboard become ASCII.
    """
    if lang == "fa":
        return _LONE_NUMBER.sub(lambda m: m.group(0).translate(_TO_FA), text)
    return text.translate(_TO_ASCII_DIGITS)


def probability_format(value: object, *, lang: str) -> str:
    """A probability (0-1) as a whole percentage: "۹۲٪" in Persian, "92%" in English.

    Only a certainty is shown as 0 % or 100 %: 0.996 reads "99%", so a firm is never
    told it is certain to be in the top-100 when some computations left it out.
    """
    if value is None or value == "":
        return "—"
    try:
        p = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(p):
        return "—"
    percent = math.floor(p * 100 + 0.5)  # half up, as people round
    if 0 < p < 1:
        percent = min(max(percent, 1), 99)
    text = f"{percent}%"
    return persian_digits(text) if lang == "fa" else text


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
