"""The bad-input corpus, row level: a file that reads fine but has one bad cell reports that
cell exactly (row as the user sees it, column, value as written, message), and the result is
not `ok`, so the service stores nothing from the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from .filemakers import (
    GOOD_ROW,
    KEYS,
    VALID_ID,
    good_csv,
    parse,
    row,
    sheet_xml,
    table,
    with_sheet_xml,
    xlsx_bytes,
)
from .test_parsing_hostile import FILES


@dataclass(frozen=True)
class BadCell:
    """A file read fine but with one bad cell (row as the user sees it: header = row 1)."""

    make: Callable[[], bytes]
    row: int
    column: str
    value: str
    code: str
    message: str


def _xml_cell(column: str, cell: str) -> Callable[[], bytes]:
    """A workbook whose row 2 is valid except one raw <c> element."""
    letters = "ABCDEFG"

    def make() -> bytes:
        cells = "".join(
            cell if letter == column
            else f'<c r="{letter}2" t="inlineStr"><is><t>{GOOD_ROW[key]}</t></is></c>'
            for letter, key in zip(letters, KEYS, strict=False)
        )  # fmt: skip
        return with_sheet_xml(sheet_xml(f'<row r="2">{cells}</row>'))

    return make


def _xlsx_row(**cells: object) -> Callable[[], bytes]:
    return lambda: xlsx_bytes([*table([]), [cells.get(k, GOOD_ROW[k]) for k in KEYS]])


def _csv_row(**changes: str) -> Callable[[], bytes]:
    return lambda: good_csv([row(**changes)])


CELLS: dict[str, BadCell] = {
    "negative sales": BadCell(_csv_row(sales="-5"), 2, "sales", "-5", "negative",
                              "must be zero or more"),
    "an accounting negative (5)": BadCell(
        _csv_row(sales="(5)"), 2, "sales", "(5)", "parenthesised_number",
        "a number in parentheses is not accepted; write a negative number with a minus sign"),
    "dots as thousands separators": BadCell(
        _csv_row(sales="1.234.567"), 2, "sales", "1.234.567", "ambiguous_number",
        'the separator is ambiguous; write the number without separators or with "," for'
        " thousands"),
    "an Arabic comma in a number": BadCell(
        _csv_row(sales="۱۲۳،۵"), 2, "sales", "۱۲۳،۵", "ambiguous_number",
        'the separator is ambiguous; write the number without separators or with "," for'
        " thousands"),
    "a Persian decimal": BadCell(_csv_row(employees="۱۲٫۵"), 2, "employees", "۱۲٫۵",
                                 "not_integer", "must be a whole number"),
    "NaN": BadCell(_csv_row(sales="NaN"), 2, "sales", "NaN", "not_a_number", "must be a number"),
    "-inf": BadCell(_csv_row(net_profit="-inf"), 2, "net_profit", "-inf", "not_a_number",
                    "must be a number"),
    "1e309": BadCell(_csv_row(sales="1e309"), 2, "sales", "1e309", "scientific_notation",
                     "scientific notation (such as 1E+10) is not accepted; write the full number"),
    "#DIV/0! typed in a CSV": BadCell(
        _csv_row(sales="#DIV/0!"), 2, "sales", "#DIV/0!", "excel_error",
        "the cell holds an Excel error; fix the formula or type the value"),
    "fullwidth digits": BadCell(_csv_row(employees="１２"), 2, "employees", "１２",
                                "not_a_number", "must be a number"),
    "an absurd sales figure": BadCell(
        _csv_row(sales="99999999999999999999"), 2, "sales", "99999999999999999999",
        "too_large", "must be at most 1000000000000"),
    "a billion employees": BadCell(_csv_row(employees="1000000000"), 2, "employees",
                                   "1000000000", "too_large", "must be at most 1000000"),
    "an absurd loss": BadCell(
        _csv_row(net_profit="-99999999999999999999"), 2, "net_profit", "-99999999999999999999",
        "too_small", "must be at least -1000000000000"),
    "a blank firm name": BadCell(_csv_row(name_fa="  "), 2, "name_fa", "  ", "required",
                                 "a value is required"),
    "NA as a value": BadCell(_csv_row(employees="NA"), 2, "employees", "NA", "required",
                             "a value is required"),
    "a bad national-id checksum": BadCell(
        _csv_row(national_id="11111111111"), 2, "national_id", "11111111111", "bad_checksum",
        "is not a valid national id (wrong check digit)"),
    "an id in scientific notation": BadCell(
        _csv_row(national_id="1.03803E+10"), 2, "national_id", "1.03803E+10",
        "id_scientific_notation",
        'Excel turned the id into scientific notation; format the column as "Text" and type'
        " the id again"),
    "an id saved as a decimal number": BadCell(
        _csv_row(national_id="10380284790.0"), 2, "national_id", "10380284790.0",
        "id_numeric_cell",
        'the id is stored as a number; format the column as "Text" and type the id again'),
    "an id that lost its leading zero": BadCell(
        _csv_row(national_id="0380284790"), 2, "national_id", "0380284790",
        "national_id_format", "a national id must be exactly 11 digits"),
    "a numeric id cell in XLSX": BadCell(
        _xlsx_row(national_id=int(VALID_ID)), 2, "national_id", VALID_ID, "id_numeric_cell",
        'the id is stored as a number; format the column as "Text" and type the id again'),
    "an XLSX formula": BadCell(
        _xlsx_row(employees="=40+5"), 2, "employees", "=40+5", "formula",
        "the cell holds a formula; convert it to a value (Paste Special → Values)"),
    "an XLSX formula with a cached value": BadCell(
        _xml_cell("F", '<c r="F2"><f>40+5</f><v>45</v></c>'), 2, "employees", "=40+5",
        "formula", "the cell holds a formula; convert it to a value (Paste Special → Values)"),
    "a DDE formula": BadCell(
        _xlsx_row(name_fa="=cmd|' /C calc'!A0"), 2, "name_fa", "=cmd|' /C calc'!A0", "formula",
        "the cell holds a formula; convert it to a value (Paste Special → Values)"),
    "an XLSX error cell": BadCell(
        _xml_cell("G", '<c r="G2" t="e"><v>#DIV/0!</v></c>'), 2, "sales", "#DIV/0!",
        "excel_error", "the cell holds an Excel error; fix the formula or type the value"),
    "an overflowing XLSX number": BadCell(
        _xml_cell("G", '<c r="G2"><v>1e309</v></c>'), 2, "sales", "inf", "not_a_number",
        "must be a number"),
    "a NUL byte in a name": BadCell(
        _csv_row(name_fa="شرکت\x00x"), 2, "name_fa", "شرکت\\u0000x", "control_character",
        "contains a control or invalid character"),
    "a 10,000-character name": BadCell(
        _csv_row(name_fa="ب" * 10_000), 2, "name_fa", "ب" * 100 + "…", "too_long",
        "is longer than 200 characters"),
    "a row with extra values": BadCell(
        lambda: good_csv() + good_csv()[-200:].split(b"\r\n")[-2] + b",x,y\r\n", 3, "*", "",
        "ragged_row", "the row has 20 values but the header has 18 columns"),
    "a row with missing values": BadCell(
        lambda: good_csv() + b"10380284790,x\r\n", 3, "*", "", "ragged_row",
        "the row has 2 values but the header has 18 columns"),
    "the same firm and year twice": BadCell(
        lambda: good_csv([GOOD_ROW, row(sales="7")]), 3, "national_id", VALID_ID,
        "duplicate_in_file", "duplicates row 2 (same national id and year)"),
    "the same firm twice once its Persian digits are normalised": BadCell(
        lambda: good_csv([GOOD_ROW, row(national_id="۱۰۳۸۰۲۸۴۷۹۰", year="١٤٠٢")]), 3,
        "national_id", "۱۰۳۸۰۲۸۴۷۹۰", "duplicate_in_file",
        "duplicates row 2 (same national id and year)"),
    "exports above sales": BadCell(_csv_row(exports="125001"), 2, "exports", "125001",
                                   "exports_above_sales", "must not be more than sales (125000)"),
    "founded after the data year": BadCell(
        _csv_row(founded_year="1403"), 2, "founded_year", "1403", "founded_after_year",
        "must not be after the data year (1402)"),
    "a Gregorian year": BadCell(
        _csv_row(year="2023"), 2, "year", "2023", "gregorian_year",
        "looks like a Gregorian year; write the Jalali year (for example 1402)"),
    "a year before 1390": BadCell(
        _csv_row(year="1389"), 2, "year", "1389", "year_out_of_range",
        "must be a Jalali (solar hijri) year between 1390 and 1499"),
    "a technology level of 6": BadCell(_csv_row(tech_level="6"), 2, "tech_level", "6",
                                       "out_of_range", "must be between 0 and 5"),
    "an unknown certification": BadCell(
        _csv_row(certifications="ISO9001;ISO27001"), 2, "certifications", "ISO9001;ISO27001",
        "unknown_certification",
        'unknown certification "ISO27001"; allowed: CE, GMP, HACCP, INSO, ISO14001, ISO22000,'
        " ISO45001, ISO9001"),
    "maybe as a yes/no": BadCell(_csv_row(knowledge_based="شاید"), 2, "knowledge_based",
                                 "شاید", "bad_boolean", 'must be "yes" or "no" (or 1 and 0)'),
    "an ISIC code that is not a class": BadCell(
        _csv_row(isic="9999"), 2, "isic", "9999", "unknown_isic",
        "is not an ISIC Rev.4 class code"),
    "a malformed ISIC code": BadCell(
        _csv_row(isic="C10"), 2, "isic", "C10", "isic_format",
        "must be a 4-digit ISIC Rev.4 class code"),
}  # fmt: skip


@pytest.mark.parametrize("case", CELLS.values(), ids=CELLS.keys())
def test_a_bad_cell_is_reported_exactly_and_nothing_is_stored(case: BadCell) -> None:
    result = parse(case.make())
    assert not result.ok  # the service stores nothing unless the whole file is ok
    line = f'row {case.row}, column {case.column}, value "{case.value}": {case.message}'
    assert line in result.error_lines()
    error = next(e for e in result.errors if e.row == case.row and e.column == case.column)
    assert error.code == case.code
    assert result.accepted_rows + result.rejected_rows == result.total_rows
    assert case.row not in set(result.rows["row"])


def test_the_corpus_has_at_least_35_hostile_files() -> None:
    assert len(FILES) + len(CELLS) >= 35
