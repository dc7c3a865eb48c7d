"""A normalised column as one newline-joined text, so checks are whole-column regex scans.

Without pyarrow, pandas string methods call a Python lambda per cell (about 1 µs each); a
column check is instead one `re.finditer` over the joined text, whose matches (usually none)
are mapped back to row positions with `np.searchsorted`. Only the few odd cells found that way
are looked at individually, as a small pandas Series. Normalised values never contain a
newline (whitespace runs become one space), so lines and values correspond one to one.
"""

from __future__ import annotations

import io
import re
from functools import cached_property

import numpy as np
import pandas as pd

from .normalise import ZWNJ

_SMALL = 5_000


class TextColumn:
    def __init__(self, values: list[str]) -> None:
        self.values = values
        self.text = "\n".join(values)
        self.lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        self.starts = np.cumsum(self.lengths + 1) - (self.lengths + 1)

    def __len__(self) -> int:
        return len(self.values)

    @cached_property
    def array(self) -> np.ndarray:
        return np.asarray(self.values, dtype=object)

    def without_zwnj(self) -> TextColumn:
        """ZWNJ is meaningful inside Persian words, never inside a number or a code."""
        if ZWNJ not in self.text:
            return self
        return TextColumn(self.text.replace(ZWNJ, "").split("\n"))

    def lines(self, pattern: str, flags: int = 0) -> np.ndarray:
        """Sorted positions of values in which `pattern` matches (^ and $ anchor each value)."""
        if not self.values:
            return np.empty(0, dtype=np.int64)
        found = re.finditer(pattern, self.text, re.MULTILINE | flags)
        offsets = np.fromiter((m.start() for m in found), dtype=np.int64)
        return np.unique(np.searchsorted(self.starts, offsets, side="right") - 1)

    def not_matching(self, good: str) -> np.ndarray:
        """Positions of values that do not fully match the regex `good`."""
        return self.lines(rf"^(?!(?:{good})$)")

    def subset(self, positions: np.ndarray) -> pd.Series:
        """The values at `positions` as a Series indexed by position, for pandas string ops."""
        return pd.Series(self.array[positions], index=positions, dtype=object)

    def mask(self, positions: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.values), dtype=bool)
        out[positions] = True
        return out


def parse_int64(values: list[str], usable: np.ndarray) -> np.ndarray:
    """int64 of the values where `usable` (each matched [+-]?[0-9]{1,15}); 0 elsewhere.

    The text was validated by regex first; this only converts it. Python's int() is never
    the validator: it would accept '۱۲۳', '１２３' and '1_000'. Large columns go through
    pandas' C CSV tokenizer (about ten times faster than numpy's string cast, which has a
    lower fixed cost and so serves small columns).
    """
    if not usable.any():
        return np.zeros(len(values), dtype=np.int64)
    lines = np.where(usable, np.asarray(values, dtype=object), "0")
    if len(lines) < _SMALL:
        return lines.astype(str).astype(np.int64)
    frame = pd.read_csv(
        io.StringIO("\n".join(lines.tolist()) + "\n"),  # every line terminated: n rows
        header=None,
        names=["v"],
        dtype=np.int64,
        engine="c",
    )
    if len(frame) != len(values):  # pragma: no cover - would be a tokenizer surprise
        raise AssertionError("integer column lost rows while converting")
    return frame["v"].to_numpy()
