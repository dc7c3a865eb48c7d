"""Checking the indicator table against the metadata and method, and extracting arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import EngineError
from .meta import Framework
from .method import Method

MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "null", "none"})
MISSING_GROUP_TOKENS = frozenset({"", "na", "nan"})


@dataclass(frozen=True)
class Inputs:
    """The parts of the indicator table the pipeline uses."""

    units: pd.DataFrame  # index uCode; uName (if given) and every group column
    values: np.ndarray  # units x indicators, float64, Fortran order
    denominators: dict[str, np.ndarray]
    groups: dict[str, np.ndarray]  # integer group code per unit, -1 where missing


def numeric_column(series: pd.Series, name: str, ucodes: np.ndarray) -> np.ndarray:
    """Float values of a column; blanks and NA tokens are missing, anything else must parse."""
    if pd.api.types.is_bool_dtype(series.dtype):
        raise EngineError(f"column '{name}' is not numeric (true/false values)")
    if pd.api.types.is_numeric_dtype(series.dtype):
        out = series.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        text = series.astype("string").str.strip()
        blank = text.isna() | text.str.lower().isin(MISSING_TOKENS)
        parsed = pd.to_numeric(text.mask(blank), errors="coerce")
        bad = parsed.isna() & ~blank
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise EngineError(
                f"column '{name}' has a non-numeric value {series.iloc[i]!r} (uCode '{ucodes[i]}')"
            )
        out = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = np.isinf(out)
    if infinite.any():
        # No step can use an infinite value; it is almost always a broken export.
        i = int(np.flatnonzero(infinite)[0])
        raise EngineError(f"column '{name}' has an infinite value (uCode '{ucodes[i]}')")
    return out


def group_labels(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(integer code per unit, -1 where missing; label per code), stripped of blanks/NA tokens."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels: dict[str, int] = {}
    remap = np.full(len(uniques) + 1, -1, dtype=np.int64)  # last slot maps the -1 sentinel
    for i, value in enumerate(uniques):  # loops over distinct groups only
        text = str(value).strip()
        if text.lower() not in MISSING_GROUP_TOKENS:
            remap[i] = labels.setdefault(text, len(labels))
    return remap[codes], np.array(list(labels), dtype=object)


def _unit_codes(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series.dtype):
        series = series.astype("string")
    values = series.to_numpy(dtype=object, na_value=None)
    blank = pd.isna(values) | (values == "")
    if blank.any():
        raise EngineError(f"data row {int(np.flatnonzero(blank)[0]) + 1} has no uCode")
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    return values.astype(str).astype(object)


def prepare(data: pd.DataFrame, fw: Framework, method: Method) -> Inputs:
    """Validate `data` for this framework and method; raise EngineError with one clear line."""
    if not isinstance(data, pd.DataFrame):
        raise EngineError("the indicator data must be a table")
    if "uCode" not in data.columns:
        raise EngineError("the indicator data has no 'uCode' column")
    ucodes = _unit_codes(data["uCode"])
    index = pd.Index(ucodes, name="uCode", dtype=object)
    if not index.is_unique:
        dup = index.duplicated()
        raise EngineError(f"uCode '{ucodes[dup][0]}' appears more than once in the data")

    for code in fw.indicators:
        if code not in data.columns:
            raise EngineError(f"indicator '{code}' has no data column")
    for name in fw.groups:
        if name not in data.columns:
            raise EngineError(f"group column '{name}' is missing from the data")
    for name in fw.denominators:
        if name not in data.columns:
            raise EngineError(f"denominator column '{name}' is missing from the data")
    needed_denoms: list[str] = []
    if method.denominate:
        for code in fw.indicators:
            name = fw.denominator[code]
            if name is None:
                continue
            if name not in data.columns:
                raise EngineError(
                    f"denominator column '{name}' (for indicator '{code}') is missing from the data"
                )
            if name not in needed_denoms:
                needed_denoms.append(name)
    group_names = list(fw.groups)
    if method.impute.group is not None:
        if method.impute.group not in data.columns:
            raise EngineError(f"group column '{method.impute.group}' is missing from the data")
        if method.impute.group not in group_names:
            group_names.append(method.impute.group)

    values = np.empty((len(data), len(fw.indicators)), dtype=np.float64, order="F")
    for j, code in enumerate(fw.indicators):
        values[:, j] = numeric_column(data[code], code, ucodes)
    denominators = {name: numeric_column(data[name], name, ucodes) for name in needed_denoms}
    units = pd.DataFrame(index=index)
    if "uName" in data.columns:
        units["uName"] = data["uName"].to_numpy(dtype=object)
    groups = {}
    for name in group_names:
        codes, labels = group_labels(data[name])
        column = np.full(len(codes), None, dtype=object)
        column[codes >= 0] = labels[codes[codes >= 0]]
        units[name] = column
        groups[name] = codes
    return Inputs(units=units, values=values, denominators=denominators, groups=groups)
