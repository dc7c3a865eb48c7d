"""Canonical text: one form per value so validation can use strict ASCII regexes.

Applied once to every cell before validation (ASVS 1.1.1 "canonicalise, then validate"):

* Arabic ي ى → Persian ی, Arabic ك → Persian ک (cp1256 files and Arabic keyboards produce them);
* Persian ۰-۹ and Arabic-Indic ٠-٩ digits → 0-9; Arabic thousands ٬ → "," and decimal ٫ → ".";
  the minus sign U+2212 (Persian typesetting) → "-";
* zero-width and bidi controls (ZWSP, ZWJ, LRM/RLM, LRE..RLO, LRI..PDI, ALM, BOM) are removed;
  they are invisible and make equal-looking values differ, or spoof the text direction;
* ZWNJ (U+200C, نیم‌فاصله) is kept inside words because it is correct Persian spelling, but a
  run of them is reduced to one and any next to a space or at either end is removed;
* any run of whitespace (tab, newline, NBSP, thin space...) becomes one space; ends are trimmed;
* NFC before and after, so composed and decomposed forms (ا + ٓ vs آ) compare equal.

Numeric and code fields additionally drop ZWNJ (see `TextColumn.without_zwnj`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

ZWNJ = "\u200c"

_INVISIBLE = (
    "\u200b\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad"
)

_TABLE: dict[int, str | None] = {ord(c): None for c in _INVISIBLE}
_TABLE.update({ord("ي"): "ی", ord("ى"): "ی", ord("ك"): "ک"})
_TABLE.update({0x06F0 + d: str(d) for d in range(10)})  # Persian digits
_TABLE.update({0x0660 + d: str(d) for d in range(10)})  # Arabic-Indic digits
_TABLE.update({ord("٬"): ",", ord("٫"): ".", ord("\u2212"): "-"})  # U+2212 minus sign

_SPACES = re.compile(r"\s+")
_ZWNJ_RUN = re.compile(ZWNJ + "{2,}")
_ZWNJ_NEAR_SPACE = re.compile(ZWNJ + "* " + ZWNJ + "*")
_EDGES = " " + ZWNJ

_ASCII_SPACES = re.compile("[ \t\r\x0b\x0c\x1c-\x1f]+")
_ASCII_ODD = re.compile("[\t\r\x0b\x0c\x1c-\x1f]|  |^ | $", re.MULTILINE)
_LINE_EDGES = re.compile("^ +| +$", re.MULTILINE)
_SEPARATOR = "\ue000"  # private use: never produced by normalisation
_VALUE_EDGES = re.compile(f"(?:\\A|(?<={_SEPARATOR}))[{_EDGES}]+|[{_EDGES}]+(?=\\Z|{_SEPARATOR})")


def normalise(value: str) -> str:
    """The canonical form of one cell's text (idempotent: normalise(normalise(x)) == x')."""
    # NFC first as well, so a decomposed ي + ٔ becomes ئ before ي is mapped to ی.
    text = unicodedata.normalize("NFC", value).translate(_TABLE)
    text = _SPACES.sub(" ", text)
    text = _ZWNJ_RUN.sub(ZWNJ, text)
    text = _ZWNJ_NEAR_SPACE.sub(" ", text).strip(_EDGES)
    return unicodedata.normalize("NFC", text)


def normalise_column(values: Sequence[str]) -> list[str]:
    """`normalise` applied to a whole column at once (equal to mapping it over the values).

    The column is joined with a private-use separator and each step runs once over the joined
    text: every step is local to a value (regexes cannot cross the separator, it is a starter
    that composes with nothing under NFC), so this is exact and about 50 times faster.
    """
    if not values:
        return []
    lines = "\n".join(values)
    if lines.isascii() and lines.count("\n") == len(values) - 1:
        # Pure ASCII (most numeric and code columns): only spacing can be non-canonical.
        if not _ASCII_ODD.search(lines):
            return list(values)
        return _LINE_EDGES.sub("", _ASCII_SPACES.sub(" ", lines)).split("\n")
    joined = _SEPARATOR.join(values)
    if joined.count(_SEPARATOR) != len(values) - 1:  # a (hostile) value contains it
        return list(map(normalise, values))
    text = unicodedata.normalize("NFC", joined).translate(_TABLE)
    text = _SPACES.sub(" ", text)
    text = _ZWNJ_RUN.sub(ZWNJ, text)
    text = _ZWNJ_NEAR_SPACE.sub(" ", text)
    text = _VALUE_EDGES.sub("", text)
    return unicodedata.normalize("NFC", text).split(_SEPARATOR)


def header_key(value: str) -> str:
    """A loose form of a header for matching: case, spacing, ZWNJ, hamza and brackets ignored."""
    text = normalise(value).lower().replace("أ", "ا").replace("إ", "ا")
    return re.sub(r"[\s\u200c_\-.:()\[\]/]+", "", text)
