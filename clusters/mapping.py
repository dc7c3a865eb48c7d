"""Cluster mapping: location quotients, U.S. Cluster Mapping flags and ECO stars.

Pure pandas/numpy (no Django), so the management command, the plain command line
(``python -m clusters``), the web layer and the benchmark all share one implementation.

Input rows are ``(region, sector, group, employment, establishments)``. A *group* is the
reference set of sectors a sector is compared within: in the U.S. Cluster Mapping Project
(CMP) it is "traded" or "local"; for an all-industry map it is one group ("all").

Location quotient (CMP definition)::

    LQ[s, r] = (E[s, r] / E[group(s), r]) / (E[s, nation] / E[group(s), nation])

where ``E[group, r]`` is the employment of all sectors of the group in region ``r``. National
employment per sector comes from a separate table when given (official national totals
include regions missing from the input, e.g. the District of Columbia in the CMP state
extract); otherwise it is the sum over the input regions. ``E[group, nation]`` is the sum of
the national table over the group's sectors, including sectors absent from the regions.
A row with zero employment has ``LQ = 0`` (no activity, no specialisation) rather than the
undefined 0/0 that a region without any employment in the group would give.

Flags, per sector, over the regions where the sector has employment > 0, with linearly
interpolated percentiles (numpy's default, reproduced exactly by
:func:`grouped_quantiles`). Every flag also needs ``employment > P25(employment)`` and
``establishments > P25(establishments)`` of the sector's distribution:

* qualifying: ``LQ > P25(LQ)``
* significant: ``LQ > P50(LQ)``
* strong: ``LQ >= P75(LQ)`` and ``LQ >= 1``
* strong10: ``LQ >= P90(LQ)`` and ``LQ >= 1``

The CMP publishes strong flags for traded clusters only; this module computes the flags for
every sector of every group (a local or "all" sector is ranked the same way) and leaves it
to the caller to keep the traded rows when comparing with the CMP.

European Cluster Observatory-style stars (``stars`` counts them, 0-3). "Top 10%" means at
or above the sector's 90th percentile (same interpolation) over the regions where the
sector has employment > 0:

* size: the region's employment in the sector is in the top 10%;
* specialisation: ``LQ >= 2``;
* focus: the sector's share of the region's total employment (all groups, as the ECO
  relates a cluster to the whole regional economy) is in the top 10%.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

REGION_COLUMNS: tuple[str, ...] = ("region", "sector", "group", "employment", "establishments")
NATIONAL_COLUMNS: tuple[str, ...] = ("sector", "group", "employment")
KEY_COLUMNS: tuple[str, ...] = ("region", "sector", "group")
FLAG_COLUMNS: tuple[str, ...] = ("qualifying", "significant", "strong", "strong10")
STAR_COLUMNS: tuple[str, ...] = ("size_star", "specialisation_star", "focus_star")
RESULT_COLUMNS: tuple[str, ...] = (
    *REGION_COLUMNS,
    "lq",
    *FLAG_COLUMNS,
    *STAR_COLUMNS,
    "stars",
)

SPECIALISATION_LQ = 2.0
TOP_SHARE_QUANTILE = 0.9

# Iranian statistics are often typed with Persian or Arabic-Indic digits.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


class ClusterInputError(ValueError):
    """Invalid mapping input; the message is one line, fit for a command line."""


# --------------------------------------------------------------------------- quantiles


def grouped_quantiles(
    *, values: np.ndarray, codes: np.ndarray, n_groups: int, quantiles: Sequence[float]
) -> np.ndarray:
    """Quantiles of ``values`` within each group, exactly equal to ``np.quantile``'s.

    ``codes`` are group numbers in ``range(n_groups)``. Returns an array of shape
    ``(len(quantiles), n_groups)``; a group without values gets NaN.

    pandas' ``GroupBy.quantile`` interpolates as ``a + (b - a) * t`` whereas numpy switches
    to ``b - (b - a) * (1 - t)`` for ``t >= 0.5``; the two can differ in the last bit,
    which decides ``LQ >= P75`` when an LQ sits on the percentile. Hence numpy's own
    formula, applied to all groups at once.
    """
    values = np.asarray(values, dtype=np.float64)
    codes = np.asarray(codes, dtype=np.intp)
    order = np.lexsort((values, codes))
    ordered = values[order]
    counts = np.bincount(codes, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    present = counts > 0
    last = np.maximum(counts - 1, 0)
    out = np.full((len(quantiles), n_groups), np.nan)
    for i, q in enumerate(quantiles):
        # Same steps as numpy's "linear" method: index (n - 1) * q, floor, clip at the end.
        virtual = last * np.float64(q)
        previous = np.floor(virtual)
        gamma = virtual - previous
        prev_idx = previous.astype(np.intp)
        next_idx = prev_idx + 1
        above = virtual >= last
        prev_idx[above] = last[above]
        next_idx[above] = last[above]
        # numpy measures gamma from index -1 there; only the sign of a zero depends on it.
        gamma[above] = virtual[above] + 1
        a = ordered[np.minimum(starts + prev_idx, len(ordered) - 1)] if len(ordered) else 0.0
        b = ordered[np.minimum(starts + next_idx, len(ordered) - 1)] if len(ordered) else 0.0
        diff = b - a
        result = a + diff * gamma
        result = np.where(gamma >= 0.5, b - diff * (1 - gamma), result)
        out[i] = np.where(present, result, np.nan)
    return out


# --------------------------------------------------------------------------- validation


def _where(pos: int, *, source: str, csv_lines: bool) -> str:
    # CSV users look for a line in an editor (header = line 1); frame users for a position.
    return f"{source} line {pos + 2}" if csv_lines else f"{source} row {pos}"


# A problem: (first row position, count of rows, text about the first row).
_Problem = tuple[int, int, str]


def _problem(mask: np.ndarray, describe: Callable[[int], str]) -> list[_Problem]:
    positions = np.flatnonzero(mask)
    if not len(positions):
        return []
    return [(int(positions[0]), len(positions), describe(int(positions[0])))]


def _first_problem(problems: list[_Problem], *, source: str, csv_lines: bool) -> str:
    # The earliest row; on the same row, the earliest column (sorted() is stable).
    pos, _, text = min(problems, key=lambda problem: problem[0])
    message = f"{_where(pos, source=source, csv_lines=csv_lines)}: {text}"
    others = sum(count for _, count, _ in problems) - 1
    if others:
        message += f" ({others} more invalid value{'s' if others > 1 else ''})"
    return message


def _check_columns(frame: pd.DataFrame, expected: Sequence[str], *, source: str) -> None:
    missing = [name for name in expected if name not in frame.columns]
    if missing:
        raise ClusterInputError(
            f"{source}: missing column(s) {', '.join(missing)}; expected {', '.join(expected)}"
        )


def _shown(value: object) -> str:
    # Quote text so the user sees exactly what was read ('' vs ' '); no numpy reprs.
    return repr(value) if isinstance(value, str) else str(value)


def _clean_keys(
    frame: pd.DataFrame, names: Sequence[str], *, source: str, csv_lines: bool
) -> pd.DataFrame:
    problems: list[_Problem] = []
    for name in names:
        column = frame[name]
        if pd.api.types.is_string_dtype(column):
            # Strip the distinct values only: a few dozen codes repeated over the rows.
            codes, uniques = pd.factorize(column)
            stripped = pd.Series(
                pd.Index(uniques, dtype=object).str.strip().take(codes, allow_fill=True),
                index=column.index,
                dtype=column.dtype,
            )
            frame[name] = stripped
            empty = stripped.isna() | (stripped == "")
        else:
            # Codes keep their type (integer province ids stay integers for the caller).
            empty = column.isna()
        problems += _problem(empty.to_numpy(), lambda _, name=name: f"{name} is empty")
    if problems:
        raise ClusterInputError(_first_problem(problems, source=source, csv_lines=csv_lines))
    return frame


def _parse_counts(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values, empty) of a count column; unparsable values become NaN."""
    if pd.api.types.is_bool_dtype(raw):
        # True/False would silently count as 1/0.
        return np.full(len(raw), np.nan), np.zeros(len(raw), dtype=bool)
    if pd.api.types.is_numeric_dtype(raw):
        return raw.to_numpy(np.float64, na_value=np.nan), raw.isna().to_numpy()
    # Copies: pandas hands out read-only views under copy-on-write, and we patch cells.
    numbers = pd.to_numeric(raw, errors="coerce").to_numpy(np.float64, na_value=np.nan, copy=True)
    empty = raw.isna().to_numpy(copy=True)
    retry = np.flatnonzero(np.isnan(numbers) & ~empty)
    if len(retry):
        # Only the cells the fast parser refused: spaces, Persian digits, blanks.
        text = raw.iloc[retry].astype(str).str.strip().str.translate(_DIGITS)
        blank = (text == "").to_numpy()
        empty[retry[blank]] = True
        numbers[retry] = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(
            np.float64, na_value=np.nan
        )
    return numbers, empty


def _clean_counts(
    frame: pd.DataFrame, names: Sequence[str], *, source: str, csv_lines: bool
) -> pd.DataFrame:
    problems: list[_Problem] = []
    parsed = {}
    for name in names:
        raw = frame[name]
        values, empty = _parse_counts(raw)
        finite = np.isfinite(values)
        negative = finite & (np.where(finite, values, 0) < 0)
        problems += _problem(empty, lambda _, name=name: f"{name} is empty")
        problems += _problem(
            ~finite & ~empty,
            lambda pos, name=name, raw=raw: f"{name} is not a number: {_shown(raw.iloc[pos])}",
        )
        problems += _problem(
            negative, lambda pos, name=name, raw=raw: f"{name} is negative: {raw.iloc[pos]}"
        )
        parsed[name] = values
    if problems:
        raise ClusterInputError(_first_problem(problems, source=source, csv_lines=csv_lines))
    for name, values in parsed.items():
        whole = bool(np.all(values == np.round(values)))
        frame[name] = values.astype(np.int64) if whole else values
    return frame


def _check_unique(
    frame: pd.DataFrame, keys: Sequence[str], *, source: str, csv_lines: bool
) -> None:
    repeated = frame.duplicated(list(keys), keep="first").to_numpy()
    if repeated.any():
        second = int(np.flatnonzero(repeated)[0])
        same = np.logical_and.reduce([(frame[k] == frame[k].iloc[second]).to_numpy() for k in keys])
        first = int(np.flatnonzero(same)[0])
        where = _where(second, source=source, csv_lines=csv_lines)
        first_where = _where(first, source=source, csv_lines=csv_lines).removeprefix(source)
        label = "/".join(str(frame[k].iloc[second]) for k in keys)
        raise ClusterInputError(
            f"{where}: duplicate {'/'.join(keys)} {label} (first on{first_where})"
        )


def _check_one_group(frame: pd.DataFrame, *, source: str, csv_lines: bool) -> None:
    groups_per_sector = frame.groupby("sector", sort=False, dropna=False)["group"].transform(
        "nunique"
    )
    mixed = np.flatnonzero(groups_per_sector.to_numpy() > 1)
    if len(mixed):
        sector = frame["sector"].iloc[mixed[0]]
        rows = np.flatnonzero((frame["sector"] == sector).to_numpy())
        first_group = frame["group"].iloc[rows[0]]
        other = int(rows[(frame["group"].iloc[rows] != first_group).to_numpy()][0])
        first_where = _where(int(rows[0]), source=source, csv_lines=csv_lines)
        raise ClusterInputError(
            f"{_where(int(other), source=source, csv_lines=csv_lines)}: sector {sector} is in "
            f"group {frame['group'].iloc[other]} here but in group {first_group} "
            f"on{first_where.removeprefix(source)}"
        )


def validate_regions(
    *, frame: pd.DataFrame, source: str = "regions", csv_lines: bool = False
) -> pd.DataFrame:
    """A clean copy of the regional rows, or :class:`ClusterInputError`.

    Counts may be text (CSV): Persian digits are accepted; empty, non-numeric, non-finite
    or negative counts are refused. Each (region, sector) appears once and each sector
    belongs to one group.
    """
    _check_columns(frame, REGION_COLUMNS, source=source)
    clean = frame.loc[:, list(REGION_COLUMNS)].reset_index(drop=True).copy()
    clean = _clean_keys(clean, KEY_COLUMNS, source=source, csv_lines=csv_lines)
    clean = _clean_counts(
        clean, ("employment", "establishments"), source=source, csv_lines=csv_lines
    )
    _check_unique(clean, ("region", "sector"), source=source, csv_lines=csv_lines)
    _check_one_group(clean, source=source, csv_lines=csv_lines)
    return clean


def validate_national(
    *, frame: pd.DataFrame, source: str = "national", csv_lines: bool = False
) -> pd.DataFrame:
    """A clean copy of the national employment table, or :class:`ClusterInputError`."""
    _check_columns(frame, NATIONAL_COLUMNS, source=source)
    clean = frame.loc[:, list(NATIONAL_COLUMNS)].reset_index(drop=True).copy()
    clean = _clean_keys(clean, ("sector", "group"), source=source, csv_lines=csv_lines)
    clean = _clean_counts(clean, ("employment",), source=source, csv_lines=csv_lines)
    _check_unique(clean, ("sector",), source=source, csv_lines=csv_lines)
    return clean


def _national_per_row(
    regions: pd.DataFrame,
    national: pd.DataFrame | None,
    *,
    regions_source: str,
    national_source: str,
    csv_lines: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """E[s, nation] and E[group, nation] aligned with the regional rows."""
    if national is None:
        sector_total = regions.groupby("sector", sort=False)["employment"].transform("sum")
        group_total = regions.groupby("group", sort=False)["employment"].transform("sum")
        return sector_total.to_numpy(np.float64), group_total.to_numpy(np.float64)

    by_sector = national.set_index("sector")
    known = regions["sector"].isin(by_sector.index).to_numpy()
    if not known.all():
        pos = int(np.flatnonzero(~known)[0])
        raise ClusterInputError(
            f"{national_source}: no national employment for sector "
            f"{regions['sector'].iloc[pos]} "
            f"(used on {_where(pos, source=regions_source, csv_lines=csv_lines)})"
        )
    national_group = regions["sector"].map(by_sector["group"])
    mismatch = (national_group != regions["group"]).to_numpy()
    if mismatch.any():
        pos = int(np.flatnonzero(mismatch)[0])
        sector = regions["sector"].iloc[pos]
        nat_pos = int(np.flatnonzero((national["sector"] == sector).to_numpy())[0])
        raise ClusterInputError(
            f"{_where(nat_pos, source=national_source, csv_lines=csv_lines)}: sector {sector} "
            f"is in group {national_group.iloc[pos]} but in group {regions['group'].iloc[pos]} "
            f"in {regions_source}"
        )
    sector_total = regions["sector"].map(by_sector["employment"]).to_numpy(np.float64)
    # A sector with regional but no national employment would have an infinite LQ.
    impossible = (sector_total == 0) & (regions["employment"].to_numpy() > 0)
    if impossible.any():
        pos = int(np.flatnonzero(impossible)[0])
        sector = regions["sector"].iloc[pos]
        nat_pos = int(np.flatnonzero((national["sector"] == sector).to_numpy())[0])
        regional = regions.loc[regions["sector"] == sector, "employment"].sum()
        raise ClusterInputError(
            f"{_where(nat_pos, source=national_source, csv_lines=csv_lines)}: national "
            f"employment of sector {sector} is 0 but the regions report {regional}"
        )
    group_total = regions["group"].map(national.groupby("group")["employment"].sum())
    return sector_total, group_total.to_numpy(np.float64)


# --------------------------------------------------------------------------- mapping


def _lq(regions: pd.DataFrame, sector_nat: np.ndarray, group_nat: np.ndarray) -> np.ndarray:
    employment = regions["employment"].to_numpy(np.float64)
    group_reg = (
        regions.groupby(["region", "group"], sort=False)["employment"]
        .transform("sum")
        .to_numpy(np.float64)
    )
    positive = employment > 0
    lq = np.zeros(len(regions))
    with np.errstate(divide="ignore", invalid="ignore"):
        # Evaluated in the order of the published formula so the floating-point result
        # matches a straightforward reimplementation.
        full = (employment / group_reg) / (sector_nat / group_nat)
    lq[positive] = full[positive]
    return lq


def location_quotients(
    *,
    regions: pd.DataFrame,
    national: pd.DataFrame | None = None,
    regions_source: str = "regions",
    national_source: str = "national",
) -> pd.Series:
    """LQ of each regional row (0 where the row's employment is 0), indexed like the rows."""
    clean = validate_regions(frame=regions, source=regions_source)
    nat = None if national is None else validate_national(frame=national, source=national_source)
    sector_nat, group_nat = _national_per_row(
        clean,
        nat,
        regions_source=regions_source,
        national_source=national_source,
        csv_lines=False,
    )
    return pd.Series(_lq(clean, sector_nat, group_nat), index=regions.index, name="lq")


def map_clusters(
    *,
    regions: pd.DataFrame,
    national: pd.DataFrame | None = None,
    regions_source: str = "regions",
    national_source: str = "national",
    csv_lines: bool = False,
) -> pd.DataFrame:
    """LQ, CMP flags and ECO stars for every regional row, in input order.

    Columns: ``region, sector, group, employment, establishments, lq, qualifying,
    significant, strong, strong10, size_star, specialisation_star, focus_star, stars``.
    ``national`` has ``sector, group, employment``; without it, national employment is
    the sum over the given regions. Raises :class:`ClusterInputError` on invalid input
    (``*_source`` and ``csv_lines`` only shape its message).
    """
    clean = validate_regions(frame=regions, source=regions_source, csv_lines=csv_lines)
    nat = (
        None
        if national is None
        else validate_national(frame=national, source=national_source, csv_lines=csv_lines)
    )
    sector_nat, group_nat = _national_per_row(
        clean,
        nat,
        regions_source=regions_source,
        national_source=national_source,
        csv_lines=csv_lines,
    )
    lq = _lq(clean, sector_nat, group_nat)

    employment = clean["employment"].to_numpy(np.float64)
    establishments = clean["establishments"].to_numpy(np.float64)
    region_total = (
        clean.groupby("region", sort=False)["employment"].transform("sum").to_numpy(np.float64)
    )
    positive = employment > 0
    focus = np.zeros(len(clean))
    focus[positive] = employment[positive] / region_total[positive]

    codes, sectors = pd.factorize(clean["sector"])
    n_sectors = len(sectors)
    # Distributions are over the regions where the sector is present: a zero row would
    # otherwise drag every percentile down and make absent regions look "qualifying".
    pos_codes = codes[positive]

    def percentiles(values: np.ndarray, qs: Sequence[float]) -> np.ndarray:
        per_sector = grouped_quantiles(
            values=values[positive], codes=pos_codes, n_groups=n_sectors, quantiles=qs
        )
        return per_sector[:, codes]

    (emp_p25, emp_p90) = percentiles(employment, (0.25, TOP_SHARE_QUANTILE))
    (est_p25,) = percentiles(establishments, (0.25,))
    lq_p25, lq_p50, lq_p75, lq_p90 = percentiles(lq, (0.25, 0.5, 0.75, 0.9))
    (focus_p90,) = percentiles(focus, (TOP_SHARE_QUANTILE,))

    # NaN percentiles (sector absent everywhere) compare False, which is what we want.
    sized = positive & (employment > emp_p25) & (establishments > est_p25)
    result = clean.copy()
    result["lq"] = lq
    result["qualifying"] = sized & (lq > lq_p25)
    result["significant"] = sized & (lq > lq_p50)
    result["strong"] = sized & (lq >= lq_p75) & (lq >= 1)
    result["strong10"] = sized & (lq >= lq_p90) & (lq >= 1)
    result["size_star"] = positive & (employment >= emp_p90)
    result["specialisation_star"] = positive & (lq >= SPECIALISATION_LQ)
    result["focus_star"] = positive & (focus >= focus_p90)
    result["stars"] = (
        result["size_star"].astype(np.int64)
        + result["specialisation_star"].astype(np.int64)
        + result["focus_star"].astype(np.int64)
    )
    return result.loc[:, list(RESULT_COLUMNS)]
