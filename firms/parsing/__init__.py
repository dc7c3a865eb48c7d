"""Parsing and validation of firm-data uploads (CSV / XLSX). Pure Python: no Django here.

The web layer calls `parse_file`; it raises only `FileRejected` (a file-level problem, also a
ValueError) and otherwise returns a `ValidationResult` whose `errors` list every bad cell.
Stages, each usable alone: `detect_file_type` -> `read_table` -> `validate`.
"""

from __future__ import annotations

from .annotate import annotated_xlsx
from .errors import HTTP_STATUS, CellError, FileRejected, FileWarning
from .messages import MESSAGES
from .normalise import normalise
from .read_csv import read_csv_table
from .read_xlsx import read_xlsx_table
from .results import DEFAULT_LIMITS, Limits, RawTable, ValidationResult
from .schema import CERTIFICATIONS, COLUMNS, Column
from .sniff import detect_file_type
from .template import template_csv, template_xlsx
from .validate import validate

__all__ = [
    "CERTIFICATIONS",
    "COLUMNS",
    "DEFAULT_LIMITS",
    "HTTP_STATUS",
    "MESSAGES",
    "CellError",
    "Column",
    "FileRejected",
    "FileWarning",
    "Limits",
    "RawTable",
    "ValidationResult",
    "annotated_xlsx",
    "detect_file_type",
    "normalise",
    "parse_file",
    "read_table",
    "template_csv",
    "template_xlsx",
    "validate",
]


def read_table(*, data: bytes, limits: Limits = DEFAULT_LIMITS) -> RawTable:
    """Every cell of the file as text, with its row number; FileRejected if unreadable."""
    if detect_file_type(data=data, limits=limits) == "xlsx":
        return read_xlsx_table(data=data, limits=limits)
    return read_csv_table(data=data, limits=limits)


def parse_file(
    *, data: bytes, valid_isic: frozenset[str], limits: Limits = DEFAULT_LIMITS
) -> ValidationResult:
    """Read and validate an upload. Raises only FileRejected."""
    table = read_table(data=data, limits=limits)
    return validate(table=table, valid_isic=valid_isic, max_errors=limits.max_errors)
