import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import FirmFactory, ParkFactory

pytestmark = pytest.mark.django_db(transaction=True)

PERSIAN_DIGITS = re.compile(r"^[۰-۹٬]+$")


def test_the_home_page_is_persian_rtl_with_persian_digits(live_server, page: Page) -> None:
    FirmFactory.create_batch(3, park=ParkFactory())
    page.goto(live_server.url + "/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "fa")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert PERSIAN_DIGITS.match(page.get_by_test_id("firm-count").inner_text())
    assert page.get_by_test_id("firm-count").inner_text() == "۳"
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith("Vazirmatn")


def test_the_language_switch_turns_the_site_english(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    page.locator("#lang-switch").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("National ranking")
