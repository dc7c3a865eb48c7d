"""What an upload would change: new firms, changed firm-years (old -> new), unchanged rows.

Pure pandas (no Django): the service loads the current rows and passes them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from firms.figures import FIGURE_FIELDS

FIRM_FIELDS = ("name_fa", "name_en", "isic", "founded_year", "knowledge_based")
YEAR_FIELDS = FIGURE_FIELDS
PREVIEW_LIMIT = 200
# What the writer stores for a blank cell of these firm columns (imports_write.firms_upsert).
BLANK_AS_EMPTY: dict[str, Any] = {"name_en": "", "knowledge_based": False}


@dataclass
class ImportDiff:
    new_firms: int = 0
    changed_firms: int = 0
    new_years: int = 0
    changed_years: int = 0
    unchanged_years: int = 0
    years: list[int] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)  # first PREVIEW_LIMIT
    new_firm_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.new_firms or self.changed_firms or self.new_years or self.changed_years)


def _certifications(value: Any) -> str | None:
    """One spelling of a set of codes: sorted, de-duplicated, None when there are none.

    The parser gives None for a blank cell and sorted codes; the database holds "" for
    none and whatever order the codes were typed in elsewhere (admin, fixtures). Without
    this, a file that repeats the stored data would count as a change."""
    if not isinstance(value, str):
        return None
    codes = sorted({code.strip().upper() for code in value.split(";") if code.strip()})
    return ";".join(codes) or None


def _comparable(series: pd.Series, column: str | None = None) -> pd.Series:
    values = series.astype(object).where(series.notna(), None)
    if column == "certifications":
        values = values.map(_certifications)
    elif column in BLANK_AS_EMPTY:
        # Stored as "" or False when the cell is blank (see imports_write): blank = stored.
        values = values.map(lambda v: BLANK_AS_EMPTY[column] if v is None else v)
    # map() infers a dtype (pandas 3: str, where None becomes NaN, and NaN != NaN): compare
    # plain objects with None for missing.
    values = values.astype(object)
    return values.where(values.notna(), None)


def _jsonable(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    # Every figure is an integer; a float is only a stored integer that pandas widened
    # while merging with new rows (NaN), and would show as "1200.0".
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def import_diff(
    *,
    rows: pd.DataFrame,
    present: set[str],
    firms: pd.DataFrame,
    years: pd.DataFrame,
) -> ImportDiff:
    """Compare validated `rows` with the current `firms` (national_id + FIRM_FIELDS) and
    `years` (national_id, year + YEAR_FIELDS). Only columns `present` in the file count:
    a column the file leaves out keeps its stored values."""
    diff = ImportDiff(years=sorted(int(y) for y in rows["year"].unique()))
    firm_cols = [c for c in FIRM_FIELDS if c in present]
    year_cols = [c for c in YEAR_FIELDS if c in present]

    known = rows["national_id"].isin(firms["national_id"])
    first_of_firm = ~rows["national_id"].duplicated()
    new_firm_rows = rows[~known & first_of_firm]
    diff.new_firms = len(new_firm_rows)
    diff.new_firm_rows = [
        {"row": int(r.row), "national_id": r.national_id, "name_fa": r.name_fa}
        for r in new_firm_rows.head(PREVIEW_LIMIT).itertuples(index=False)
    ]
    if firm_cols:
        last = rows[known].drop_duplicates("national_id", keep="last").set_index("national_id")
        stored = firms.set_index("national_id").reindex(last.index)
        changed = pd.Series(False, index=last.index)
        for col in firm_cols:
            new, old = _comparable(last[col], col), _comparable(stored[col], col)
            changed |= new.ne(old).to_numpy()
        diff.changed_firms = int(changed.sum())

    merged = rows.merge(
        years, on=["national_id", "year"], how="left", suffixes=("", "__old"), indicator=True
    )
    is_new = merged["_merge"] == "left_only"
    diff.new_years = int(is_new.sum())
    changed_mask = pd.Series(False, index=merged.index)
    per_field: dict[str, pd.Series] = {}
    comparable: dict[str, tuple[pd.Series, pd.Series]] = {}
    for col in year_cols:
        new, old = _comparable(merged[col], col), _comparable(merged[f"{col}__old"], col)
        comparable[col] = (new, old)
        differs = new.ne(old) & ~is_new
        per_field[col] = differs
        changed_mask |= differs
    diff.changed_years = int(changed_mask.sum())
    diff.unchanged_years = int((~is_new & ~changed_mask).sum())
    for index in merged.index[changed_mask][:PREVIEW_LIMIT]:
        row = merged.loc[index]
        fields = {
            col: {
                "old": _jsonable(comparable[col][1].loc[index]),
                "new": _jsonable(comparable[col][0].loc[index]),
            }
            for col in year_cols
            if per_field[col].loc[index]
        }
        diff.changes.append(
            {
                "row": int(row["row"]),
                "national_id": row["national_id"],
                "name_fa": row["name_fa"],
                "year": int(row["year"]),
                "fields": fields,
            }
        )
    return diff
