"""The uploaded rows back as XLSX, with the bad cells highlighted and an errors column.

Rows keep their original row numbers (skipped blank lines stay blank), so "row 7" in a message
is row 7 in this file. Every value is written as text, exactly as read: leading zeros survive,
and a value starting with "=" is stored as a string, never as a formula (CSV/formula injection,
ASVS 1.2.10). The sheet uses the template's data-sheet name, so the manager can fix the cells
and upload this same file again (the errors column is then ignored with a warning).
"""

from __future__ import annotations

import dataclasses
import io
from collections import defaultdict
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .errors import CellError
from .read_csv import read_csv_table
from .read_xlsx import DATA_SHEET, read_xlsx_table
from .results import DEFAULT_LIMITS, Limits, ValidationResult

_BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXCEL_MAX_TEXT = 32_767
_ERRORS_HEADER = {"fa": "خطاها", "en": "errors"}


def annotated_xlsx(
    *,
    data: bytes,
    result: ValidationResult,
    lang: Literal["fa", "en"] = "fa",
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """XLSX bytes of `data`'s rows plus an errors column; bad cells filled red.

    `data` and `limits` must be those `result` came from (the file is read again, not
    validated again); only the errors in `result.errors` are marked (at most max_errors).
    """
    # Re-reading needs no row cap beyond what the validated file already had.
    limits = dataclasses.replace(limits, max_rows=max(limits.max_rows, result.total_rows))
    reader = read_xlsx_table if result.file_type == "xlsx" else read_csv_table
    table = reader(data=data, limits=limits)
    by_row: dict[int, list[CellError]] = defaultdict(list)
    for error in result.errors:
        by_row[error.row].append(error)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.sheet_view.rightToLeft = lang == "fa"
    width = max([len(table.header), *(len(row) for row in table.rows)])
    for index in range(1, width + 2):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.column_dimensions[get_column_letter(width + 1)].width = 60

    header: list[WriteOnlyCell | None] = [
        _text_cell(sheet, text, fill=_HEADER_FILL, bold=True) for text in table.header
    ]
    header += [None] * (width - len(table.header))
    header.append(_text_cell(sheet, _ERRORS_HEADER[lang], fill=_BAD_FILL, bold=True))
    sheet.append(header)

    written = 1
    for values, row_no in zip(table.rows, table.row_numbers, strict=True):
        while written < row_no - 1:  # keep the original row numbers
            sheet.append([])
            written += 1
        errors = by_row.get(row_no, [])
        marked = {result.columns[e.column] for e in errors if e.column in result.columns}
        cells: list[WriteOnlyCell | None] = [
            _text_cell(sheet, value, fill=_BAD_FILL if i in marked else None)
            for i, value in enumerate(values)
        ]
        cells += [None] * (width - len(values))
        cells.append(_text_cell(sheet, _describe(errors, lang), wrap=True))
        sheet.append(cells)
        written = row_no
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _describe(errors: list[CellError], lang: str) -> str:
    if lang == "fa":
        return "\n".join(f"«{e.header_fa}»: {e.message_fa}" for e in errors)
    return "\n".join(f"{e.column}: {e.message_en}" for e in errors)


def _text_cell(
    sheet: WriteOnlyWorksheet,
    value: str,
    *,
    fill: PatternFill | None = None,
    bold: bool = False,
    wrap: bool = False,
) -> WriteOnlyCell:
    # openpyxl refuses control characters; show them escaped like the error messages do.
    safe = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    cell = WriteOnlyCell(sheet, value=safe[:_EXCEL_MAX_TEXT])
    cell.data_type = "s"  # a leading "=" must stay text, never become a formula
    if fill is not None:
        cell.fill = fill
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell
