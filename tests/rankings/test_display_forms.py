"""One form for what several pages show: the top-N probability ("۹۲٪" / "92%") and the
year of an edition's title in the page's digits."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from rankings.models import FirmScore
from smerank.formatting import probability_format, title_digits
from tests.i18n import fa
from tests.rankings.pages_helpers import publish, ranked_world

TOP100 = "/top100/"
RUNS = "/analyst/runs/"


def _client(user=None, lang: str = "fa") -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    if lang == "en":
        client.cookies["django_language"] = "en"
    return client


def _text(body: str, testid: str) -> str:
    """The visible text of the element marked `testid`, up to its first closing tag."""
    start = body.index(f'data-testid="{testid}"')
    end = min(i for i in (body.find("</p>", start), body.find("</span>", start)) if i > 0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body[start:end].split(">", 1)[1]))


# --- the probability ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "persian", "english"),
    [
        (0.92, "۹۲٪", "92%"),
        (0.925, "۹۳٪", "93%"),  # half up
        (0.42, "۴۲٪", "42%"),
        (1.0, "۱۰۰٪", "100%"),
        (0.0, "۰٪", "0%"),
        (0.996, "۹۹٪", "99%"),  # not certain, so never shown as certain
        (0.004, "۱٪", "1%"),
        (None, "—", "—"),
    ],
)
def test_a_probability_reads_as_a_whole_percentage(value, persian: str, english: str) -> None:
    assert probability_format(value, lang="fa") == persian
    assert probability_format(value, lang="en") == english


@pytest.fixture
def banded(world):
    run = ranked_world(world)
    FirmScore.objects.filter(run=run, firm=world.firm).update(
        rank_low=31, rank_high=45, rank_median=38.0, top_probability=0.92
    )
    return world, run


def _assert_probability(text: str, *, lang: str) -> None:
    if lang == "fa":
        assert "۹۲٪" in text, text
        assert "۰٫۹۲" not in text and "92" not in text, text
    else:
        assert "92%" in text, text
        assert "0.92" not in text and "۹۲" not in text, text


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_ranking_table_shows_the_probability_in_the_one_form(banded, lang: str) -> None:
    world, _run = banded
    body = _client(world.analyst, lang).get("/analyst/ranking/", {"q": world.firm.national_id})
    _assert_probability(_text(body.content.decode(), "rank-band"), lang=lang)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_firm_profile_shows_the_probability_in_the_one_form(banded, lang: str) -> None:
    world, _run = banded
    page = reverse("firm-profile", args=[world.firm.pk])
    body = _client(world.analyst, lang).get(page).content.decode()
    _assert_probability(_text(body, "rank-band"), lang=lang)
    if lang == "fa":
        sentence = fa("; chance of being in the top %(n)s: %(p)s", n="۱۰۰", p="۹۲٪")
        assert sentence in body and "chance" not in sentence


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_firms_own_page_shows_the_probability_in_the_one_form(banded, lang: str) -> None:
    world, _run = banded
    body = _client(world.firm_user, lang).get(reverse("my-firm")).content.decode()
    _assert_probability(_text(body, "rank-band"), lang=lang)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_public_methodology_page_gives_its_example_in_the_one_form(world, lang: str) -> None:
    body = _client(lang=lang).get("/methodology/").content.decode()
    example = _text(body, "band-example")
    _assert_probability(example.split("”")[0], lang=lang)  # the quoted band sentence
    if lang == "en":
        assert "in the top-100 with probability 92%" in example


# --- the edition title ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "persian", "english"),
    [
        ("SME100 1403", "SME100 ۱۴۰۳", "SME100 1403"),
        ("SME100 ۱۴۰۳", "SME100 ۱۴۰۳", "SME100 1403"),
        ("رتبه‌بندی ۱۰۰ بنگاه برتر 1403", "رتبه‌بندی ۱۰۰ بنگاه برتر ۱۴۰۳", None),
        ("SME100 1402 (corrected)", "SME100 ۱۴۰۲ (corrected)", "SME100 1402 (corrected)"),
    ],
)
def test_an_edition_title_takes_the_pages_digits(
    title: str, persian: str, english: str | None
) -> None:
    assert title_digits(title, lang="fa") == persian
    if english is not None:
        assert title_digits(title, lang="en") == english


def _heading(body: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S).group(1)).strip()


@pytest.mark.django_db
def test_the_public_page_shows_the_editions_year_in_persian_digits(world) -> None:
    publish(ranked_world(world), title="SME100 1403")  # as seed_demo publishes it
    body = _client().get(TOP100).content.decode()
    assert _heading(body) == "SME100 ۱۴۰۳"
    assert re.search(r"<title>SME100 ۱۴۰۳ ·", body)
    assert "SME100 1403" not in body
    english = _client(lang="en").get(TOP100).content.decode()
    assert _heading(english) == "SME100 1403"


@pytest.mark.django_db
def test_a_title_typed_with_persian_digits_reads_in_english_digits_in_english(world) -> None:
    publish(ranked_world(world), title="SME100 ۱۴۰۳")
    assert _heading(_client(lang="en").get(TOP100).content.decode()) == "SME100 1403"
    assert _heading(_client().get(TOP100).content.decode()) == "SME100 ۱۴۰۳"


@pytest.mark.django_db
def test_the_runs_page_lists_editions_with_the_year_in_persian_digits(world) -> None:
    run = ranked_world(world)
    publish(run, title="SME100 1403")
    body = _client(world.analyst).get(RUNS).content.decode()
    assert body.count("SME100 ۱۴۰۳") >= 2  # the run's row and the editions table
    assert "SME100 1403" not in body


@pytest.mark.django_db
def test_publishing_from_the_runs_page_still_works_and_shows_the_title(world) -> None:
    run = ranked_world(world)
    client = _client(world.analyst)
    response = client.post(f"/analyst/runs/{run.pk}/publish/", {"title": "SME100 1403"})
    assert response.status_code == 302
    assert _heading(client.get(TOP100).content.decode()) == "SME100 ۱۴۰۳"
