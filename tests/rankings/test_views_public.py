"""The public top-100 and the plain-language methodology page."""

import pytest
from django.test import Client
from django.urls import reverse

from rankings.methodology import spec_default
from rankings.models import FirmScore
from rankings.services import methodology_create
from smerank.formatting import persian_digits
from tests.factories import FirmFactory
from tests.rankings.pages_helpers import publish, rank_firms, ranked_world

pytestmark = pytest.mark.django_db

TOP100 = "/top100/"


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def test_the_url_names_are_the_ones_the_menu_links_to() -> None:
    assert reverse("public-top100") == "/top100/"
    assert reverse("public-top100-year", args=[1403]) == "/top100/1403/"
    assert reverse("methodology-public") == "/methodology/"


def test_before_any_edition_visitors_see_a_friendly_empty_state(client, world) -> None:
    ranked_world(world, extra=5)  # a run exists, but nothing is published
    response = english(client).get(TOP100)
    assert response.status_code == 200
    body = response.content.decode()
    assert "No edition has been published yet" in body
    assert world.firm.name_fa not in body


def test_anonymous_visitors_see_the_published_top_100_with_persian_digits(client, world) -> None:
    run = ranked_world(world)
    publish(run, title="SME100 ۱۴۰۳")
    response = client.get(TOP100)
    body = response.content.decode()
    assert response.status_code == 200
    assert "SME100 ۱۴۰۳" in body
    first = FirmScore.objects.select_related("firm").get(run=run, rank=1)
    assert first.firm.name_fa in body
    assert persian_digits(f"{first.score:.1f}") in body
    assert "تهران" in body or "اصفهان" in body
    assert "رقابت‌پذیری" in body  # pillar names in Persian
    assert len(response.context["rows"]) == 100
    assert [r.rank for r in response.context["rows"]][:3] == [1, 2, 3]


def test_the_public_list_stops_at_the_top_100(client, world) -> None:
    run = ranked_world(world)
    publish(run)
    below = FirmScore.objects.select_related("firm").filter(run=run, rank__gt=100)
    body = client.get(TOP100).content.decode()
    assert below.exists()
    for score in below:
        assert f">{score.firm.name_fa}<" not in body


def test_the_public_page_shows_no_national_ids_and_no_figures(client, world) -> None:
    run = ranked_world(world, extra=20)
    publish(run)
    body = client.get(TOP100).content.decode()
    for firm in [world.firm, world.other_firm]:
        assert firm.national_id not in body
        assert persian_digits(firm.national_id) not in body
    sales = world.firm.years.get(year=1403).sales  # 5,000 million rials
    assert persian_digits(f"{sales:,}") not in body
    row = client.get(TOP100).context["rows"][0]
    assert not hasattr(row, "national_id") and not hasattr(row, "sales")


def test_searching_by_name_narrows_the_list(client, world) -> None:
    run = ranked_world(world, extra=20)
    publish(run)
    response = client.get(TOP100, {"q": "نمونه تهران"})
    assert [r.name_fa for r in response.context["rows"]] == ["صنایع نمونه تهران"]
    english_body = english(Client()).get(TOP100, {"q": "نمونه تهران"}).content.decode()
    assert "1 firm matches “نمونه تهران”." in english_body


def test_a_search_typed_with_arabic_letters_finds_persian_names(client, world) -> None:
    run = ranked_world(world, extra=5)
    publish(run)
    # Arabic keyboards type ي and ك; the stored name uses the Persian ی.
    response = client.get(TOP100, {"q": "صنايع نمونه تهران"})
    assert [r.name_fa for r in response.context["rows"]] == ["صنایع نمونه تهران"]


def test_a_search_that_matches_nothing_says_so(client, world) -> None:
    publish(ranked_world(world, extra=5))
    body = english(client).get(TOP100, {"q": "هیچ"}).content.decode()
    assert "No firm in this edition matches your search." in body


def test_htmx_searches_get_only_the_results_fragment(client, world) -> None:
    publish(ranked_world(world, extra=5))
    response = client.get(TOP100, {"q": "نمونه"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "<table" in body
    assert "صنایع نمونه تهران" in body
    assert "HX-Request" in response["Vary"]
    full = client.get(
        TOP100, {"q": "نمونه"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in full.content.decode()


def test_the_search_form_works_without_javascript(client, world) -> None:
    publish(ranked_world(world, extra=5))
    body = client.get(TOP100).content.decode()
    assert 'method="get" action="/top100/"' in body
    assert 'name="q"' in body and 'type="submit"' in body


def test_the_year_picks_an_editions_year_and_the_latest_is_the_default(client, world) -> None:
    older = rank_firms([world.firm, world.other_firm], year=1402)
    newer = ranked_world(world, extra=3)
    publish(older, title="SME100 ۱۴۰۲")
    publish(newer, title="SME100 ۱۴۰۳")
    assert client.get(TOP100).context["edition"].year == 1403
    assert client.get(TOP100, {"year": 1402}).context["edition"].year == 1402
    assert client.get("/top100/1402/").context["edition"].title == "SME100 ۱۴۰۲"
    assert client.get(TOP100, {"year": "not-a-year"}).context["edition"].year == 1403
    assert client.get("/top100/1399/").status_code == 404


def test_republishing_an_older_year_keeps_the_newest_year_on_the_public_page(client, world) -> None:
    older = rank_firms([world.firm, world.other_firm], year=1402)
    newer = ranked_world(world, extra=3)
    publish(newer, title="SME100 ۱۴۰۳")
    publish(older, title="SME100 ۱۴۰۲ (corrected)")
    assert client.get(TOP100).context["edition"].title == "SME100 ۱۴۰۳"
    assert client.get(TOP100, {"year": 1402}).context["edition"].title == "SME100 ۱۴۰۲ (corrected)"


def test_the_public_page_reads_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
) -> None:
    run = ranked_world(world, extra=8)
    publish(run)
    with django_assert_max_num_queries(6) as small:
        client.get(TOP100)
    # The same page over two hundred ranked firms (a second year) reads as much.
    big = rank_firms(FirmFactory.create_batch(200, park=world.park), year=1404)
    publish(big)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(TOP100)
    assert len(response.context["rows"]) == 100


def test_the_methodology_page_explains_pillars_weights_and_the_band(client, world) -> None:
    response = client.get("/methodology/")
    body = response.content.decode()
    assert response.status_code == 200
    for label in [
        "رقابت‌پذیری",
        "صادرات‌محوری",
        "نوآوری و فناوری",
        "استاندارد و کیفیت",
        "سلامت مالی",
    ]:
        assert label in body
    assert "نسبت بدهی" in body and "بازده دارایی‌ها" in body  # indicators in Persian
    assert body.count('data-testid="pillar-share"') == 5
    assert "۲۰" in body  # five equal pillars: 20% each
    assert "۱۰" in body and "۱۵۰" in body  # the SME band: 10 to 150 employees
    text = english(Client()).get("/methodology/").content.decode()
    assert "between 10 and 150 employees" in text
    assert "The score is built from 16 indicators" in text
    assert "lower is better" in text


def test_the_methodology_page_follows_the_active_version(client, world) -> None:
    spec = spec_default()
    spec["pillars"][0]["weight"] = 2  # competitiveness counts twice: 2 of 6
    spec["eligibility"] = {"employees_min": 5, "employees_max": 250, "sales_max": 900_000}
    methodology_create(name="v2", spec=spec, author=None, activate=True)
    body = english(client).get("/methodology/").content.decode()
    assert "methodology version 2" in body
    assert "33% of the score" in body and "17% of the score" in body
    assert "between 5 and 250 employees" in body
    assert "no more than 900,000 million rials" in body


def test_names_and_pillar_bars_formatted_in_python_are_escaped(client, world) -> None:
    world.other_firm.name_fa = '<img src=x onerror="alert(1)"> صنایع'
    world.other_firm.save()
    publish(ranked_world(world))
    body = client.get(TOP100).content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; صنایع" in body
    assert body.count('class="sr-pillar-bar sr-p-') == 5 * 100  # five bars on each row
    assert 'title="رقابت‌پذیری: ' in body  # each bar names its pillar and score
