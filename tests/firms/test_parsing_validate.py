"""Row rules: what a valid row becomes, and how each broken rule is reported."""

from __future__ import annotations

import pandas as pd
import pytest

from firms.parsing import CellError, FileRejected, Limits

from .filemakers import (
    GOOD_ROW,
    IDS,
    KEYS,
    VALID_ID,
    csv_bytes,
    good_csv,
    parse,
    row,
    rows_for,
)


def only(**changes: str) -> pd.Series:
    """The stored row for a one-row file with `changes` (which must be valid)."""
    result = parse(good_csv([row(**changes)]))
    assert result.ok, result.error_lines()
    return result.rows.iloc[0]


def test_a_valid_row_becomes_typed_values_with_its_row_number() -> None:
    stored = only()
    assert stored["row"] == 2
    assert stored["national_id"] == VALID_ID and stored["name_fa"] == "شرکت نمونه صنعت"
    assert (stored["year"], stored["sales"], stored["net_profit"]) == (1402, 125000, -2500)
    assert stored["certifications"] == "HACCP;ISO9001" and stored["knowledge_based"]
    dtypes = parse(good_csv()).rows.dtypes
    assert dtypes["sales"] == "Int64" and dtypes["national_id"] == "string"
    assert dtypes["knowledge_based"] == "boolean"


@pytest.mark.parametrize(
    "text", ["1,250,000", "۱٬۲۵۰٬۰۰۰", "1\u00a0250\u00a0000", "1\u2009250\u2009000", "+1250000",
             "001250000", "١٢٥٠٠٠٠"],
)  # fmt: skip
def test_thousands_separators_signs_and_digit_forms_give_the_same_number(text: str) -> None:
    assert only(sales=text)["sales"] == 1_250_000


def test_a_leading_zero_national_id_stays_text() -> None:
    result = parse(good_csv([row(national_id="0" * 11)]))
    assert result.errors[0].code == "bad_checksum"  # read as text, so still 11 digits


def test_profit_may_be_negative_but_sales_may_not() -> None:
    assert only(net_profit="-۵۰۰")["net_profit"] == -500
    assert parse(good_csv([row(sales="-1")])).errors[0].code == "negative"


def test_blank_optional_cells_are_not_reported_and_stay_unknown() -> None:
    stored = only(exports="", name_en=" ", certifications="", knowledge_based="", tech_level="NA")
    assert all(pd.isna(stored[k]) for k in ("exports", "name_en", "certifications",
                                             "knowledge_based", "tech_level"))  # fmt: skip


def test_absent_optional_columns_are_unknown_for_every_row() -> None:
    keys = ["national_id", "name_fa", "isic", "year", "employees", "sales"]
    result = parse(csv_bytes([keys, [GOOD_ROW[k] for k in keys]]))
    assert result.ok
    assert result.rows["exports"].isna().all() and result.rows["knowledge_based"].isna().all()


@pytest.mark.parametrize(
    ("text", "stored"),
    [("haccp ; iso 9001:2015", "HACCP;ISO9001"), ("ISO-9001؛ISO9001،ce", "CE;ISO9001"),
     ("INSO", "INSO"), ("gmp,iso22000", "GMP;ISO22000")],
)  # fmt: skip
def test_certifications_are_stored_as_sorted_unique_codes(text: str, stored: str) -> None:
    assert only(certifications=text)["certifications"] == stored


@pytest.mark.parametrize(
    ("text", "answer"),
    [("بله", True), ("خیر", False), ("yes", True), ("NO", False), ("1", True), ("0", False),
     ("TRUE", True), ("بلی", True), ("نه", False)],
)  # fmt: skip
def test_knowledge_based_accepts_yes_and_no_in_persian_or_english(text: str, answer: bool) -> None:
    assert only(knowledge_based=text)["knowledge_based"] == answer


def test_a_right_to_left_override_is_removed_so_names_cannot_be_spoofed() -> None:
    assert only(name_en="evil\u202egnp.exe")["name_en"] == "evilgnp.exe"


def test_emoji_and_zwnj_are_kept_in_names() -> None:
    assert only(name_fa="دانش‌بنیان پارس 🚀")["name_fa"] == "دانش\u200cبنیان پارس 🚀"


def test_a_text_starting_with_equals_is_stored_verbatim_in_a_csv() -> None:
    assert only(name_en="=HYPERLINK(x)")["name_en"] == "=HYPERLINK(x)"


def test_an_isic_class_with_a_lost_leading_zero_is_restored() -> None:
    assert only(isic="111")["isic"] == "0111"


def test_one_row_can_have_several_errors_reported_in_column_order() -> None:
    result = parse(good_csv([row(year="13", employees="-1", sales="x", isic="9999")]))
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (2, "isic", "unknown_isic"),
        (2, "year", "year_out_of_range"),
        (2, "employees", "negative"),
        (2, "sales", "not_a_number"),
    ]
    assert (result.total_rows, result.accepted_rows, result.rejected_rows) == (1, 0, 1)


def test_errors_are_listed_by_row_and_valid_rows_are_still_counted() -> None:
    rows = rows_for(5)
    rows[3]["sales"] = "-1"
    rows[1]["employees"] = "x"
    result = parse(good_csv(rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, "employees"), (5, "sales")]
    assert (result.accepted_rows, result.rejected_rows) == (3, 2)
    assert list(result.rows["row"]) == [2, 4, 6]


def test_exports_equal_to_sales_are_fine() -> None:
    assert only(exports="125000")["exports"] == 125000


def test_a_firm_appears_once_per_year() -> None:
    result = parse(good_csv([row(), row(year="1403"), row()]))
    assert [(e.row, e.code, e.params) for e in result.errors] == [
        (4, "duplicate_in_file", {"first_row": 2})
    ]


def test_the_error_list_is_capped_but_the_counts_stay_exact() -> None:
    rows = [row(national_id=IDS[i], sales="-1", employees="x") for i in range(30)]
    result = parse(good_csv(rows), Limits(max_errors=10))
    assert len(result.errors) == 10 and result.error_count == 60
    assert result.rejected_rows == 30


def test_unknown_and_reserved_columns_are_ignored_with_a_warning() -> None:
    header = [*KEYS, "notes", "park", "rank"]
    result = parse(csv_bytes([header, [*(GOOD_ROW[k] for k in KEYS), "x", "other park", "1"]]))
    assert result.ok and "park" not in result.rows.columns
    assert [w.code for w in result.warnings] == ["unknown_column", "reserved_column",
                                                  "reserved_column"]  # fmt: skip
    assert result.warnings[0].message_en == (
        'the column "notes" is not part of the template and was ignored'
    )


def test_a_cell_error_reads_as_one_line_in_english_and_in_persian() -> None:
    rows = rows_for(6)
    rows[5]["sales"] = "-5"
    error = parse(good_csv(rows)).errors[0]
    assert error.line("en") == 'row 7, column sales, value "-5": must be zero or more'
    assert (
        error.line("fa") == "ردیف ۷، ستون «فروش (میلیون ریال)»، مقدار «-5»: باید صفر یا بیشتر باشد"
    )
    assert error.header == "فروش (میلیون ریال)"
    assert error.as_dict()["message_fa"] == "باید صفر یا بیشتر باشد"


def test_persian_messages_use_persian_digits_in_their_parameters() -> None:
    error = parse(good_csv([row(tech_level="9")])).errors[0]
    assert error.message_fa == "باید بین ۰ و ۵ باشد"


def test_values_shown_in_messages_cannot_carry_control_or_direction_characters() -> None:
    error = CellError.build(row=2, column="name_fa", header="h", header_fa="h",
                            value="a\u202eb\x00", code="required")  # fmt: skip
    assert error.value == "a\\u202eb\\u0000"


def test_a_file_rejection_is_a_value_error_with_both_messages() -> None:
    refusal = FileRejected("too_many_rows", {"max": 200_000})
    assert isinstance(refusal, ValueError)
    assert str(refusal) == "the file has more than 200000 data rows"
    assert refusal.message_fa == "فایل بیش از ۲۰۰۰۰۰ ردیف داده دارد"
    assert refusal.http_status == 413
