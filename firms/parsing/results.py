"""Plain data passed between the parsing stages: limits, the raw table and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from .errors import CellError, FileWarning

FileType = Literal["csv", "xlsx"]
MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps that keep one upload from exhausting memory or CPU (the web layer reads settings)."""

    max_upload_bytes: int = 20 * MiB
    max_rows: int = 200_000
    max_columns: int = 64
    # XLSX is a zip: these are checked from the central directory before anything is inflated.
    max_uncompressed_bytes: int = 256 * MiB
    max_compression_ratio: int = 100
    max_zip_entries: int = 1_000
    # Only this many CellErrors are built (counts stay exact); enough to fix a file by.
    max_errors: int = 10_000


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class RawTable:
    """Every cell as text, before any validation.

    `rows[i]` came from spreadsheet row `row_numbers[i]` (header = row 1); rows may be longer or
    shorter than the header (ragged). `issues` holds problems only the reader can see, keyed by
    (index into rows, column index): an XLSX formula, error cell, NaN, or a numeric id cell.
    """

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    file_type: FileType
    encoding: str | None = None  # CSV only: "utf-8", "utf-8-sig", "utf-16", "cp1256"
    sheet: str | None = None  # XLSX only
    issues: dict[tuple[int, int], str] = field(default_factory=dict)
    warnings: list[FileWarning] = field(default_factory=list)


@dataclass(slots=True)
class ValidationResult:
    """What a file contained: typed valid rows, cell errors, warnings and counts.

    The upload is all-or-nothing at the web layer: store `rows` only when `ok`.
    `accepted_rows + rejected_rows == total_rows` always (no row is silently dropped; wholly
    blank lines are not rows).
    """

    rows: pd.DataFrame
    errors: list[CellError]
    warnings: list[FileWarning]
    total_rows: int
    accepted_rows: int
    rejected_rows: int
    error_count: int  # all errors, even beyond the `errors` list's cap
    file_type: FileType
    encoding: str | None
    sheet: str | None
    columns: dict[str, int]  # template key -> 0-based column index in the file

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self, lang: Literal["fa", "en"] = "en") -> list[str]:
        return [error.line(lang) for error in self.errors]
