"""Vectorised checks, one column each: normalised text in, typed values and error codes out.

Numbers (the documented rule):
* digits with an optional sign; thousands separators "," "٬" NBSP, thin space or a space are
  accepted only in proper groups of three (1,234,567) and removed;
* "." used like a thousands separator (1.234.567, 12.500) is ambiguous and rejected, as is the
  Arabic comma "،" or a comma not in groups of three (12,5);
* "٫" or "." with decimals is a decimal: every numeric field is whole, so "must be a whole
  number"; "(5)" accounting negatives, exponents (1E+10), NaN/inf and Excel errors are rejected;
* fullwidth or other exotic digits are not numbers (Python's int() would accept them).
NA, N/A, null, none and nil count as empty (so a required field reports "required").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from firms.national_id import legal_id_is_valid

from .column import TextColumn, parse_int64
from .schema import CERTIFICATIONS, Column

_PLAIN_INT = r"[+-]?[0-9]{1,15}"  # 15 digits: bounds are checked on text, never overflow
_INT = r"[+-]?[0-9]+"
_GROUPED = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+|[+-]?[0-9]{1,3}(?: [0-9]{3})+"
_GROUPED_15 = r"[+-]?[0-9]{1,3}(?:,[0-9]{3}){1,4}|[+-]?[0-9]{1,3}(?: [0-9]{3}){1,4}"
_MISSING = r"^(?i:na|n/a|null|none|nil)$"
_EXCEL_ERRORS = (
    r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!"
    r"|CONNECT!|BUSY!|UNKNOWN!)"
)
# First match wins; a value matching none of these is "not_a_number".
_NUMBER_ERRORS: tuple[tuple[str, str], ...] = (
    (r"\(.*\)", "parenthesised_number"),
    (_EXCEL_ERRORS, "excel_error"),
    (r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+", "scientific_notation"),
    (r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+", "ambiguous_number"),
    (r"[+-]?[0-9][0-9,]*,[0-9]+|.*،.*", "ambiguous_number"),
    (r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)?\.[0-9]+", "not_integer"),
)
_ID_ERRORS: tuple[tuple[str, str], ...] = (
    (r"[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+", "id_scientific_notation"),
    (r"[0-9]+\.0+", "id_numeric_cell"),  # "10380284790.0": Excel saved the id as a number
)
_CONTROL = "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufffd]"
_TRUE = ("yes", "y", "true", "1", "بله", "بلی", "آری", "اری", "هست", "دارد")
_FALSE = ("no", "n", "false", "0", "خیر", "نه", "نیست", "ندارد")
_BOOLEANS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


@dataclass(slots=True)
class Checked:
    """Per cell: a typed value, whether it is missing (blank or bad), an error code or None.

    Plain numpy arrays (int64 for integers, object for text and booleans): pandas' nullable
    arrays are built once, for the accepted rows, because masked assignment on a Series costs
    milliseconds per call, which dominates small files.
    """

    values: np.ndarray
    missing: np.ndarray
    codes: np.ndarray
    extra: dict[int, dict[str, Any]] = field(default_factory=dict)  # position -> params


def is_ok(codes: np.ndarray) -> np.ndarray:
    return np.equal(codes, None)


def _blank(col: TextColumn) -> np.ndarray:
    blank = col.lengths == 0
    blank[col.lines(_MISSING)] = True
    return blank


def _odd(col: TextColumn, good: str, blank: np.ndarray) -> np.ndarray:
    odd = col.not_matching(good)
    return odd[~blank[odd]]


def _first_match(text: pd.Series, rules: tuple[tuple[str, str], ...], default: str) -> np.ndarray:
    codes = np.full(len(text), default, dtype=object)
    open_ = np.ones(len(text), dtype=bool)
    for pattern, code in rules:
        hit = text.str.fullmatch(pattern).to_numpy(dtype=bool) & open_
        codes[hit] = code
        open_ &= ~hit
    return codes


def _finish(values: np.ndarray, codes: np.ndarray, blank: np.ndarray, column: Column) -> Checked:
    codes[blank] = "required" if column.required else None
    return Checked(values, blank | ~is_ok(codes), codes)


def check_integer(col: TextColumn, column: Column) -> Checked:
    col = col.without_zwnj()
    blank = _blank(col)
    codes = np.full(len(col), None, dtype=object)
    usable = ~blank
    odd = _odd(col, f"{_PLAIN_INT}|{_GROUPED_15}", blank)
    usable[odd] = False
    # Separators can be dropped from the whole text: only well-formed lines are converted.
    digits = col.text.replace(",", "").replace(" ", "").split("\n") if len(col) else []
    huge = np.zeros(len(col), dtype=bool)
    negative = np.zeros(len(col), dtype=bool)
    if len(odd):
        sub = col.subset(odd)
        numeric = (sub.str.fullmatch(_INT) | sub.str.fullmatch(_GROUPED)).to_numpy(dtype=bool)
        bare = sub.str.replace(r"[, ]", "", regex=True)
        size = bare.str.lstrip("+-").str.lstrip("0").str.len().to_numpy()
        fits = numeric & (size <= 15)  # e.g. leading zeros: 0000000000000000042
        usable[odd[fits]] = True
        huge[odd[numeric & ~fits]] = True
        negative[odd] = bare.str.startswith("-").to_numpy(dtype=bool)
        codes[odd[~numeric]] = _first_match(sub[~numeric], _NUMBER_ERRORS, "not_a_number")
    values = parse_int64(digits, usable)
    low = usable & (values < column.min) | (huge & negative)
    high = usable & (values > column.max) | (huge & ~negative)
    if column.range_code:
        codes[low | high] = column.range_code
        if column.range_code == "year_out_of_range":
            codes[usable & (values >= 1900) & (values <= 2100)] = "gregorian_year"
    else:
        codes[low] = "negative" if column.min == 0 else "too_small"
        codes[high] = "too_large"
    return _finish(values, codes, blank, column)


def check_national_id(col: TextColumn, column: Column) -> Checked:
    col = col.without_zwnj()
    blank = _blank(col)
    codes = np.full(len(col), None, dtype=object)
    odd = _odd(col, "[0-9]{11}", blank)
    if len(odd):
        codes[odd] = _first_match(col.subset(odd), _ID_ERRORS, "national_id_format")
    well_formed = ~blank
    well_formed[odd] = False
    candidates = col.array[well_formed]
    # A firm has one row per year, so each distinct id is checked once, with the project's
    # shared checksum (firms.national_id).
    verdict = {value: legal_id_is_valid(value) for value in set(candidates.tolist())}
    valid = np.fromiter(map(verdict.__getitem__, candidates), dtype=bool, count=len(candidates))
    codes[np.flatnonzero(well_formed)[~valid]] = "bad_checksum"
    return _finish(col.array, codes, blank, column)


def check_isic(col: TextColumn, column: Column, valid_isic: frozenset[str]) -> Checked:
    col = col.without_zwnj()
    blank = _blank(col)
    codes = np.full(len(col), None, dtype=object)
    values = col.array.copy()
    odd = _odd(col, "[0-9]{4}", blank)
    if len(odd):
        sub = col.subset(odd)
        # Excel drops the leading zero of a class like 0111; 3 digits can only mean that.
        three = sub.str.fullmatch("[0-9]{3}").to_numpy(dtype=bool)
        values[odd[three]] = "0" + sub[three].to_numpy()
        codes[odd[~three]] = "isic_format"
    known = np.fromiter(map(valid_isic.__contains__, values), dtype=bool, count=len(values))
    codes[~known & is_ok(codes)] = "unknown_isic"
    return _finish(values, codes, blank, column)


def check_text(col: TextColumn, column: Column) -> Checked:
    blank = _blank(col)
    codes = np.full(len(col), None, dtype=object)
    if column.max is not None:
        codes[col.lengths > column.max] = "too_long"
    codes[col.lines(_CONTROL)] = "control_character"
    return _finish(col.array, codes, blank, column)


def check_boolean(col: TextColumn, column: Column) -> Checked:
    col = col.without_zwnj()
    blank = _blank(col)
    lowered = col.text.lower().split("\n") if len(col) else []
    values = np.array(list(map(_BOOLEANS.get, lowered)), dtype=object)
    codes = np.where(np.equal(values, None) & ~blank, "bad_boolean", None).astype(object)
    return _finish(values, codes, blank, column)


def check_certifications(col: TextColumn, column: Column) -> Checked:
    """Codes separated by ; (also ؛ , ،) in any order and case; "ISO 9001:2015" = ISO9001.
    The value stored is the sorted, de-duplicated codes joined by ";"."""
    col = col.without_zwnj()
    blank = _blank(col)
    text = re.sub(r"[^\S\n]|[-_.]", "", col.text.upper())
    text = re.sub(r":[0-9]{4}(?=[;؛,،]|$)", "", re.sub("[؛,،]", ";", text), flags=re.M)
    tokens = TextColumn(text.split("\n") if len(col) else [])
    joined = np.full(len(col), "", dtype=object)
    for code in CERTIFICATIONS:  # sorted already, so the result is sorted
        has = tokens.lines(rf"(?:^|;){code}(?=;|$)")
        joined[has] = joined[has] + (code + ";")
    codes = np.full(len(col), None, dtype=object)
    extra: dict[int, dict[str, Any]] = {}
    allowed = "|".join(CERTIFICATIONS)
    unknown = re.finditer(rf"(?:^|;)(?!(?:{allowed})(?:;|$))([^;\n]+)", tokens.text, re.M)
    for match in unknown:  # bad tokens only
        position = int(np.searchsorted(tokens.starts, match.start(), side="right") - 1)
        if position not in extra:
            extra[position] = {"token": match.group(1), "allowed": ", ".join(CERTIFICATIONS)}
            codes[position] = "unknown_certification"
    values = np.strings.rstrip(joined.astype(str), ";").astype(object)
    values[values == ""] = None
    blank |= np.equal(values, None) & is_ok(codes)
    checked = _finish(values, codes, blank, column)
    checked.extra = extra
    return checked
