"""The language switch returns to the page the user is on, filters, sort and page included,
also after htmx has swapped the results and pushed a new URL."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from tests.rankings.pages_helpers import publish, ranked_world

pytestmark = pytest.mark.django_db

RANKING = "/analyst/ranking/"
TOP100 = "/top100/"
_NEXT = re.compile(r'<input id="lang-next" name="next" type="hidden" value="([^"]*)"([^>]*)>')


def lang_next(body: str, *, oob: bool = False) -> str:
    """The URL the language switch would return to, as the browser holds it."""
    found = [(html.unescape(v), rest) for v, rest in _NEXT.findall(body)]
    assert len(found) == 1, found
    value, rest = found[0]
    assert ('hx-swap-oob="true"' in rest) is oob
    return value


def switch_to_english(client: Client, next_url: str) -> str:
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})
    assert response.status_code == 302
    return response["Location"]


@pytest.fixture
def analyst(world) -> Client:
    ranked_world(world)
    client = Client()
    client.force_login(world.analyst)
    return client


def test_the_switch_on_a_filtered_second_page_comes_back_to_it(world, analyst) -> None:
    path = f"{RANKING}?province=IR-10&sort=-score&page=2"
    body = analyst.get(path).content.decode()
    assert lang_next(body) == path
    assert switch_to_english(analyst, lang_next(body)) == path
    english = analyst.get(path)
    assert english.context["page"].number == 2
    assert english.context["sort"] == "-score"
    assert "111 ranked firms · filtered" in english.content.decode()
    assert world.firm.name_fa not in english.content.decode()  # the other province's firm


def test_after_htmx_filtering_the_switch_follows_the_pushed_url(world, analyst) -> None:
    # The page as first loaded, then a filter applied with htmx (the URL bar now shows it).
    first = analyst.get(RANKING).content.decode()
    assert lang_next(first) == RANKING
    pushed = f"{RANKING}?sort=rank&q=&province=IR-10&page=2"
    fragment = analyst.get(pushed, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert lang_next(fragment, oob=True) == pushed
    assert switch_to_english(analyst, lang_next(fragment, oob=True)) == pushed
    page = analyst.get(pushed)
    assert page.context["page"].number == 2 and page.context["form"]["province"].value() == "IR-10"


def test_after_an_htmx_search_on_the_public_page_the_switch_keeps_the_search(world) -> None:
    publish(ranked_world(world))
    client = Client()
    word = world.other_firm.name_fa.split()[-1]
    # As a browser sends it: htmx percent-encodes the search.
    fragment = client.get(TOP100, {"q": word}, HTTP_HX_REQUEST="true").content.decode()
    back = lang_next(fragment, oob=True)
    assert back.startswith(f"{TOP100}?q=")
    location = switch_to_english(client, back)
    english = client.get(location)
    assert english.context["search"] == word
    assert "match" in english.content.decode()  # "N firms match “…”", in English


def test_a_full_page_carries_a_single_switch_target_without_oob(analyst) -> None:
    body = analyst.get(RANKING, {"page": 2}).content.decode()
    assert body.count('id="lang-next"') == 1
    assert lang_next(body) == f"{RANKING}?page=2"


def test_a_next_pointing_elsewhere_is_not_followed(analyst) -> None:
    location = switch_to_english(analyst, "https://evil.example/analyst/ranking/")
    assert not location.startswith("https://evil.example")
