"""Downloads (templates, the annotated error file) and the command-line checker."""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
import pytest

from firms.parsing import COLUMNS, annotated_xlsx, template_csv, template_xlsx
from firms.parsing.__main__ import main

from .filemakers import (
    GOOD_ROW,
    KEYS,
    ROOT,
    csv_bytes,
    good_csv,
    good_xlsx,
    parse,
    rejection,
    row,
    rows_for,
    table,
)


def test_the_csv_template_is_a_utf8_bom_persian_header_row_excel_opens_correctly() -> None:
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    assert data[3:].decode().strip().split(",") == [c.header_fa for c in COLUMNS]
    assert rejection(data).code == "no_rows"


def test_the_csv_template_with_a_row_added_is_accepted() -> None:
    line = ",".join(GOOD_ROW[k] for k in KEYS).encode()
    assert parse(template_csv() + line + b"\r\n").ok


def test_the_xlsx_template_has_a_right_to_left_data_sheet_and_a_notes_sheet() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    data, notes = workbook.worksheets
    assert (data.title, notes.title) == ("داده‌ها", "راهنما")
    assert data.sheet_view.rightToLeft
    assert [c.value for c in data[1]] == [c.header_fa for c in COLUMNS]
    assert data.column_dimensions["A"].number_format == "@"  # ids stay text in Excel
    assert [r[1].value for r in notes.iter_rows(min_row=2, max_row=19)] == KEYS


def test_the_xlsx_template_filled_in_is_accepted() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    workbook["داده‌ها"].append([GOOD_ROW[k] for k in KEYS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert rejection(template_xlsx()).code == "no_rows"
    result = parse(buffer.getvalue())
    assert result.ok and result.warnings == []


def _annotated(data: bytes, lang: str = "fa") -> openpyxl.worksheet.worksheet.Worksheet:
    result = parse(data)
    out = annotated_xlsx(data=data, result=result, lang=lang)  # type: ignore[arg-type]
    return openpyxl.load_workbook(io.BytesIO(out)).active


def test_the_annotated_file_highlights_bad_cells_and_explains_them_per_row() -> None:
    rows = rows_for(3)
    rows[1]["sales"] = "-5"
    sheet = _annotated(good_csv(rows))
    sales = KEYS.index("sales") + 1
    assert sheet.cell(3, sales).value == "-5"
    assert sheet.cell(3, sales).fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet.cell(2, sales).fill.fgColor.rgb in (None, "00000000")
    assert sheet.cell(1, 19).value == "خطاها"
    assert sheet.cell(3, 19).value == "«فروش (میلیون ریال)»: باید صفر یا بیشتر باشد"
    assert sheet.cell(2, 19).value in (None, "")


def test_the_annotated_file_keeps_row_numbers_leading_zeros_and_never_makes_formulas() -> None:
    zero = row(national_id="01234567890")
    records = [*table([row(name_en="=1+1")]), [], [zero[k] for k in KEYS]]
    sheet = _annotated(csv_bytes(records), "en")
    assert sheet.cell(2, KEYS.index("name_en") + 1).data_type == "s"  # text, not a formula
    assert sheet.cell(2, KEYS.index("name_en") + 1).value == "=1+1"
    assert sheet.cell(3, 1).value is None  # the blank line stays a blank row
    assert sheet.cell(4, 1).value == "01234567890"
    assert sheet.cell(4, 19).value == "national_id: is not a valid national id (wrong check digit)"


def test_the_annotated_file_escapes_characters_excel_cannot_store() -> None:
    sheet = _annotated(good_csv([row(name_fa="شرکت\x00x")]), "en")
    assert sheet.cell(2, 2).value == "شرکت\\u0000x"


def test_the_annotated_file_of_a_workbook_keeps_its_gaps() -> None:
    data = good_xlsx([row(sales="-1")])
    sheet = _annotated(data)
    assert sheet.cell(2, KEYS.index("sales") + 1).value == "-1"


def test_the_cli_prints_one_line_per_bad_cell_and_exits_1(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "firms.csv"  # type: ignore[operator]
    path.write_bytes(good_csv([row(sales="-5")]))
    assert main([str(path)]) == 1
    assert capsys.readouterr().out == 'row 2, column sales, value "-5": must be zero or more\n'


def test_the_cli_prints_a_summary_and_exits_0_for_a_good_file(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "firms.xlsx"  # type: ignore[operator]
    path.write_bytes(good_xlsx(rows_for(3)))
    assert main([str(path), "--annotate", str(path) + ".out.xlsx"]) == 0
    assert capsys.readouterr().out == "3 rows OK (xlsx, sheet داده‌ها)\n"


def test_the_cli_explains_a_refused_file_in_persian_on_request(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.csv"  # type: ignore[operator]
    path.write_bytes(b"")
    assert main([str(path), "--lang", "fa"]) == 1
    assert capsys.readouterr().out == "file rejected (empty_file): فایل خالی است\n"


def test_the_cli_runs_as_a_module_without_django(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "firms.csv"  # type: ignore[operator]
    path.write_bytes(good_csv())
    isic = tmp_path / "isic.csv"  # type: ignore[operator]
    isic.write_text("code\n1079\n")
    done = subprocess.run(
        [sys.executable, "-m", "firms.parsing", str(path), "--isic-file", str(isic)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "1 rows OK (csv, utf-8)\n")
