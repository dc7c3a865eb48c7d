"""Canonical text: one spelling per value before any rule is applied."""

from __future__ import annotations

import pytest

from firms.parsing import normalise
from firms.parsing.normalise import header_key, normalise_column
from firms.parsing.schema import resolve_header


def test_arabic_yeh_and_kaf_become_persian() -> None:
    assert normalise("شركت يك") == "شرکت یک"
    assert normalise("مصطفى") == "مصطفی"


def test_persian_and_arabic_indic_digits_become_ascii() -> None:
    assert normalise("۱۲۳۴۵۶۷۸۹۰") == "1234567890"
    assert normalise("١٢٣٤٥٦٧٨٩٠") == "1234567890"


def test_arabic_thousands_and_decimal_separators_become_ascii() -> None:
    assert normalise("۱٬۲۳۴") == "1,234"
    assert normalise("۱۲٫۵") == "12.5"


def test_the_arabic_comma_is_left_alone_because_it_is_punctuation_in_names() -> None:
    assert normalise("الف، ب") == "الف، ب"


def test_zwnj_is_kept_inside_a_word_because_it_is_correct_persian() -> None:
    assert normalise("دانش\u200cبنیان") == "دانش\u200cبنیان"


def test_stray_zwnj_next_to_spaces_or_at_the_ends_is_removed_and_runs_collapse() -> None:
    assert normalise("\u200cدانش\u200c\u200cبنیان \u200cپارس\u200c") == "دانش\u200cبنیان پارس"


@pytest.mark.parametrize(
    "control",
    ["\u200b", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
     "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\ufeff", "\u00ad"],
)  # fmt: skip
def test_zero_width_and_bidi_controls_are_removed(control: str) -> None:
    assert normalise(f"شرکت{control}پارس") == "شرکتپارس"
    assert normalise(f"12{control}34") == "1234"


def test_any_run_of_whitespace_becomes_one_space_and_the_ends_are_trimmed() -> None:
    assert normalise(" \tشرکت\u00a0\u00a0پارس\r\nصنعت\u2009 ") == "شرکت پارس صنعت"


def test_decomposed_and_composed_letters_become_the_same() -> None:
    assert normalise("\u0627\u0653") == "\u0622"  # alef + madda -> آ
    assert normalise("\u064a\u0654") == "\u0626"  # yeh + hamza -> ئ (before ي -> ی)


def test_normalising_twice_changes_nothing() -> None:
    text = " شركت\u200c\u200c يك ۱۲٬۳ \u202e"
    assert normalise(normalise(text)) == normalise(text)


def test_a_whole_column_is_normalised_exactly_like_each_value() -> None:
    values = ["  12 ", "شركت\u200c يك", "", "a\u00a0\u00a0b", "x\ue000y", "\u200c", "۱۲"]
    assert normalise_column(values) == [normalise(v) for v in values]
    ascii_values = ["1", " 2", "3  4", "5\t"]
    assert normalise_column(ascii_values) == [normalise(v) for v in ascii_values]


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("شناسه ملی", "national_id"),
        ("National_ID", "national_id"),
        (" SALES ", "sales"),
        ("فروش(میلیون ریال)", "sales"),
        ("فروش", "sales"),
        ("جمع دارایی ها (میلیون ریال)", "total_assets"),
        ("سال تاسیس", "founded_year"),
        ("سال تأسیس", "founded_year"),
        ("كد آيسيك", "isic"),
        ("دانش بنیان", "knowledge_based"),
        ("park", "*reserved"),
        ("امتیاز", "*reserved"),
        ("notes", None),
    ],
)
def test_headers_match_in_persian_or_english_whatever_the_spacing_or_case(
    header: str, key: str | None
) -> None:
    assert resolve_header(header) == key


def test_header_matching_ignores_spacing_zwnj_and_brackets() -> None:
    assert header_key("جمع دارایی‌ها (میلیون ریال)") == header_key("جمع داراییها(میلیون ریال)")
