"""Turn error codes into CellError records, in row then template-column order."""

from __future__ import annotations

import string
from functools import cache
from typing import Any

import numpy as np

from .errors import CellError
from .fields import Checked
from .messages import MESSAGES
from .results import RawTable
from .schema import BY_KEY, COLUMNS, Column

_ORDER = {column.key: i for i, column in enumerate(COLUMNS)}


@cache
def _fields(code: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(MESSAGES[code][1]) if name)


def _params(code: str, column: Column, extra: dict[str, Any] | None) -> dict[str, Any]:
    available = {"min": column.min, "max": column.max, **(extra or {})}
    return {name: available[name] for name in _fields(code) if name in available}


def build_errors(
    table: RawTable,
    mapping: dict[str, int],
    raw: dict[str, tuple[str, ...]],
    checks: dict[str, Checked],
    bad: np.ndarray,
    numbers: np.ndarray,
    ragged: np.ndarray,
    max_errors: int,
) -> list[CellError]:
    """CellErrors sorted by row then template column order; only the first `max_errors` are
    built, so a file that is wrong everywhere cannot produce millions of objects."""
    keys = list(checks)
    positions, columns = np.nonzero(bad)
    rows = np.concatenate([numbers[positions], np.asarray(table.row_numbers)[ragged]])
    column_order = np.array([_ORDER[key] for key in keys], dtype=np.int64)
    order = np.concatenate([column_order[columns], np.full(len(ragged), -1)])
    which = np.concatenate([np.arange(len(positions)), -1 - np.arange(len(ragged))])
    chosen = which[np.lexsort((order, rows))][:max_errors]
    errors: list[CellError] = []
    width = len(table.header)
    for item in chosen.tolist():
        if item < 0:
            row_index = int(ragged[-1 - item])
            errors.append(CellError.build(
                row=table.row_numbers[row_index], column="*", header="*", header_fa="*",
                value="", code="ragged_row",
                params={"count": len(table.rows[row_index]), "expected": width},
            ))  # fmt: skip
            continue
        pos, key = int(positions[item]), keys[columns[item]]
        column, checked = BY_KEY[key], checks[key]
        code = str(checked.codes[pos])
        errors.append(CellError.build(
            row=int(numbers[pos]), column=key, header=table.header[mapping[key]],
            header_fa=column.header_fa, value=raw[key][pos], code=code,
            params=_params(code, column, checked.extra.get(pos)),
        ))  # fmt: skip
    return errors
