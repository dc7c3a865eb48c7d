"""Step 1: divide indicators by the denominator column their metadata names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def denominate(
    *,
    values: np.ndarray,
    indicators: Sequence[str],
    denominator_of: Mapping[str, str | None],
    denominators: Mapping[str, np.ndarray],
) -> np.ndarray:
    """Return a copy of `values` (units x indicators) with named columns divided.

    A zero denominator gives a missing value: COINr would give +/-Inf, which no later step
    can use, so the unit is treated as not reporting that indicator instead.
    """
    out = np.array(values, dtype=np.float64, order="F", copy=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, code in enumerate(indicators):
            name = denominator_of.get(code)
            if name is None:
                continue
            divisor = denominators[name]
            col = out[:, j] / divisor
            col[divisor == 0] = np.nan
            out[:, j] = col
    return out
