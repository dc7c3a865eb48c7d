"""The shortfall pages: groups per level, one group's firms, the XLSX download."""

import io

import pytest
from django.core.cache import cache
from django.utils.translation import gettext
from openpyxl import load_workbook

from rankings.analysis_labels import LEVEL_LABELS
from rankings.services import data_changed, ranking_recompute
from tests.factories import FirmFactory, FirmYearFactory

pytestmark = pytest.mark.django_db

PAGE = "/shortfalls/"
XLSX = "/shortfalls/export.xlsx"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def rank_firms(world, *, own: int, other: int = 8) -> None:
    """`own` firms in Tehran's park (the world's firm first), `other` in Isfahan's."""
    firms = [world.firm, *FirmFactory.create_batch(own - 1, park=world.park)]
    firms += [world.other_firm, *FirmFactory.create_batch(other - 1, park=world.other_park)]
    for i, firm in enumerate(firms):
        FirmYearFactory(
            firm=firm,
            year=1403,
            sales=5_000 + 97 * i,
            exports=0 if i % 4 == 0 else 30 * (i % 50),
            employees=15 + i % 100,
            rd_spend=0 if i % 3 == 0 else 100,
        )
    data_changed(years=[1403])
    ranking_recompute(year=1403)


@pytest.fixture
def ranked(world):
    rank_firms(world, own=12)
    return world


def test_anonymous_visitors_are_sent_to_the_login_page(client, ranked) -> None:
    for url in (PAGE, XLSX):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_firm_users_get_a_404_for_the_page_and_the_download(client, ranked) -> None:
    client.force_login(ranked.firm_user)
    assert client.get(PAGE).status_code == 404
    assert client.get(XLSX).status_code == 404


def test_analysts_see_every_park_the_pillar_shares_and_the_threshold(client, ranked) -> None:
    client.force_login(ranked.analyst)
    response = client.get(PAGE + "?year=1403&level=park")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="group-row"') == 2
    assert ranked.park.name_fa in body and ranked.other_park.name_fa in body
    assert 'data-testid="national-row"' in body
    assert "صادرات‌محوری" in body  # the export pillar, by name
    assert "۱۲" in body  # Tehran's twelve firms, in Persian digits
    assert 'data-testid="level-switch"' in body
    for level in ("park", "province", "cluster", "sector"):
        assert f"level={level}" in body


def test_choosing_a_group_lists_its_firms_with_weakest_pillars_and_needs(client, world) -> None:
    rank_firms(world, own=12, other=100)  # 112 ranked: the last twelve miss the top-100
    client.force_login(world.analyst)
    first = client.get(PAGE + "?year=1403&level=park&group=ISF-01").content.decode()
    second = client.get(PAGE + "?year=1403&level=park&group=ISF-01&page=2").content.decode()
    assert first.count('data-testid="firm-row"') == 50  # the two pages of 100
    assert second.count('data-testid="firm-row"') == 50
    assert world.other_firm.name_fa in first + second
    assert world.firm.name_fa not in first + second  # a Tehran firm
    # Ranks 1-100 are already in; the others show the rise each pillar needs.
    assert 'data-testid="in-top"' in first
    assert 'data-testid="need">+' in second


def test_a_park_manager_sees_their_park_only_and_no_level_switch(client, ranked) -> None:
    client.force_login(ranked.manager)
    body = client.get(PAGE + "?year=1403&level=province").content.decode()
    assert body.count('data-testid="group-row"') == 1
    assert ranked.park.name_fa in body
    assert ranked.other_park.name_fa not in body
    assert 'data-testid="national-row"' not in body
    assert 'data-testid="level-switch"' not in body
    # Another park's firms are not listed, whatever the address asks for.
    body = client.get(PAGE + "?year=1403&level=park&group=ISF-01").content.decode()
    assert ranked.other_firm.name_fa not in body
    assert 'data-testid="firm-row"' not in body
    body = client.get(PAGE + "?year=1403&level=park&group=TEH-01").content.decode()
    assert body.count('data-testid="firm-row"') == 12
    assert ranked.firm.name_fa in body


def test_the_page_says_so_when_no_ranking_exists_yet(client, world) -> None:
    client.force_login(world.analyst)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert 'role="status"' in response.content.decode()


def test_the_workbook_has_a_sheet_per_level_and_a_firm_sheet(client, ranked) -> None:
    client.force_login(ranked.analyst)
    response = client.get(XLSX + "?year=1403")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="shortfalls-1403.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    levels = [str(LEVEL_LABELS[lv]) for lv in ("park", "province", "cluster", "sector")]
    assert book.sheetnames == [*levels, gettext("Firms")]
    parks = book[levels[0]]
    assert [row[0] for row in parks.iter_rows(min_row=2, values_only=True)] == [
        "all",
        "ISF-01",
        "TEH-01",
    ]
    firms = book[gettext("Firms")]
    assert firms.max_row == 1 + 20


def test_text_that_a_spreadsheet_would_run_is_neutralised(client, world) -> None:
    world.firm.name_fa = '=HYPERLINK("http://evil.example","x")'
    world.firm.save()
    rank_firms(world, own=3, other=3)
    client.force_login(world.analyst)
    book = load_workbook(io.BytesIO(client.get(XLSX + "?year=1403").content))
    names = [row[1] for row in book[gettext("Firms")].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert not any(str(n).startswith("=") for n in names)


def test_a_park_managers_workbook_holds_their_park_only(client, ranked) -> None:
    client.force_login(ranked.manager)
    book = load_workbook(io.BytesIO(client.get(XLSX + "?year=1403").content))
    assert book.sheetnames == [str(LEVEL_LABELS["park"]), gettext("Firms")]
    firms = list(book[gettext("Firms")].iter_rows(min_row=2, values_only=True))
    assert len(firms) == 12
    assert ranked.other_firm.national_id not in {row[0] for row in firms}


@pytest.mark.parametrize("level", ["park", "province", "cluster", "sector"])
def test_the_page_makes_the_same_few_queries_for_10_or_200_firms(
    client, world, django_assert_max_num_queries, level
) -> None:
    rank_firms(world, own=10, other=2)
    client.force_login(world.analyst)
    url = f"{PAGE}?year=1403&level={level}&group=TEH-01"
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    FirmFactory.create_batch(190, park=world.park)
    from firms.models import Firm

    for i, firm in enumerate(Firm.objects.filter(park=world.park, years__isnull=True)):
        FirmYearFactory(firm=firm, year=1403, sales=9_000 + i, exports=0, employees=30)
    data_changed(years=[1403])
    ranking_recompute(year=1403)
    cache.clear()
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
