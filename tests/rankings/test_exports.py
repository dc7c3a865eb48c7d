"""Spreadsheet exports: Persian survives Excel, formulas never run, numbers stay numbers."""

import csv
import io
import math

import pytest
from openpyxl import load_workbook

from rankings.exports import csv_bytes, csv_chunks, neutralise, xlsx_bytes

HEADER = ["رتبه", "نام", "امتیاز"]


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"],
)
def test_text_starting_with_a_formula_trigger_gets_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_numbers_none_and_ordinary_text_pass_through_unchanged() -> None:
    assert neutralise(-12) == -12 and isinstance(neutralise(-12), int)
    assert neutralise(3.25) == 3.25
    assert neutralise(None) is None
    assert neutralise(True) is True
    assert neutralise("صنایع پارس") == "صنایع پارس"
    assert neutralise("IR-23") == "IR-23"


def test_nan_and_infinity_become_empty_cells() -> None:
    assert neutralise(math.nan) is None
    assert neutralise(math.inf) is None


def _read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_is_utf8_with_a_byte_order_mark_so_excel_reads_persian() -> None:
    data = csv_bytes(header=HEADER, rows=[[1, "صنایع پارس", 71.5]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert _read_csv(data) == [HEADER, ["1", "صنایع پارس", "71.5"]]


def test_csv_neutralises_formulas_but_keeps_negative_numbers_numeric() -> None:
    data = csv_bytes(header=HEADER, rows=[[2, "=cmd|'/c calc'!A1", -3], [3, "@x", None]])
    rows = _read_csv(data)
    assert rows[1] == ["2", "'=cmd|'/c calc'!A1", "-3"]
    assert rows[2] == ["3", "'@x", ""]


def test_csv_streams_in_batches_and_the_chunks_add_up_to_the_whole_file() -> None:
    rows = [[i, f"firm {i}", i / 2] for i in range(1, 1201)]
    chunks = list(csv_chunks(header=HEADER, rows=rows, batch=500))
    assert len(chunks) == 3
    assert b"".join(chunks) == csv_bytes(header=HEADER, rows=rows)
    assert len(_read_csv(b"".join(chunks))) == 1201


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_xlsx_keeps_numbers_numeric_and_formulas_as_plain_text() -> None:
    data = xlsx_bytes(
        header=HEADER,
        rows=[[1, '=HYPERLINK("http://evil","click")', 71.25], [2, "-1+2", -4]],
        sheet_title="SME 1403",
    )
    sheet = _sheet(data)
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A2"].value == 1 and sheet["C2"].value == 71.25
    assert sheet["B2"].value == '\'=HYPERLINK("http://evil","click")'
    assert sheet["B2"].data_type == "s"
    assert sheet["B3"].value == "'-1+2" and sheet["C3"].value == -4
    assert sheet.title == "SME 1403"


def test_xlsx_drops_control_characters_before_neutralising() -> None:
    # "\x01=1+1" would become "=1+1" (a formula) if the character were stripped after.
    sheet = _sheet(xlsx_bytes(header=HEADER, rows=[[1, "\x01=1+1", 0]]))
    assert sheet["B2"].value == "'=1+1" and sheet["B2"].data_type == "s"


def test_xlsx_for_persian_pages_is_right_to_left() -> None:
    sheet = _sheet(xlsx_bytes(header=HEADER, rows=[], rtl=True))
    assert sheet.sheet_view.rightToLeft is True
    assert sheet.max_row == 1


def test_an_unusable_sheet_title_is_cleaned_to_excels_rules() -> None:
    sheet = _sheet(xlsx_bytes(header=HEADER, rows=[], sheet_title="a/b:c*" + "x" * 40))
    assert sheet.title == ("a b c " + "x" * 40)[:31]
