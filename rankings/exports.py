"""Tabular exports: rows → CSV or XLSX bytes, safe to open in a spreadsheet.

No Django here, so any app (clusters, shortfalls, audit) can reuse it. A row is a
sequence of cells: str, int, float, bool, None (or anything, which is written as text).

Spreadsheets run a text cell that starts with = + - @ (or a tab or carriage return,
which some of them strip first) as a formula: a firm named "=HYPERLINK(...)" must not
become a link in an analyst's Excel. Such text gets a leading apostrophe (OWASP "CSV
injection"); numbers stay numbers so the sheet can still sum and sort them.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# Characters an XLSX (XML 1.0) cell may not hold; openpyxl raises on them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_MAX_TEXT = 32_767

Cell = str | int | float | bool | None
Row = Sequence[object]


def neutralise(value: object) -> Cell:
    """A cell value that no spreadsheet will evaluate.

    Numbers (not NaN/inf, which spreadsheets cannot hold) and None pass through;
    anything else becomes text, prefixed with an apostrophe when it starts with a
    formula trigger.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_chunks(*, header: Sequence[str], rows: Iterable[Row], batch: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (Excel then reads Persian correctly), in chunks
    of `batch` rows so a large export can be streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([neutralise(h) for h in header])
    for i, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(c) for c in row])
        if i % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_bytes(*, header: Sequence[str], rows: Iterable[Row]) -> bytes:
    return b"".join(csv_chunks(header=header, rows=rows))


def _csv_cell(value: object) -> object:
    cell = neutralise(value)
    if isinstance(cell, bool):
        # "True"/"False" would be read back as text; 1/0 stays a number.
        return int(cell)
    if isinstance(cell, float):
        return repr(cell)  # full precision, never a locale-formatted number
    return "" if cell is None else cell


def xlsx_bytes(
    *, header: Sequence[str], rows: Iterable[Row], sheet_title: str = "Sheet1", rtl: bool = False
) -> bytes:
    """An XLSX workbook with one sheet, written with openpyxl's write-only (streaming) mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.sheet_view.rightToLeft = rtl
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_cell(title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(c) for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(value: object) -> Cell:
    if not isinstance(value, bool | int | float | None):
        # Strip what XML cannot carry *before* neutralising, so "\x01=cmd" cannot turn
        # into a formula (openpyxl stores any text starting with "=" as one).
        value = _ILLEGAL_XML.sub("", str(value))
    cell = neutralise(value)
    return cell[:_XLSX_MAX_TEXT] if isinstance(cell, str) else cell


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Sheet1"
    return cleaned[:31]
