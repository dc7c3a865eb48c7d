"""The firm-data template: one row per firm and year. Single source for parser and templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .normalise import header_key

Kind = Literal["national_id", "text", "isic", "integer", "certifications", "boolean"]

# Money is in million rials. 10^12 million rials (10^18 rials) is about 500 times the sales of
# Iran's largest company: anything above is a typo (an extra "000") that would wreck z-scores.
# All bounds stay below 2^53, so the engine can use float64 without losing digits.
MONEY_MAX = 1_000_000_000_000
CERTIFICATIONS = ("CE", "GMP", "HACCP", "INSO", "ISO14001", "ISO22000", "ISO45001", "ISO9001")


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header_fa: str
    kind: Kind
    required: bool
    rule_fa: str
    rule_en: str
    example: str
    min: int | None = None
    max: int | None = None
    # Code used for any bound violation; None means negative / too_small / too_large.
    range_code: str | None = None
    aliases: tuple[str, ...] = ()


_MONEY = "عدد صحیح، صفر یا بیشتر (میلیون ریال)"
_MONEY_EN = "whole number >= 0, in million rials"

COLUMNS: tuple[Column, ...] = (
    Column("national_id", "شناسه ملی", "national_id", True,
           "۱۱ رقم با رقم کنترل درست؛ ستون را «Text» قالب‌بندی کنید",
           "11 digits with a valid check digit; format the column as Text",
           "10380284790", aliases=("شناسه", "شناسه ملی شرکت", "legal id", "national id")),
    Column("name_fa", "نام بنگاه", "text", True, "نام فارسی بنگاه (حداکثر ۲۰۰ نویسه)",
           "firm name in Persian (at most 200 characters)", "شرکت نمونه صنعت",
           max=200, aliases=("نام شرکت", "نام", "name")),
    Column("name_en", "نام لاتین", "text", False, "نام لاتین (اختیاری، حداکثر ۲۰۰ نویسه)",
           "Latin name (optional, at most 200 characters)", "Nemooneh Sanat Co.",
           max=200, aliases=("نام انگلیسی", "english name")),
    Column("isic", "کد آیسیک", "isic", True, "کد چهاررقمی رده ISIC Rev.4",
           "4-digit ISIC Rev.4 class code", "1079",
           aliases=("کد ایسیک", "آیسیک", "کد isic", "isic code", "isic4")),
    Column("year", "سال", "integer", True, "سال مالی خورشیدی ۱۳۹۰ تا ۱۴۹۹",
           "Jalali fiscal year 1390-1499", "1402", min=1390, max=1499,
           range_code="year_out_of_range", aliases=("سال مالی", "fiscal year")),
    Column("employees", "تعداد کارکنان", "integer", True, "عدد صحیح، صفر یا بیشتر",
           "whole number >= 0", "45", min=0, max=1_000_000, aliases=("کارکنان",)),
    Column("sales", "فروش (میلیون ریال)", "integer", True, _MONEY, _MONEY_EN, "125000",
           min=0, max=MONEY_MAX),
    Column("exports", "صادرات (میلیون ریال)", "integer", False,
           "عدد صحیح، صفر یا بیشتر و نه بیشتر از فروش (میلیون ریال)",
           "whole number >= 0 and not above sales, in million rials", "20000",
           min=0, max=MONEY_MAX),
    Column("export_countries", "تعداد کشورهای مقصد", "integer", False,
           "عدد صحیح، صفر یا بیشتر", "whole number >= 0", "3", min=0, max=250,
           aliases=("کشورهای مقصد",)),
    Column("rd_spend", "هزینه تحقیق و توسعه (میلیون ریال)", "integer", False, _MONEY,
           _MONEY_EN, "1500", min=0, max=MONEY_MAX, aliases=("rd", "r&d")),
    Column("net_profit", "سود خالص (میلیون ریال)", "integer", False,
           "عدد صحیح، می‌تواند منفی باشد (میلیون ریال)",
           "whole number, may be negative, in million rials", "-2500",
           min=-MONEY_MAX, max=MONEY_MAX, aliases=("profit",)),
    Column("total_assets", "جمع دارایی‌ها (میلیون ریال)", "integer", False, _MONEY,
           _MONEY_EN, "98000", min=0, max=MONEY_MAX, aliases=("assets",)),
    Column("total_debt", "جمع بدهی‌ها (میلیون ریال)", "integer", False, _MONEY, _MONEY_EN,
           "41000", min=0, max=MONEY_MAX, aliases=("debt",)),
    Column("certifications", "گواهینامه‌ها", "certifications", False,
           "کدها با ; جدا شوند: " + "، ".join(CERTIFICATIONS),
           "codes separated by ;: " + ", ".join(CERTIFICATIONS), "ISO9001;HACCP",
           aliases=("گواهی‌نامه‌ها", "گواهینامه", "certificates")),
    Column("new_products", "تعداد محصولات جدید", "integer", False, "عدد صحیح، صفر یا بیشتر",
           "whole number >= 0", "2", min=0, max=100_000, aliases=("محصولات جدید",)),
    Column("tech_level", "سطح فناوری", "integer", False, "عدد صحیح ۰ تا ۵",
           "whole number 0-5", "3", min=0, max=5, range_code="out_of_range",
           aliases=("سطح تکنولوژی", "technology level")),
    Column("knowledge_based", "دانش‌بنیان", "boolean", False, "بله / خیر (یا 1 / 0)",
           "yes / no (or 1 / 0)", "بله", aliases=("دانش بنیان",)),
    Column("founded_year", "سال تأسیس", "integer", False,
           "سال خورشیدی، نه پس از «سال»", "Jalali year, not after year", "1385",
           min=1200, max=1499, range_code="year_out_of_range",
           aliases=("founded", "year founded")),
)  # fmt: skip

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
REQUIRED: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.required)

# Never mapped, whatever the file says: the park comes from the uploader's account, and scores
# and ranks are computed, not imported.
_RESERVED = ("park", "park id", "score", "rank", "شهرک", "شهرک صنعتی", "پارک", "امتیاز", "رتبه")


def _strip_unit(header: str) -> str:
    return header.split("(")[0]


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for column in COLUMNS:
        names = (column.key, column.header_fa, _strip_unit(column.header_fa), *column.aliases)
        for name in names:
            key = header_key(name)
            if table.get(key, column.key) != column.key:  # pragma: no cover - a template bug
                raise AssertionError(f"header alias {name!r} is ambiguous")
            table[key] = column.key
    for name in _RESERVED:
        table[header_key(name)] = "*reserved"
    return table


_ALIASES = _alias_table()


def resolve_header(header: str) -> str | None:
    """Template key for a header cell, "*reserved" for park/score/rank, None if unknown."""
    return _ALIASES.get(header_key(header))
