"""Validate a RawTable column by column (vectorised), then across columns and rows.

Each distinct value of a column is normalised and checked once (`pd.factorize`), and the
verdicts are broadcast back to the rows: a year, ISIC code or yes/no column has a handful of
distinct values however long the file. The only Python loops are over the 18 template
columns and over cells in error (to build their messages).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from .column import TextColumn
from .crosscheck import cross_checks
from .errors import FileRejected, FileWarning, display_value
from .fields import (
    Checked,
    check_boolean,
    check_certifications,
    check_integer,
    check_isic,
    check_national_id,
    check_text,
    is_ok,
)
from .normalise import normalise_column
from .report import build_errors
from .results import DEFAULT_LIMITS, RawTable, ValidationResult
from .schema import BY_KEY, COLUMNS, REQUIRED, Column, resolve_header

_DTYPES = {"national_id": "string", "text": "string", "isic": "string", "integer": "Int64",
           "certifications": "string", "boolean": "boolean"}  # fmt: skip


def map_header(header: list[str]) -> tuple[dict[str, int], list[FileWarning]]:
    """Template key -> column index. Unknown columns are warnings; duplicates and missing
    required columns reject the file before any row is looked at."""
    found: dict[str, list[int]] = defaultdict(list)
    notes: list[FileWarning] = []
    for index, cell in enumerate(header):
        key = resolve_header(cell)
        if key is None or key == "*reserved":
            code = "unknown_column" if key is None else "reserved_column"
            notes.append(FileWarning.build(code, {"header": display_value(cell)}))
        else:
            found[key].append(index)
    for key, indexes in found.items():
        if len(indexes) > 1:
            shown = " / ".join(f"«{display_value(header[i])}»" for i in indexes)
            raise FileRejected("duplicate_columns", {"column": key, "headers": shown})
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        raise FileRejected("missing_columns", {
            "columns": ", ".join(missing),
            "columns_fa": "، ".join(f"«{BY_KEY[key].header_fa}»" for key in missing),
        })  # fmt: skip
    return {key: indexes[0] for key, indexes in found.items()}, notes


def _check_distinct(column: Column, values: np.ndarray, valid_isic: frozenset[str]) -> Checked:
    kind = column.kind
    col = TextColumn(normalise_column(values.tolist()))
    if kind == "national_id":
        return check_national_id(col, column)
    if kind == "isic":
        return check_isic(col, column, valid_isic)
    if kind == "integer":
        return check_integer(col, column)
    if kind == "boolean":
        return check_boolean(col, column)
    if kind == "certifications":
        return check_certifications(col, column)
    return check_text(col, column)


def check_column(column: Column, values: tuple[str, ...], valid_isic: frozenset[str]) -> Checked:
    """Check each distinct value once, then give every row its value's verdict."""
    inverse, distinct = pd.factorize(np.asarray(values, dtype=object))
    checked = _check_distinct(column, np.asarray(distinct, dtype=object), valid_isic)
    extra: dict[int, dict[str, Any]] = {}
    if checked.extra:
        rows = np.flatnonzero(np.isin(inverse, list(checked.extra)))
        extra = {int(row): checked.extra[int(inverse[row])] for row in rows}
    return Checked(checked.values[inverse], checked.missing[inverse], checked.codes[inverse],
                   extra)  # fmt: skip


def _typed(column: Column, checked: Checked | None, ok: np.ndarray) -> Any:
    """The pandas nullable array for the accepted rows of one column."""
    count = int(ok.sum())
    if checked is None:  # optional column absent from the file: not reported
        return pd.array([pd.NA] * count, dtype=_DTYPES[column.kind])
    values, missing = checked.values[ok], checked.missing[ok]
    if column.kind == "integer":
        return pd.arrays.IntegerArray(values.astype(np.int64), missing)
    if column.kind == "boolean":
        return pd.arrays.BooleanArray(np.equal(values, True), missing)
    text = values.copy()
    text[missing] = None
    return pd.array(text, dtype="string")


def validate(
    *, table: RawTable, valid_isic: frozenset[str], max_errors: int = DEFAULT_LIMITS.max_errors
) -> ValidationResult:
    mapping, notes = map_header(table.header)
    if not table.rows:
        raise FileRejected("no_rows")
    width = len(table.header)
    lengths = np.fromiter(map(len, table.rows), dtype=np.int64, count=len(table.rows))
    shaped = np.flatnonzero(lengths == width)
    ragged = np.flatnonzero(lengths != width)
    selected = table.rows if not len(ragged) else list(map(table.rows.__getitem__, shaped.tolist()))
    numbers = np.asarray(table.row_numbers, dtype=np.int64)
    cells = list(zip(*selected, strict=True)) if selected else [()] * width
    # Reader issues (XLSX formulas, error cells, numeric ids) by column, at shaped positions.
    position = np.full(len(table.rows), -1, dtype=np.int64)
    position[shaped] = np.arange(len(shaped))
    issues: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for (row_index, col), code in table.issues.items():
        if position[row_index] >= 0:
            issues[col].append((int(position[row_index]), code))

    raw: dict[str, tuple[str, ...]] = {}
    checks: dict[str, Checked] = {}
    for column in COLUMNS:
        if column.key not in mapping:
            continue
        index = mapping[column.key]
        raw[column.key] = cells[index]
        checked = check_column(column, cells[index], valid_isic)
        for pos, code in issues.get(index, ()):
            checked.codes[pos] = code  # what the reader saw beats what the text says
            checked.missing[pos] = True
        checks[column.key] = checked
    cross_checks(checks, numbers[shaped])

    bad = np.column_stack([~is_ok(checked.codes) for checked in checks.values()])
    row_bad = bad.any(axis=1)
    ok = ~row_bad
    data: dict[str, Any] = {"row": pd.array(numbers[shaped][ok], dtype="Int64")}
    for column in COLUMNS:
        checked = checks.get(column.key)
        data[column.key] = _typed(column, checked, ok)
    rows = pd.DataFrame(data)

    errors = build_errors(table, mapping, raw, checks, bad, numbers[shaped], ragged, max_errors)
    rejected = int(row_bad.sum()) + len(ragged)
    return ValidationResult(
        rows=rows, errors=errors, warnings=[*table.warnings, *notes],
        total_rows=len(table.rows), accepted_rows=int(ok.sum()), rejected_rows=rejected,
        error_count=int(bad.sum()) + len(ragged), file_type=table.file_type,
        encoding=table.encoding, sheet=table.sheet, columns=mapping,
    )  # fmt: skip
