"""Bulk upserts of validated upload rows (INSERT ... ON CONFLICT DO UPDATE)."""

from __future__ import annotations

import pandas as pd
from django.db import connection

from firms.imports_diff import YEAR_FIELDS
from firms.models import Firm, FirmYear, ImportJob, Park
from smerank.bulk import db_now, frame_upsert, text_in


def firms_upsert(*, rows: pd.DataFrame, present: set[str], park: Park) -> dict[str, int]:
    """Create new firms in `park` and update the named fields of existing ones (of this
    park only: the guard keeps a firm from ever moving park). Returns national_id -> id."""
    firms = rows.drop_duplicates("national_id", keep="last")
    known = "knowledge_based" in present
    frame = pd.DataFrame(
        {
            "national_id": firms["national_id"],
            "name_fa": firms["name_fa"],
            "name_en": firms["name_en"].fillna("") if "name_en" in present else "",
            "park_id": park.pk,
            "isic_id": firms["isic"],
            "founded_year": firms["founded_year"] if "founded_year" in present else None,
            "knowledge_based": firms["knowledge_based"].fillna(False) if known else False,
        }
    )
    update = ["name_fa", "isic_id", "updated_at"]
    update += [c for c in ("name_en", "founded_year", "knowledge_based") if c in present]
    quote = connection.ops.quote_name
    guard = f" WHERE {quote(Firm._meta.db_table)}.{quote('park_id')} = excluded.{quote('park_id')}"
    frame["created_at"] = frame["updated_at"] = db_now()
    frame_upsert(model=Firm, frame=frame, conflict=["national_id"], update=update, guard=guard)
    return dict(
        Firm.objects.filter(
            national_id__in=text_in(firms["national_id"].tolist()), park=park
        ).values_list("national_id", "id")
    )


def firm_years_upsert(
    *, rows: pd.DataFrame, present: set[str], firm_ids: dict[str, int], job: ImportJob
) -> None:
    """Insert or update one FirmYear per row; columns absent from the file are kept."""
    fields = [f for f in YEAR_FIELDS if f in present or f in ("employees", "sales")]
    frame = rows[["national_id", "year", *fields]].copy()
    frame.insert(0, "firm_id", frame.pop("national_id").map(firm_ids))
    # The column is NOT NULL: new rows get "" when the file has no certifications column,
    # while existing rows keep theirs (it is not in the update list then).
    frame["certifications"] = (
        frame["certifications"].fillna("") if "certifications" in frame else ""
    )
    frame["source_import_id"] = job.pk
    frame["updated_at"] = db_now()
    frame_upsert(
        model=FirmYear,
        frame=frame,
        conflict=["firm_id", "year"],
        update=[*fields, "source_import_id", "updated_at"],
    )
