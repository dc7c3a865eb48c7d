"""Searching the ranking by an exact national id never tells a park manager or a firm user
which firm holds an id they may not see.

They may list the top-N firms of every park by name, so a search by name finds them; but
a national id finds only the firms whose detail they may see (their park's, their firm).
Analysts find any firm by its id. Checked in the API and in the ranking table's selector
and page (the page is the analysts'; others are refused it).
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from rankings.selectors_browse import BrowseFilters, ranking_browse
from smerank.formatting import persian_digits
from tests.security.conftest import TOP_N, Rich

pytestmark = pytest.mark.django_db

URL = "/api/v1/rankings/current/"


def api_search(user, term: str) -> dict:
    client = Client()
    token = Token.objects.get_or_create(user=user)[0].key
    response = client.get(URL, {"search": term}, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200, response.content
    return response.json()


def found(body: dict) -> list[int]:
    return [row["firm"]["id"] for row in body["results"]]


def test_the_other_parks_top_firm_is_in_the_managers_list(rich: Rich) -> None:
    """The premise: the other park's firm is public by name (in the top-N)."""
    w = rich.world
    rank = rich.runs[1403].scores.get(firm=w.other_firm).rank
    assert rank <= TOP_N
    body = api_search(w.manager, "Isfahan Sample Works")
    assert found(body) == [w.other_firm.pk]
    assert body["results"][0]["firm"]["national_id"] is None


@pytest.mark.parametrize("role", ["manager", "firm_user"])
@pytest.mark.parametrize("target", ["other_firm", "hidden"])
def test_a_foreign_national_id_finds_nothing_for_non_analysts(rich: Rich, role, target) -> None:
    w = rich.world
    firm = rich.hidden if target == "hidden" else w.other_firm
    for term in (firm.national_id, persian_digits(firm.national_id)):
        body = api_search(getattr(w, role), term)
        assert body["count"] == 0 and body["results"] == [], (role, target, term)


def test_an_own_national_id_finds_the_own_firm(rich: Rich) -> None:
    w = rich.world
    for user, firm in ((w.manager, rich.sibling), (w.manager, w.firm), (w.firm_user, w.firm)):
        body = api_search(user, persian_digits(firm.national_id))
        assert found(body) == [firm.pk]
        assert body["results"][0]["firm"]["national_id"] == firm.national_id


def test_analysts_find_any_firm_by_national_id(rich: Rich) -> None:
    w = rich.world
    for firm in (w.other_firm, w.firm):
        body = api_search(w.analyst, firm.national_id)
        assert found(body) == [firm.pk]
        assert body["results"][0]["firm"]["national_id"] == firm.national_id


def test_the_ranking_table_selector_is_scoped_the_same_way(rich: Rich) -> None:
    w, run = rich.world, rich.runs[1403]

    def ids(user, term: str) -> list[int]:
        rows = ranking_browse(user=user, run=run, filters=BrowseFilters(search=term))
        return list(rows.values_list("firm_id", flat=True))

    assert ids(w.manager, w.other_firm.national_id) == []
    assert ids(w.firm_user, w.other_firm.national_id) == []
    assert ids(w.manager, w.other_firm.name_fa) == [w.other_firm.pk]  # by name: public
    assert ids(w.manager, w.firm.national_id) == [w.firm.pk]
    assert ids(w.analyst, w.other_firm.national_id) == [w.other_firm.pk]


def test_the_ranking_table_page_finds_any_firm_for_analysts_only(rich: Rich) -> None:
    w = rich.world
    analyst = Client()
    analyst.force_login(w.analyst)
    response = analyst.get("/analyst/ranking/", {"q": persian_digits(rich.hidden.national_id)})
    assert response.status_code == 200
    assert [r["score"].firm_id for r in response.context["rows"]] == [rich.hidden.pk]
    assert rich.hidden.name_fa in response.content.decode()
    for user in (w.manager, w.firm_user):
        other = Client()
        other.force_login(user)
        refused = other.get("/analyst/ranking/", {"q": w.other_firm.national_id})
        assert refused.status_code == 404
        assert w.other_firm.name_fa not in refused.content.decode()
