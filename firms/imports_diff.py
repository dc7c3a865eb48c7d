"""What an upload would change: new firms, changed firm-years (old -> new), unchanged rows.

Pure pandas (no Django): the service loads the current rows and passes them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

FIRM_FIELDS = ("name_fa", "name_en", "isic", "founded_year", "knowledge_based")
YEAR_FIELDS = (
    "employees",
    "sales",
    "exports",
    "export_countries",
    "rd_spend",
    "net_profit",
    "total_assets",
    "total_debt",
    "certifications",
    "new_products",
    "tech_level",
)
PREVIEW_LIMIT = 200


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


def _comparable(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def _jsonable(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        return value.item()
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
            changed |= _comparable(last[col]).ne(_comparable(stored[col])).to_numpy()
        diff.changed_firms = int(changed.sum())

    merged = rows.merge(
        years, on=["national_id", "year"], how="left", suffixes=("", "__old"), indicator=True
    )
    is_new = merged["_merge"] == "left_only"
    diff.new_years = int(is_new.sum())
    changed_mask = pd.Series(False, index=merged.index)
    per_field: dict[str, pd.Series] = {}
    for col in year_cols:
        differs = _comparable(merged[col]).ne(_comparable(merged[f"{col}__old"])) & ~is_new
        per_field[col] = differs
        changed_mask |= differs
    diff.changed_years = int(changed_mask.sum())
    diff.unchanged_years = int((~is_new & ~changed_mask).sum())
    for index in merged.index[changed_mask][:PREVIEW_LIMIT]:
        row = merged.loc[index]
        fields = {
            col: {"old": _jsonable(row[f"{col}__old"]), "new": _jsonable(row[col])}
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
