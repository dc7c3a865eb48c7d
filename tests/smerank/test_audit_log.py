"""The analysts' audit log page: the role is checked before the method, dates are typed
and shown in the Jalali calendar, and each event's details read as labelled values."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.test import Client

from firms.models import AuditEvent
from firms.services import audit_record
from smerank.views_audit import jalali_date_parse

pytestmark = pytest.mark.django_db

URL = "/analyst/audit/"
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def event_at(action: str, day: dt.date, **kwargs) -> AuditEvent:
    event = audit_record(actor=None, action=action, **kwargs)
    # created_at is set on insert; a queryset update moves it (the model refuses saves).
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=TEHRAN)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=noon)
    return event


def analyst(world, lang: str = "fa") -> Client:
    client = Client()
    client.cookies["django_language"] = lang
    client.force_login(world.analyst)
    return client


def shown_actions(response) -> list[str]:
    return re.findall(r'<code dir="ltr">(test\.[a-z]+)</code>', response.content.decode())


# --- the role before the method --------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_roles_get_the_same_404_whatever_the_method(world, method) -> None:
    for user in (world.manager, world.firm_user):
        client = Client()
        client.force_login(user)
        assert getattr(client, method)(URL).status_code == 404
    anonymous = getattr(Client(), method)(URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/analyst/audit/"
    assert getattr(analyst(world), method)(URL).status_code == 405


# --- Jalali dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۴۰۳/۰۵/۰۱", dt.date(2024, 7, 22)),
        ("1403/05/01", dt.date(2024, 7, 22)),
        ("١٤٠٣-٥-١", dt.date(2024, 7, 22)),  # Arabic-Indic digits, dashes, no zeros
        ("1403.12.30", dt.date(2025, 3, 20)),  # 1403 is a leap year: Esfand has 30 days
        ("2024-07-22", dt.date(2024, 7, 22)),  # links of the old Gregorian date picker
    ],
)
def test_jalali_dates_parse_with_any_digits(text: str, expected: dt.date) -> None:
    assert jalali_date_parse(text) == expected


@pytest.mark.parametrize("text", ["1402/12/30", "1403/13/01", "03/05/01", "yesterday", "1403/5"])
def test_impossible_or_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        jalali_date_parse(text)


@pytest.fixture
def dated_events(db) -> None:
    event_at("test.before", dt.date(2024, 7, 21))  # 1403/04/31
    event_at("test.first", dt.date(2024, 7, 22))  # 1403/05/01
    event_at("test.second", dt.date(2024, 7, 23))  # 1403/05/02
    event_at("test.after", dt.date(2024, 7, 24))  # 1403/05/03


def test_the_date_filter_takes_jalali_dates_in_persian_digits(world, dated_events) -> None:
    response = analyst(world).get(URL, {"since": "۱۴۰۳/۰۵/۰۱", "until": "۱۴۰۳/۰۵/۰۲"})
    assert response.status_code == 200
    assert shown_actions(response) == ["test.second", "test.first"]
    body = response.content.decode()
    assert "رویدادهای ۱ مرداد ۱۴۰۳ تا ۲ مرداد ۱۴۰۳." in body
    assert 'value="۱۴۰۳/۰۵/۰۱"' in body  # the filter keeps what was typed
    assert "۲ مرداد ۱۴۰۳، ۱۲:۰۰" in body  # each event's time, Jalali


def test_the_date_filter_takes_latin_digits_and_one_bound(world, dated_events) -> None:
    client = analyst(world, "en")
    since = client.get(URL, {"since": "1403/05/02"})
    assert shown_actions(since) == ["test.after", "test.second"]
    assert "Events from 1403/05/02 on." in since.content.decode()
    until = client.get(URL, {"until": "1403/4/31"})
    assert shown_actions(until) == ["test.before"]
    assert "Events until 1403/04/31." in until.content.decode()


def test_a_malformed_date_is_explained_and_the_other_filters_still_apply(
    world, dated_events
) -> None:
    response = analyst(world).get(URL, {"since": "1403/13/01", "action": "test.f"})
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        '<div class="invalid-feedback d-block" data-testid="since-error">'
        "تاریخ را به تقویم شمسی وارد کنید، مانند ۱۴۰۳/۰۵/۰۱.</div>"
    ) in body
    assert shown_actions(response) == ["test.first"]
    english = analyst(world, "en").get(URL, {"until": "tomorrow"}).content.decode()
    assert "Enter a Jalali date such as ۱۴۰۳/۰۵/۰۱." in english


# --- readable details ------------------------------------------------------------------------------


def details_cell(response) -> str:
    body = response.content.decode()
    cell = re.search(r'<td class="small" data-testid="details">(.*?)</td>', body, re.S)[1]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip())


def test_the_details_are_a_list_of_labelled_values_not_a_dict(world) -> None:
    audit_record(
        actor=None,
        action="test.upload",
        detail={"sha256": "ab12", "size": 2048, "park": "TEH-01", "name": "firms.csv"},
    )
    english = analyst(world, "en").get(URL, {"action": "test.upload"})
    # In the order of the keys, whatever order the database kept (jsonb keeps none).
    assert details_cell(english) == (
        "File name: firms.csv Industrial park: TEH-01 File hash (SHA-256): ab12 Size (bytes): 2048"
    )
    assert "{&#x27;sha256&#x27;" not in english.content.decode()
    persian = analyst(world).get(URL, {"action": "test.upload"})
    assert details_cell(persian) == (
        "نام فایل: firms.csv شهرک صنعتی: TEH-01 شناسهٔ فایل (SHA-256): ab12 اندازه (بایت): ۲۰۴۸"
    )


def test_nested_details_and_flags_read_as_words(world) -> None:
    audit_record(
        actor=None,
        action="test.method",
        detail={
            "version": 3,
            "activated": True,
            "diff": {"pillars.exports.weight": {"old": 1, "new": 2}},
            "sectors": ["25", "28"],
            "file_error": None,
        },
    )
    cell = details_cell(analyst(world, "en").get(URL, {"action": "test.method"}))
    assert cell == (
        'Activated: yes Changes: pillars.exports.weight: {"new": 2, "old": 1} '
        "File error: — Activities: 25, 28 Version: 3"
    )


def test_an_event_without_details_shows_a_dash(world) -> None:
    audit_record(actor=None, action="test.empty")
    assert details_cell(analyst(world, "en").get(URL, {"action": "test.empty"})) == "—"
