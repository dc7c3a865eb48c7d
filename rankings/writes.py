"""Fast bulk inserts of DataFrames: COPY on PostgreSQL, executemany elsewhere.

Writing 100,000 scores through model instances would take longer than computing them.
"""

from __future__ import annotations

import io

import pandas as pd
from django.db import connection


def frame_insert(*, table: str, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns named as in the table). Returns the count."""
    if frame.empty:
        return 0
    columns = list(frame.columns)
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
        buffer.seek(0)
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg2's own cursor has copy_expert
            raw.copy_expert(
                f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN "
                "WITH (FORMAT csv, NULL '\\N')",
                buffer,
            )
        return len(frame)
    placeholders = ", ".join(["%s"] * len(columns))
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) VALUES ({placeholders})"  # noqa: S608
    records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(records))
    return len(frame)


def json_column(frame: pd.DataFrame) -> pd.Series:
    """One JSON object per row (NaN as null), built by pandas in C rather than per row."""
    if frame.shape[1] == 0:
        return pd.Series("{}", index=frame.index)
    text = frame.to_json(orient="records", lines=True, double_precision=6)
    return pd.Series(text.rstrip("\n").split("\n"), index=frame.index)
