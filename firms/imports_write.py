"""Bulk upserts of validated upload rows (INSERT ... ON CONFLICT DO UPDATE)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db import connection
from django.utils import timezone

from firms.imports_diff import YEAR_FIELDS
from firms.models import Firm, FirmYear, ImportJob, Park

BATCH = 2000


def _values(frame: pd.DataFrame, *extra: Any) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain Python values (NA as None), plus constant trailing values."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [(*record, *extra) for record in clean.itertuples(index=False, name=None)]


def _now() -> Any:
    # Adapted by the backend: SQLite stores text, PostgreSQL a timestamptz.
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _upsert(
    *,
    table: str,
    columns: list[str],
    conflict: list[str],
    update: list[str],
    rows: list[tuple[Any, ...]],
    guard: str = "",
) -> None:
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    sets = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in update)
    action = f"DO UPDATE SET {sets}{guard}" if update else "DO NOTHING"
    head = f"INSERT INTO {quote(table)} ({cols}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({', '.join(quote(c) for c in conflict)}) {action}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, head + "%s" + tail, rows, page_size=BATCH)
        else:
            marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
            cursor.executemany(head + marks + tail, rows)


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
    now = _now()
    _upsert(
        table=Firm._meta.db_table,
        columns=[*frame.columns, "created_at", "updated_at"],
        conflict=["national_id"],
        update=update,
        rows=_values(frame, now, now),
        guard=guard,
    )
    return dict(
        Firm.objects.filter(national_id__in=firms["national_id"].tolist(), park=park).values_list(
            "national_id", "id"
        )
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
    _upsert(
        table=FirmYear._meta.db_table,
        columns=[*frame.columns, "source_import_id", "updated_at"],
        conflict=["firm_id", "year"],
        update=[*fields, "source_import_id", "updated_at"],
        rows=_values(frame, job.pk, _now()),
    )
