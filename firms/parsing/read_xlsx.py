"""XLSX: stream the data sheet with openpyxl and turn every cell into text.

`read_only=True` streams the sheet instead of building it in memory; `data_only=False` is
deliberate: it is the only way to *see* that a cell holds a formula (with `data_only=True` a
formula shows as its cached value, or as an empty cell if never calculated). Formulas are never
evaluated; every formula cell is a row error, so a value can never depend on a recalculation
the manager did not see. openpyxl parses the XML with defusedxml when it is installed (it is a
pinned dependency), which refuses DTDs, entity expansion and external entities.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from typing import Any

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser

from .errors import FileRejected, FileWarning, display_value
from .normalise import header_key
from .read_csv import EXCEL_MAX_ROWS, trim_header
from .results import Limits, RawTable
from .schema import resolve_header

DATA_SHEET = "داده‌ها"  # the template's data sheet; its notes sheet is never read
NOTES_SHEET = "راهنما"


def read_xlsx_table(*, data: bytes, limits: Limits) -> RawTable:
    # Any exception from openpyxl on hostile input (a DTD refused by defusedxml, a bad shared
    # string index, a malformed number...) means the same thing to the manager: unreadable.
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:
        raise FileRejected("invalid_workbook") from exc
    try:
        return _read_sheet(workbook, limits)
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected("invalid_workbook") from exc
    finally:
        workbook.close()


def _pick_sheet(workbook: Any) -> tuple[ReadOnlyWorksheet, list[FileWarning]]:
    """The template's data sheet if present, else the first visible worksheet."""
    sheets = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
    if not sheets:
        raise FileRejected("invalid_workbook")
    wanted = header_key(DATA_SHEET)
    chosen = next((ws for ws in sheets if header_key(ws.title) == wanted), sheets[0])
    others = [ws.title for ws in sheets if ws is not chosen and ws.title != NOTES_SHEET]
    notes = []
    if others:
        notes.append(FileWarning.build(
            "sheets_ignored",
            {"sheet": display_value(chosen.title), "others": "، ".join(map(display_value, others))},
        ))  # fmt: skip
    return chosen, notes


def _read_sheet(workbook: Any, limits: Limits) -> RawTable:
    sheet, notes = _pick_sheet(workbook)
    # openpyxl's own streaming parser (what ReadOnlyWorksheet.iter_rows uses), driven directly
    # so only cells present in the XML are visited: iter_rows pads every row to a fixed width,
    # and a single cell in column XFD would make every row 16,384 cells wide. It also ignores
    # the producer-written <dimension>, which may be wrong. These are private openpyxl names;
    # openpyxl is pinned (3.1.5) and every XLSX test goes through them.
    source = sheet._get_source()
    try:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        return _collect(parser.parse(), sheet.title, notes, limits)
    finally:
        source.close()


def _collect(
    parsed: Iterable[tuple[int, list[dict[str, Any]]]],
    title: str,
    notes: list[FileWarning],
    limits: Limits,
) -> RawTable:
    header: list[str] | None = None
    id_columns: set[int] = set()
    rows: list[list[str]] = []
    numbers: list[int] = []
    issues: dict[tuple[int, int], str] = {}
    cap = limits.max_columns
    width = cap
    for row_no, cells in parsed:
        if row_no > EXCEL_MAX_ROWS:  # only a crafted sheet goes past Excel's last row
            raise FileRejected("too_many_lines", {"max": EXCEL_MAX_ROWS})
        texts = [""] * cap
        used = 0  # 1 + the last non-blank column; cap + 1 if anything lies beyond the cap
        row_issues: list[tuple[int, str]] = []
        for cell in cells:
            col = cell["column"] - 1
            text, issue = _cell_text(cell, col in id_columns)
            if not text.strip():
                continue
            if col >= cap:
                used = cap + 1
                continue
            texts[col] = text
            used = max(used, col + 1)
            if issue:
                row_issues.append((col, issue))
        if not used:
            continue  # a wholly empty row is not a row
        if header is None:
            if row_no != 1 or row_issues:
                raise FileRejected("no_header")
            if used > cap:
                raise FileRejected("too_many_columns", {"max": cap})
            header = trim_header(texts[:used], limits)
            width = len(header)
            id_columns = {i for i, h in enumerate(header) if resolve_header(h) == "national_id"}
            continue
        if len(rows) >= limits.max_rows:
            raise FileRejected("too_many_rows", {"max": limits.max_rows})
        for col, issue in row_issues:
            issues[(len(rows), col)] = issue
        # Excel omits empty trailing cells, so short rows are padded; longer ones stay ragged.
        rows.append(texts[: max(width, used)] if used <= cap else [*texts, ""])
        numbers.append(row_no)
    if header is None:
        raise FileRejected("empty_file")
    return RawTable(header=header, rows=rows, row_numbers=numbers, file_type="xlsx",
                    sheet=title, issues=issues, warnings=notes)  # fmt: skip


def _cell_text(cell: dict[str, Any], is_id: bool) -> tuple[str, str | None]:
    """(text as the user would see it, reader issue code or None)."""
    value = cell["value"]
    if value is None:
        return "", None
    kind = cell["data_type"]
    if kind == "s":
        return value, None
    if kind == "f":
        return str(getattr(value, "text", value)), "formula"
    if kind == "e":
        return str(value), "excel_error"
    if kind == "b":
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, int):
        return str(value), ("id_numeric_cell" if is_id else None)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value), "not_a_number"
        # An integral float prints as its integer (1e20 -> 100000000000000000000, which the
        # range check rejects as too large); any other float is rejected as a decimal.
        text = str(int(value)) if value.is_integer() else repr(value)
        return text, ("id_numeric_cell" if is_id else None)
    return str(value), None  # dates and times: text, rejected by numeric columns
