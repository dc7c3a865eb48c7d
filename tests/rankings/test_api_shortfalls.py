"""GET /api/v1/shortfalls/ and GET /api/v1/runs/{id}/analysis/."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from rest_framework.test import APIClient

from rankings.analysis import run_analysis_compute
from rankings.selectors_shortfalls import PARK_LEVEL_ONLY
from rankings.services import data_changed, ranking_recompute
from tests.factories import FirmFactory, FirmYearFactory

pytestmark = pytest.mark.django_db

PILLARS = ["competitiveness", "exports", "innovation", "standards", "finance"]
GAPS = ["no_exports", "no_certification", "no_rd", "falling_sales", "high_debt"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ranked(world):
    """12 firms in Tehran's park (4 without exports), 30 in Isfahan's, ranked for 1403."""
    own = [world.firm, *FirmFactory.create_batch(11, park=world.park)]
    other = [world.other_firm, *FirmFactory.create_batch(29, park=world.other_park)]
    for i, firm in enumerate(own + other):
        FirmYearFactory(
            firm=firm,
            year=1403,
            sales=5_000 + 97 * i,
            exports=0 if i < 4 else 40 * i,
            employees=15 + i,
            rd_spend=0 if i % 3 == 0 else 100,
            certifications="" if i % 2 else "ISO9001",
        )
    data_changed(years=[1403])
    return world, ranking_recompute(year=1403)


def client_for(username: str | None) -> APIClient:
    api = APIClient()
    if username:
        api.force_authenticate(User.objects.get(username=username))
    return api


def test_anonymous_users_get_401(ranked) -> None:
    _, run = ranked
    api = client_for(None)
    assert api.get("/api/v1/shortfalls/?year=1403&level=park").status_code == 401
    assert api.get(f"/api/v1/runs/{run.pk}/analysis/").status_code == 401


def test_firm_users_may_not_read_the_report(ranked) -> None:
    response = client_for("firmuser").get("/api/v1/shortfalls/?year=1403&level=park")
    assert response.status_code == 403


def test_an_unknown_level_is_a_400_naming_the_choices(ranked) -> None:
    response = client_for("analyst").get("/api/v1/shortfalls/?year=1403&level=village")
    assert response.status_code == 400
    assert response.json()["level"] == ['"village" یک انتخاب معتبر نیست.']


def test_analysts_get_every_park_with_shares_and_top_gaps(ranked) -> None:
    body = client_for("analyst").get("/api/v1/shortfalls/?year=1403&level=park").json()
    assert body["year"] == 1403 and body["level"] == "park" and body["top_n"] == 100
    assert body["pillars"] == PILLARS
    assert [g["key"] for g in body["groups"]] == ["ISF-01", "TEH-01"]
    tehran = body["groups"][1]
    assert tehran["firms"] == 12 and tehran["in_top"] == 12
    assert set(tehran["weak"]) == set(PILLARS) and set(tehran["gaps"]) == set(GAPS)
    # 4 of Tehran's 12 firms export nothing; firms 0, 3, 6, 9 spend nothing on R&D.
    assert tehran["gaps"]["no_exports"] == pytest.approx(4 / 12, abs=1e-6)
    assert tehran["gaps"]["no_rd"] == pytest.approx(4 / 12, abs=1e-6)
    assert tehran["gaps"]["no_certification"] == pytest.approx(6 / 12, abs=1e-6)
    assert tehran["top_gaps"][0] == "no_certification"
    assert body["national"]["firms"] == 42
    assert body["national"]["gaps"]["no_exports"] == pytest.approx(4 / 42, abs=1e-6)


@pytest.mark.parametrize(
    ("level", "keys"),
    [("province", ["IR-10", "IR-23"]), ("sector", ["25"]), ("park", ["ISF-01", "TEH-01"])],
)
def test_each_level_groups_the_firms_by_its_own_key(ranked, level, keys) -> None:
    body = client_for("analyst").get(f"/api/v1/shortfalls/?year=1403&level={level}").json()
    assert [g["key"] for g in body["groups"]] == keys
    assert sum(g["firms"] for g in body["groups"]) == 42


def test_the_cluster_level_counts_the_members_of_each_cluster(ranked) -> None:
    from clusters.models import ClusterMembership

    _, run = ranked
    body = client_for("analyst").get("/api/v1/shortfalls/?year=1403&level=cluster").json()
    expected = {}
    for code in ClusterMembership.objects.filter(run=run).values_list("cluster__code", flat=True):
        expected[code] = expected.get(code, 0) + 1
    assert expected  # the run discovered clusters among these firms
    assert {g["key"]: g["firms"] for g in body["groups"]} == expected


def test_a_park_manager_sees_only_their_own_park(ranked) -> None:
    api = client_for("manager")
    body = api.get("/api/v1/shortfalls/?year=1403&level=park").json()
    assert [g["key"] for g in body["groups"]] == ["TEH-01"]
    assert body["groups"][0]["firms"] == 12
    assert body["national"] is None
    assert "ISF-01" not in str(body)


def test_a_park_manager_asking_for_another_level_is_refused(ranked) -> None:
    response = client_for("manager").get("/api/v1/shortfalls/?year=1403&level=province")
    assert response.status_code == 403
    assert response.json()["detail"] == str(PARK_LEVEL_ONLY)


def test_a_year_without_a_ranking_is_a_404(ranked) -> None:
    assert client_for("analyst").get("/api/v1/shortfalls/?year=1390").status_code == 404


def test_the_run_analysis_endpoint_gives_status_and_sensitivity(ranked) -> None:
    _, run = ranked
    api = client_for("manager")
    assert api.get(f"/api/v1/runs/{run.pk}/analysis/").status_code == 404
    run_analysis_compute(run_id=run.pk, overrides={"replications": 20, "sensitivity_samples": 4})
    body = api.get(f"/api/v1/runs/{run.pk}/analysis/").json()
    assert body["run"] == run.pk and body["status"] == "succeeded"
    assert set(body["sensitivity"]) == {"weights", "normalisation", "aggregation", "winmax"}
    assert set(body["sensitivity"]["weights"]) == {"first_order", "total"}
    assert body["params"]["replications"] == 20
