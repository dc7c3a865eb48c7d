import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from rankings.models import FirmScore
from rankings.services import data_changed, ranking_recompute
from tests.factories import FirmFactory, FirmYearFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(world):
    """The world's two firms plus 110 more in the other park, ranked for 1403."""
    firms = [world.firm, world.other_firm, *FirmFactory.create_batch(110, park=world.other_park)]
    for i, firm in enumerate(firms):
        FirmYearFactory(
            firm=firm,
            year=1403,
            sales=5_000 + 97 * i,
            exports=31 * i,
            employees=15 + i % 100,
            net_profit=(i % 7) * 40 - 60,
        )
    data_changed(years=[1403])
    run = ranking_recompute(year=1403)
    return world, run


def client_for(username: str | None) -> APIClient:
    api = APIClient()
    if username:
        api.force_authenticate(User.objects.get(username=username))
    return api


def test_anonymous_users_get_401_from_every_ranking_endpoint(ranked) -> None:
    world, _ = ranked
    api = client_for(None)
    for url in [
        "/api/v1/runs/",
        "/api/v1/rankings/current/",
        f"/api/v1/firms/{world.firm.pk}/scores/",
    ]:
        assert api.get(url).status_code == 401, url


def test_runs_list_year_status_version_counts_and_timings(ranked) -> None:
    _, run = ranked
    rows = client_for("analyst").get("/api/v1/runs/?year=1403").json()
    assert [r["id"] for r in rows] == [run.pk]
    assert rows[0]["status"] == "succeeded" and rows[0]["methodology_version"] == 1
    assert rows[0]["firm_count"] == 112 and set(rows[0]["timings"]) >= {"load", "compute"}


def test_analysts_page_through_every_ranked_firm(ranked) -> None:
    api = client_for("analyst")
    body = api.get("/api/v1/rankings/current/?year=1403&limit=50&offset=100").json()
    assert body["count"] == 112
    assert [r["rank"] for r in body["results"]] == list(range(101, 113))
    row = body["results"][0]
    assert set(row["firm"]) == {
        "id",
        "national_id",
        "name_fa",
        "name_en",
        "province",
        "park",
        "isic",
    }
    assert set(row["pillars"]) == {
        "competitiveness",
        "exports",
        "innovation",
        "standards",
        "finance",
    }


def test_a_park_manager_lists_the_top_100_and_their_own_firms_only(ranked) -> None:
    world, run = ranked
    body = client_for("manager").get("/api/v1/rankings/current/?limit=1000").json()
    ranks = {r["firm"]["id"]: r["rank"] for r in body["results"]}
    own_rank = FirmScore.objects.get(run=run, firm=world.firm).rank
    expected = 100 + (1 if own_rank > 100 else 0)
    assert len(ranks) == expected == body["count"]
    assert all(rank <= 100 or firm_id == world.firm.pk for firm_id, rank in ranks.items())


def test_filters_by_province_park_sector_and_search(ranked) -> None:
    world, _ = ranked
    api = client_for("analyst")
    by_park = api.get("/api/v1/rankings/current/?park=TEH-01").json()
    assert [r["firm"]["id"] for r in by_park["results"]] == [world.firm.pk]
    by_province = api.get("/api/v1/rankings/current/?province=IR-10&limit=1000").json()
    assert by_province["count"] == 111
    assert api.get("/api/v1/rankings/current/?sector=C").json()["count"] == 112
    assert api.get("/api/v1/rankings/current/?sector=10").json()["count"] == 0
    found = api.get("/api/v1/rankings/current/", {"search": "صنایع نمونه تهران"}).json()
    assert [r["firm"]["national_id"] for r in found["results"]] == [world.firm.national_id]


def test_the_count_of_a_run_is_counted_once_per_filter_and_user(ranked) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = client_for("analyst")

    def counts(query: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            body = api.get(f"/api/v1/rankings/current/?{query}").json()
        return body["count"], sum("COUNT(" in q["sql"] for q in queries.captured_queries)

    assert counts("province=IR-10&limit=5") == (111, 1)
    assert counts("province=IR-10&limit=5&offset=5") == (111, 0)  # the run never changes
    assert counts("sector=C&limit=5") == (112, 1)  # another filter, its own count
    manager = client_for("manager").get("/api/v1/rankings/current/?province=IR-10").json()
    assert manager["count"] < 111  # another user's scope is never served from the cache


def test_malformed_filters_are_refused_with_400(ranked) -> None:
    api = client_for("analyst")
    response = api.get("/api/v1/rankings/current/?province=Tehran&limit=0")
    assert response.status_code == 400
    assert set(response.json()) == {"province", "limit"}


def test_a_year_without_a_ranking_is_404(ranked) -> None:
    response = client_for("analyst").get("/api/v1/rankings/current/?year=1399")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("username", "own", "other"),
    [
        ("analyst", 200, 200),
        ("manager", 200, 404),
        ("firmuser", 200, 404),
        ("other-manager", 404, 200),
    ],
)
def test_score_history_is_visible_only_for_firms_the_user_may_see(
    ranked, username: str, own: int, other: int
) -> None:
    world, _ = ranked
    api = client_for(username)
    own_response = api.get(f"/api/v1/firms/{world.firm.pk}/scores/")
    other_response = api.get(f"/api/v1/firms/{world.other_firm.pk}/scores/")
    assert (own_response.status_code, other_response.status_code) == (own, other)
    if other == 404:
        assert world.other_firm.national_id not in other_response.content.decode()


def test_the_score_history_lists_each_run_with_pillars_and_indicators(ranked) -> None:
    world, run = ranked
    history = client_for("firmuser").get(f"/api/v1/firms/{world.firm.pk}/scores/").json()
    assert [h["run"] for h in history] == [run.pk]
    assert history[0]["year"] == 1403 and history[0]["eligible"] is True
    assert set(history[0]["indicators_raw"]) >= {"sales_log", "export_share"}
