import datetime as dt

from smerank.formatting import jalali_date, number_format


def test_numbers_use_persian_digits_and_separators_in_persian() -> None:
    assert number_format(1234567, lang="fa") == "۱٬۲۳۴٬۵۶۷"
    assert number_format(1234567, lang="en") == "1,234,567"
    assert number_format(12.345, lang="fa", decimals=1) == "۱۲٫۳"


def test_a_negative_number_keeps_its_minus_on_the_left_in_rtl_text() -> None:
    assert number_format(-2500, lang="fa") == "\u200e−۲٬۵۰۰"
    assert number_format(-2500, lang="en") == "-2,500"


def test_missing_values_show_a_dash() -> None:
    assert number_format(None, lang="fa") == "—"
    assert number_format(float("nan"), lang="en") == "—"


def test_dates_are_shown_in_the_jalali_calendar() -> None:
    assert jalali_date(dt.date(2025, 3, 21), lang="fa") == "۱ فروردین ۱۴۰۴"
    assert jalali_date(dt.date(2025, 3, 21), lang="en") == "1404/01/01"
