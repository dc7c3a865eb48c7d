"""CSV bytes: every encoding Excel on Persian Windows produces is read without loss."""

from __future__ import annotations

import pytest

from firms.parsing import detect_file_type, read_table

from .filemakers import (
    GOOD_ROW,
    HEADERS_FA,
    KEYS,
    VALID_ID,
    csv_bytes,
    good_csv,
    good_xlsx,
    parse,
    rejection,
    row,
    table,
)

TO_CP1256 = str.maketrans({"ی": "ي", "ک": "ك"})  # cp1256 has no Persian yeh/kaf


def cp1256_csv(rows: list[dict[str, str]]) -> bytes:
    text = csv_bytes(table(rows)).decode()
    return text.translate(TO_CP1256).encode("cp1256")


def test_the_file_type_is_decided_by_content() -> None:
    assert detect_file_type(data=good_csv()) == "csv"
    assert detect_file_type(data=good_xlsx()) == "xlsx"


def test_utf8_with_a_bom_is_read_and_the_bom_is_not_part_of_the_first_header() -> None:
    data = good_csv(encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    assert read_table(data=data).header[0] == "شناسه ملی"
    result = parse(data)
    assert result.ok and result.encoding == "utf-8-sig"


def test_utf8_without_a_bom_is_read() -> None:
    result = parse(good_csv())
    assert result.ok and result.encoding == "utf-8"


def test_windows_1256_is_read_and_its_arabic_letters_become_persian() -> None:
    result = parse(cp1256_csv([row(name_fa="شرکت یک")]))
    assert result.ok and result.encoding == "cp1256"
    assert result.rows.loc[0, "name_fa"] == "شرکت یک"
    assert result.rows.loc[0, "knowledge_based"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_unicode_text_exports_are_tab_separated_and_read(encoding: str) -> None:
    bom = "\ufeff".encode(encoding)
    result = parse(bom + good_csv(delimiter="\t").decode().encode(encoding))
    assert result.ok and result.encoding == "utf-16"
    assert result.rows.loc[0, "national_id"] == VALID_ID


def test_utf16_with_commas_is_read_too() -> None:
    assert parse(good_csv(encoding="utf-16")).ok


def test_damaged_utf16_is_refused_with_its_byte_offset() -> None:
    data = good_csv(encoding="utf-16")[:-1]
    refusal = rejection(data)
    assert refusal.code == "bad_encoding"
    assert f"offset {len(data) - 1}," in refusal.message_en


def test_persian_text_in_utf8_with_one_bad_byte_is_not_mistaken_for_windows_1256() -> None:
    data = good_csv() + b"\xe4,x\r\n"
    assert rejection(data).code == "bad_encoding"


def test_any_line_ending_works() -> None:
    for newline in ("\n", "\r\n", "\r"):
        assert parse(good_csv(newline=newline)).ok, newline


def test_a_quoted_name_with_a_newline_is_one_row_and_later_rows_keep_their_numbers() -> None:
    rows = [row(name_fa="شرکت\nپارس"), row(national_id="10100387143", sales="-1")]
    result = parse(good_csv(rows))
    assert [e.row for e in result.errors] == [3]
    assert parse(good_csv(rows[:1])).rows.loc[0, "name_fa"] == "شرکت پارس"


def test_blank_lines_are_skipped_but_still_count_as_rows_like_in_excel() -> None:
    data = (
        good_csv() + b"\r\n,,,\r\n" + csv_bytes([[row(national_id="10100387143")[k] for k in KEYS]])
    )
    bad = data.replace(b"10100387143,", b"10100387143x,")
    result = parse(bad)
    assert [(e.row, e.column) for e in result.errors] == [(5, "national_id")]
    assert result.total_rows == 2


def test_empty_fields_after_the_last_header_are_tolerated() -> None:
    records = table([GOOD_ROW])
    records[1] += ["", "", " "]
    assert parse(csv_bytes(records)).ok


def test_a_header_without_any_delimiter_lists_the_missing_columns() -> None:
    refusal = rejection(csv_bytes([["شناسه ملی"], [VALID_ID]]))
    assert refusal.code == "missing_columns"
    assert refusal.message_en == (
        "required columns are missing: name_fa, isic, year, employees, sales"
    )
    assert refusal.message_fa == (
        "ستون‌های الزامی وجود ندارند: «نام بنگاه»، «کد آیسیک»، «سال»، «تعداد کارکنان»، "
        "«فروش (میلیون ریال)»"
    )


def test_english_keys_work_as_headers_in_any_order() -> None:
    keys = list(reversed(KEYS))
    result = parse(csv_bytes([keys, [GOOD_ROW[k] for k in keys]]))
    assert result.ok
    assert result.rows.loc[0, "sales"] == 125000
    assert result.columns["national_id"] == len(KEYS) - 1


def test_the_persian_header_row_of_the_template_is_understood() -> None:
    assert read_table(data=good_csv()).header == HEADERS_FA
