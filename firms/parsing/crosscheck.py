"""Checks between columns and between rows, after every column was checked on its own."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .fields import Checked, is_ok


def cross_checks(checks: dict[str, Checked], numbers: np.ndarray) -> None:
    """exports <= sales, founded_year <= year, and (national_id, year) unique in the file."""
    for key, limit_key, code, param in (
        ("exports", "sales", "exports_above_sales", "sales"),
        ("founded_year", "year", "founded_after_year", "year"),
    ):
        if key in checks and limit_key in checks:
            value, limit = checks[key], checks[limit_key]
            over = ~value.missing & ~limit.missing & (value.values > limit.values)
            extra = {int(i): {param: int(limit.values[i])} for i in np.flatnonzero(over)}
            _flag(checks[key], over, code, extra)

    national_id, year = checks["national_id"], checks["year"]
    where = np.flatnonzero(~national_id.missing & ~year.missing)
    # One integer per (id, year): valid years lie in 1390..1499, so 200 slots per id suffice.
    firm = pd.factorize(national_id.values[where])[0]
    pair = firm.astype(np.int64) * 200 + (year.values[where] - 1300)
    _, first_index, group = np.unique(pair, return_index=True, return_inverse=True)
    first = first_index[group]  # position (within `where`) of each pair's first row
    later = np.flatnonzero(first != np.arange(len(where)))
    repeat = np.zeros(len(numbers), dtype=bool)
    repeat[where[later]] = True
    extra = {int(where[i]): {"first_row": int(numbers[where[first[i]]])} for i in later}
    _flag(national_id, repeat, "duplicate_in_file", extra)


def _flag(checked: Checked, mask: np.ndarray, code: str, extra: dict[int, dict[str, Any]]) -> None:
    mask = mask & is_ok(checked.codes)
    checked.codes[mask] = code
    checked.missing[mask] = True
    checked.extra.update({k: v for k, v in extra.items() if mask[k]})
