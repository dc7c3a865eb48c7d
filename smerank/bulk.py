"""Fast bulk writes of DataFrames: COPY on PostgreSQL, executemany elsewhere.

Writing 100,000 scores or firm-years through model instances would take longer than
computing them: Django prepares every field of every row, and on PostgreSQL a VALUES list
must be formatted by the client and parsed by the server, where COPY streams plain text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

# COPY's text format: these characters are escaped inside a value; \N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def frame_insert(*, model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the table's) into `model`'s table.
    Returns the count."""
    if frame.empty:
        return 0
    frame = _integers_as_integers(model, frame)
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _copy(cursor, table=table, frame=frame)
        return len(frame)
    marks = ", ".join(["%s"] * frame.shape[1])
    sql = f"INSERT INTO {_qn(table)} ({_cols(frame)}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, _records(frame))
    return len(frame)


def copy_chunks(frame: pd.DataFrame, rows: int = 5000) -> Iterator[bytes]:
    """`frame` in COPY's text format (tab-separated, \\N for NULL, UTF-8), `rows` lines
    at a time, so PostgreSQL parses a chunk while the next one is joined.

    The values are formatted a column at a time with numpy: with the chunks, about three
    times faster than `to_csv`, whose quoting of the long JSON columns dominated the write.
    """
    columns = [_copy_values(frame.iloc[:, i]) for i in range(frame.shape[1])]
    for start in range(0, len(frame), rows):
        part = [column[start : start + rows] for column in columns]
        yield ("\n".join(map("\t".join, zip(*part, strict=True))) + "\n").encode()


class _Chunks:
    """The file psycopg2's copy_expert reads: each read() is the next chunk (any size will
    do; an empty one ends the COPY)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def read(self, size: int = -1) -> bytes:
        return next(self._chunks, b"")


def _copy_values(series: pd.Series) -> list[str]:
    """One column as COPY text values; NaN, None, NA and NaT are NULL."""
    missing = series.isna().to_numpy()
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) and not missing.any():
        values = np.where(series.to_numpy(dtype=bool), "t", "f").tolist()
    elif pd.api.types.is_integer_dtype(dtype):
        numbers = series.to_numpy(dtype=getattr(dtype, "numpy_dtype", dtype), na_value=0)
        values = numbers.astype(str).tolist()
    elif pd.api.types.is_float_dtype(dtype):
        # repr precision: every float64 survives the round trip exactly.
        values = series.to_numpy(dtype=np.float64, na_value=np.nan).astype(str).tolist()
    else:
        # One escape pass over the whole column; NUL (never valid in PostgreSQL text)
        # separates the values meanwhile.
        items = series.to_numpy(dtype=object).tolist()  # not per item through pandas
        text = "\x00".join("" if m else str(v) for v, m in zip(items, missing, strict=True))
        if any(c in text for c in "\\\t\n\r"):  # rare; the scans are much cheaper
            text = text.translate(_COPY_ESCAPES)
        values = text.split("\x00")
        if len(values) != len(series):
            raise ValueError(f"column {series.name!r} holds a NUL character")
    for i in np.flatnonzero(missing).tolist():
        values[i] = "\\N"
    return values


def json_column(frame: pd.DataFrame) -> pd.Series:
    """One JSON object per row (NaN as null), built by pandas in C rather than per row."""
    if frame.shape[1] == 0 or frame.empty:
        return pd.Series("{}", index=frame.index, dtype=object)
    numeric = all(pd.api.types.is_numeric_dtype(d) for d in frame.dtypes)
    if numeric and not any("}" in str(c) for c in frame.columns):
        # Numbers only: "},{" can only separate two records, so one split of the JSON
        # array beats pandas' own conversion to JSON lines (a third of the time).
        text = frame.to_json(orient="records", double_precision=6)
        objects = ["{" + part + "}" for part in text[2:-2].split("},{")]
        if len(objects) == len(frame):
            return pd.Series(objects, index=frame.index)
    text = frame.to_json(orient="records", lines=True, double_precision=6)
    return pd.Series(text.rstrip("\n").split("\n"), index=frame.index)


def frame_update(*, model: type[models.Model], frame: pd.DataFrame, keys: list[str]) -> int:
    """Update the rows of `model`'s table matched by the `keys` columns of `frame` with its
    other columns. Returns the number of rows in `frame`.

    PostgreSQL: COPY into a temporary table, then one UPDATE ... FROM (100,000 rows in one
    statement rather than 100,000 round trips). Elsewhere: executemany of one UPDATE.
    """
    if frame.empty:
        return 0
    values = [c for c in frame.columns if c not in keys]
    if not values or any(k not in frame.columns for k in keys):
        raise ValueError("frame_update needs the key columns and at least one value column")
    frame = _integers_as_integers(model, frame)
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        assignments = ", ".join(f"{_qn(c)} = u.{_qn(c)}" for c in values)
        matches = " AND ".join(f"t.{_qn(k)} = u.{_qn(k)}" for k in keys)
        with transaction.atomic(), connection.cursor() as cursor:
            temp = _copy_into_temp(cursor, table=table, frame=frame)
            cursor.execute(f"ANALYZE {temp}")  # a join plan fit for 100,000 rows
            cursor.execute(
                f"UPDATE {_qn(table)} AS t SET {assignments} FROM {temp} AS u WHERE {matches}"  # noqa: S608
            )
            cursor.execute(f"DROP TABLE {temp}")
        return len(frame)
    assignments = ", ".join(f"{_qn(c)} = %s" for c in values)
    matches = " AND ".join(f"{_qn(k)} = %s" for k in keys)
    sql = f"UPDATE {_qn(table)} SET {assignments} WHERE {matches}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, _records(frame[values + keys]))
    return len(frame)


_INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
}


def db_now() -> str:
    """The current time as the database takes it in a text column value (COPY on
    PostgreSQL, a bound parameter on SQLite)."""
    return str(connection.ops.adapt_datetimefield_value(timezone.now()))


def frame_upsert(
    *,
    model: type[models.Model],
    frame: pd.DataFrame,
    conflict: list[str],
    update: list[str],
    guard: str = "",
) -> int:
    """INSERT every row of `frame` (columns named as the table's) into `model`'s table; a
    row clashing on the `conflict` columns updates the `update` columns (none: the
    existing row is kept). `guard` is an SQL condition appended to the DO UPDATE
    (`WHERE <table>.<col> = excluded.<col>`), for updates that may only touch some rows.
    Returns the number of rows in `frame`.

    PostgreSQL: COPY into a temporary table shaped like the table, then one INSERT ...
    SELECT ... ON CONFLICT. Elsewhere: executemany of the same statement with VALUES.
    """
    if frame.empty:
        return 0
    frame = _integers_as_integers(model, frame)
    table = model._meta.db_table
    cols = _cols(frame)
    sets = ", ".join(f"{_qn(c)} = excluded.{_qn(c)}" for c in update)
    action = f"DO UPDATE SET {sets}{guard}" if update else "DO NOTHING"
    tail = f"ON CONFLICT ({', '.join(_qn(c) for c in conflict)}) {action}"
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            temp = _copy_into_temp(cursor, table=table, frame=frame)
            cursor.execute(f"INSERT INTO {_qn(table)} ({cols}) SELECT {cols} FROM {temp} {tail}")  # noqa: S608
            cursor.execute(f"DROP TABLE {temp}")
        return len(frame)
    marks = ", ".join(["%s"] * frame.shape[1])
    sql = f"INSERT INTO {_qn(table)} ({cols}) VALUES ({marks}) {tail}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, _records(frame))
    return len(frame)


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _cols(frame: pd.DataFrame) -> str:
    return ", ".join(_qn(c) for c in frame.columns)


def _records(frame: pd.DataFrame) -> list[tuple]:
    """The rows as tuples of plain values, NaN/NA as None (for executemany)."""
    return list(frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None))


def _copy(cursor: Any, *, table: str, frame: pd.DataFrame) -> None:
    """COPY `frame` into `table` (quoted here) in the text format of `copy_chunks`."""
    cursor.cursor.copy_expert(  # psycopg2's own cursor has copy_expert
        f"COPY {_qn(table)} ({_cols(frame)}) FROM STDIN", _Chunks(copy_chunks(frame))
    )


def _copy_into_temp(cursor: Any, *, table: str, frame: pd.DataFrame) -> str:
    """COPY `frame` into a temporary table with `table`'s column types, dropped at the end
    of the transaction; returns its quoted name."""
    temp = f"_bulk_{table}"
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_qn(temp)} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {_cols(frame)} FROM {_qn(table)} WITH NO DATA"
    )
    _copy(cursor, table=temp, frame=frame)
    return _qn(temp)


def _integers_as_integers(model: type[models.Model], frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns (pandas' dtype for integers with gaps) bound for integer columns as
    nullable integers, so COPY gets "12", not "12.0"; a fractional value raises."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    casts = {}
    for name, dtype in frame.dtypes.items():
        field = fields.get(name)
        if field is None or not pd.api.types.is_float_dtype(dtype):
            continue
        target = field.target_field if field.is_relation else field
        if target.get_internal_type() in _INTEGER_TYPES:
            casts[name] = "Int64"
    return frame.astype(casts) if casts else frame


def text_in(values: list[str]) -> RawSQL:
    """A subquery for `field__in=` holding any number of strings as ONE parameter.

    A plain list becomes one placeholder per value: 50,000 national ids of an upload are
    a 50,000-parameter statement for PostgreSQL to parse, and past SQLite's limit of
    32,766 variables an error. An array (PostgreSQL) or a JSON list (SQLite) is one.
    """
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::text[])", [list(values)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values))])
