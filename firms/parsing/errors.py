"""Error and warning records returned (or raised) by the parser."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .messages import persian_digits, render

Lang = Literal["fa", "en"]

# HTTP status the web layer should answer with for each file-level code; anything not listed
# is a 422 (the file was read but its content cannot be used).
HTTP_STATUS: dict[str, int] = {
    "empty_file": 400,
    "file_too_large": 413,
    "too_large_uncompressed": 413,
    "compression_ratio": 413,
    "too_many_rows": 413,
    "too_many_lines": 413,
    "zip_too_many_entries": 413,
    "unsupported_type": 415,
    "legacy_xls": 415,
    "macro_workbook": 415,
    "zip_unsafe_entry": 400,
    "invalid_workbook": 400,
    "bad_encoding": 400,
    "wrong_delimiter": 400,
    "unclosed_quote": 400,
    "malformed_csv": 400,
    "cell_too_long": 400,
}

# Values are echoed back to the user, so characters that could corrupt a terminal, a log line
# or the direction of the surrounding text (RLO "display spoofing") are shown as \uXXXX.
_UNSAFE_DISPLAY = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200d-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
MAX_SHOWN_VALUE = 100


def display_value(value: str) -> str:
    """A value as safe to show in a message: escaped controls, at most 100 characters."""
    shown = _UNSAFE_DISPLAY.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    if len(shown) > MAX_SHOWN_VALUE:
        shown = shown[:MAX_SHOWN_VALUE] + "…"
    return shown


class FileRejected(ValueError):
    """The whole file is unusable; nothing in it was validated or stored."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        self.message_fa, self.message_en = render(code, self.params)
        self.http_status = HTTP_STATUS.get(code, 422)
        super().__init__(self.message_en)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message_fa": self.message_fa,
            "message_en": self.message_en,
            "params": self.params,
        }


@dataclass(frozen=True, slots=True)
class CellError:
    """One bad cell (or, with column "*", one bad row) of the uploaded file."""

    row: int  # as the user sees it in Excel: the header is row 1
    column: str  # template key, e.g. "sales"; "*" when the whole row is wrong
    header: str  # the column header as written in the file
    header_fa: str  # the template's Persian header, used in Persian messages
    value: str  # the value as written in the file (display-safe, shortened)
    code: str
    message_fa: str
    message_en: str
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        row: int,
        column: str,
        header: str,
        header_fa: str,
        value: str,
        code: str,
        params: Mapping[str, Any] | None = None,
    ) -> CellError:
        fa, en = render(code, params)
        return cls(
            row=row,
            column=column,
            header=header,
            header_fa=header_fa,
            value=display_value(value),
            code=code,
            message_fa=fa,
            message_en=en,
            params=dict(params or {}),
        )

    def line(self, lang: Lang = "en") -> str:
        """`row N, column C, value V: message` (or its Persian equivalent)."""
        if lang == "fa":
            return (
                f"ردیف {persian_digits(self.row)}، ستون «{self.header_fa}»، "
                f"مقدار «{self.value}»: {self.message_fa}"
            )
        return f'row {self.row}, column {self.column}, value "{self.value}": {self.message_en}'

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "value": self.value,
            "code": self.code,
            "message_fa": self.message_fa,
            "message_en": self.message_en,
        }


@dataclass(frozen=True, slots=True)
class FileWarning:
    """Something the manager should know that did not stop the file (an ignored column)."""

    code: str
    message_fa: str
    message_en: str
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, code: str, params: Mapping[str, Any] | None = None) -> FileWarning:
        fa, en = render(code, params)
        return cls(code=code, message_fa=fa, message_en=en, params=dict(params or {}))
