"""XLSX: cells typed in Excel (numbers, booleans, dates) read as the user sees them."""

from __future__ import annotations

import datetime as dt

from .filemakers import (
    GOOD_ROW,
    IDS,
    KEYS,
    good_csv,
    good_xlsx,
    parse,
    rejection,
    row,
    rows_for,
    table,
    xlsx_bytes,
)


def typed(**cells: object) -> list[object]:
    """GOOD_ROW as Excel would store it when typed: numbers as numbers, ids as text."""
    values: dict[str, object] = {k: v for k, v in GOOD_ROW.items()}
    for key in ("year", "employees", "sales", "exports", "net_profit", "tech_level"):
        values[key] = int(GOOD_ROW[key])
    values.update(cells)
    return [values[k] for k in KEYS]


def test_a_workbook_typed_in_excel_gives_the_same_rows_as_the_csv() -> None:
    from_xlsx = parse(xlsx_bytes([*table([]), typed()]))
    from_csv = parse(good_csv())
    assert from_xlsx.ok and from_xlsx.sheet == "داده‌ها"
    assert from_xlsx.rows.equals(from_csv.rows)


def test_whole_floats_read_as_integers_and_an_isic_that_lost_its_zero_is_restored() -> None:
    result = parse(xlsx_bytes([*table([]), typed(year=1402.0, isic=111, sales=125000.0)]))
    assert result.ok
    assert (result.rows.loc[0, "year"], result.rows.loc[0, "isic"]) == (1402, "0111")


def test_an_excel_boolean_answers_the_knowledge_based_question() -> None:
    result = parse(xlsx_bytes([*table([]), typed(knowledge_based=False)]))
    assert result.ok
    assert result.rows["knowledge_based"].tolist() == [False]


def test_a_date_in_a_number_column_is_not_a_number() -> None:
    result = parse(xlsx_bytes([*table([]), typed(employees=dt.datetime(2024, 1, 2))]))
    assert result.error_lines() == [
        'row 2, column employees, value "2024-01-02 00:00:00": must be a number'
    ]


def test_a_decimal_cell_must_be_a_whole_number() -> None:
    result = parse(xlsx_bytes([*table([]), typed(sales=12.5)]))
    assert result.error_lines() == ['row 2, column sales, value "12.5": must be a whole number']


def test_the_template_data_sheet_is_read_even_when_it_is_not_first() -> None:
    data = xlsx_bytes(table([GOOD_ROW]), before=[("یادداشت", [["note"]], "visible")])
    result = parse(data)
    assert result.ok and result.sheet == "داده‌ها"
    assert [w.message_en for w in result.warnings] == [
        'only the sheet "داده‌ها" was read; other sheets were ignored: یادداشت'
    ]


def test_without_the_template_sheet_the_first_visible_sheet_is_read_and_hidden_ones_never() -> None:
    hidden = ("secret", table([row(sales="-1")]), "hidden")
    data = xlsx_bytes(table([GOOD_ROW]), title="Sheet1", before=[hidden])
    result = parse(data)
    assert result.ok and result.sheet == "Sheet1"
    assert result.warnings == []


def test_the_notes_sheet_of_the_template_is_not_mentioned() -> None:
    data = xlsx_bytes(table([GOOD_ROW]), after=[("راهنما", [["help"]], "visible")])
    assert parse(data).warnings == []


def test_row_numbers_are_the_spreadsheet_rows_even_after_empty_rows() -> None:
    records = [*table([GOOD_ROW]), [], [], [row(national_id=IDS[1], sales="-1")[k] for k in KEYS]]
    result = parse(xlsx_bytes(records))
    assert [(e.row, e.column) for e in result.errors] == [(5, "sales")]


def test_a_merged_or_blank_header_cell_is_refused() -> None:
    header = list(table([])[0])
    header[2] = None
    assert rejection(xlsx_bytes([header, typed()])).message_en == "column 3 (C) has no header"


def test_a_value_beyond_the_last_header_is_a_ragged_row() -> None:
    result = parse(xlsx_bytes([*table([]), [*typed(), None, "stray"]]))
    assert result.error_lines() == [
        'row 2, column *, value "": the row has 20 values but the header has 18 columns'
    ]


def test_a_header_only_workbook_has_no_rows() -> None:
    assert rejection(xlsx_bytes(table([]))).code == "no_rows"


def test_a_workbook_of_many_rows_is_read_whole() -> None:
    result = parse(good_xlsx(rows_for(300)))
    assert result.ok and result.accepted_rows == 300
