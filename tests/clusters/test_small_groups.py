"""Sums and means of small groups are withheld from everyone but analysts.

A cluster, or a province x division cell, of fewer than AGGREGATE_MIN_FIRMS (5) firms
would show its members' own figures as its "totals": park managers and firm users get
"—" (pages, with a notice saying why) or null (API, with `withheld: true`) instead.
"""

from __future__ import annotations

import pytest
from django.test import Client

from clusters.models import Cluster
from firms.models import FirmYear, Sector
from rankings.models import RankingRun
from rankings.services import data_changed, ranking_recompute
from smerank.formatting import persian_digits
from tests.clusters.conftest import english, official_cluster
from tests.factories import FirmFactory, FirmYearFactory

pytestmark = pytest.mark.django_db

# The two metal firms of the world (one per park): a two-firm cluster sums exactly these.
SALES = {"firm": 71_234_567, "other_firm": 82_345_678}
EXPORTS = {"firm": 5_123_457, "other_firm": 6_234_568}
SMALL_SALES = sum(SALES.values())  # 153,580,245
SMALL_EXPORTS = sum(EXPORTS.values())
FOOD_FIRMS = 6

NOTICE_EN = (
    "This cluster has fewer than 5 firms, so its totals and averages are shown as “—”: "
    "they would reveal the figures of single firms."
)
CELLS_NOTICE_EN = (
    "Employment and location quotients of provinces with fewer than 5 firms in a division "
    "are shown as “—”: they would reveal the figures of single firms."
)


@pytest.fixture
def groups(world) -> dict[str, Cluster]:
    """A two-firm metal cluster (both parks) and a six-firm food cluster (other park)."""
    for key in ("firm", "other_firm"):
        FirmYearFactory(
            firm=getattr(world, key),
            year=1403,
            employees=45,
            sales=SALES[key],
            exports=EXPORTS[key],
        )
    food = Sector.objects.get(code="1010")
    for i in range(FOOD_FIRMS):
        FirmYearFactory(
            firm=FirmFactory(park=world.other_park, isic=food),
            year=1403,
            employees=30 + i,
            sales=400_000 + 1_000 * i,
            exports=1_000 * i,
        )
    small = official_cluster("SMALL-25", "خوشه کوچک فلزی", sectors=["25"], provinces=[])
    big = official_cluster("BIG-10", "خوشه بزرگ غذایی", sectors=["10"], provinces=[])
    data_changed(years=[1403])
    run = ranking_recompute(year=1403)
    assert run is not None and run.status == RankingRun.Status.SUCCEEDED
    return {"small": small, "big": big}


def api_client(user) -> Client:
    client = english(Client())
    client.force_login(user)
    return client


def _by_code(rows: list[dict]) -> dict[str, dict]:
    return {row["code"]: row for row in rows}


# --- API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "firm_user"])
def test_the_cluster_list_withholds_small_clusters_sums(groups, world, role) -> None:
    response = api_client(getattr(world, role)).get("/api/v1/clusters/")
    assert response.status_code == 200
    rows = _by_code(response.json())
    small = rows["SMALL-25"]
    assert {k: small[k] for k in ("members", "employment", "sales", "exports", "score_mean")} == {
        "members": 2,
        "employment": None,
        "sales": None,
        "exports": None,
        "score_mean": None,
    }
    assert small["withheld"] is True
    big = rows["BIG-10"]
    assert big["members"] == FOOD_FIRMS and big["withheld"] is False
    food = FirmYear.objects.filter(year=1403, firm__isic__code="1010")
    assert big["sales"] == sum(food.values_list("sales", flat=True))
    assert big["employment"] == sum(food.values_list("employees", flat=True))


def test_analysts_see_every_clusters_sums(groups, world) -> None:
    rows = _by_code(api_client(world.analyst).get("/api/v1/clusters/").json())
    small = rows["SMALL-25"]
    assert (small["sales"], small["exports"], small["employment"]) == (
        SMALL_SALES,
        SMALL_EXPORTS,
        90,
    )
    assert small["score_mean"] is not None and small["withheld"] is False


def test_the_cluster_detail_withholds_sums_means_and_gap_shares(groups, world) -> None:
    url = f"/api/v1/clusters/{groups['small'].pk}/"
    body = api_client(world.firm_user).get(url).json()
    assert {
        k: body[k]
        for k in ("members", "employment", "sales", "exports", "score_mean", "pillars", "gaps")
    } == {
        "members": 2,
        "employment": None,
        "sales": None,
        "exports": None,
        "score_mean": None,
        "pillars": {},
        "gaps": {},
    }
    assert body["withheld"] is True
    assert body["pillars_national"]  # the nation's means are not the cluster's
    analyst = api_client(world.analyst).get(url).json()
    assert analyst["sales"] == SMALL_SALES and analyst["withheld"] is False
    assert analyst["pillars"] and analyst["gaps"]


def test_the_regional_map_withholds_cells_of_few_firms(groups, world) -> None:
    def cells(user) -> dict[tuple[str, str], dict]:
        response = api_client(user).get("/api/v1/regions/")
        assert response.status_code == 200
        return {(c["province"], c["division"]): c for c in response.json()}

    seen = cells(world.manager)
    lone = seen[("IR-23", "25")]  # the manager's own firm alone: still a single firm's data
    assert (lone["establishments"], lone["employment"], lone["lq"], lone["withheld"]) == (
        1,
        None,
        None,
        True,
    )
    food = seen[("IR-10", "10")]
    assert food["establishments"] == FOOD_FIRMS and food["withheld"] is False
    assert food["employment"] == sum(30 + i for i in range(FOOD_FIRMS))
    assert food["lq"] is not None
    analyst = cells(world.analyst)[("IR-23", "25")]
    assert (analyst["employment"], analyst["withheld"]) == (45, False)


def test_the_threshold_is_the_setting(groups, world, settings) -> None:
    settings.AGGREGATE_MIN_FIRMS = 2
    rows = _by_code(api_client(world.manager).get("/api/v1/clusters/").json())
    assert rows["SMALL-25"]["sales"] == SMALL_SALES and rows["SMALL-25"]["withheld"] is False
    settings.AGGREGATE_MIN_FIRMS = 7
    rows = _by_code(api_client(world.manager).get("/api/v1/clusters/").json())
    assert rows["BIG-10"]["sales"] is None and rows["BIG-10"]["withheld"] is True


# --- the cluster page ---------------------------------------------------------------------------


def _money_forms(value: int) -> list[str]:
    grouped = f"{value:,}"
    return [str(value), grouped, persian_digits(grouped), persian_digits(str(value))]


def test_a_park_manager_sees_dashes_and_why_on_a_small_clusters_page(groups, world) -> None:
    response = api_client(world.manager).get(f"/clusters/{groups['small'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert NOTICE_EN in body
    assert CELLS_NOTICE_EN in body
    # Employment, sales, exports and the average score are dashes, not sums.
    assert body.count('<div class="sr-stat-value sr-stat-money">—</div>') == 2
    assert body.count('<div class="sr-stat-value">—</div>') == 2  # employment, average score
    for value in (SMALL_SALES, SMALL_EXPORTS, *SALES.values(), *EXPORTS.values()):
        for text in _money_forms(value):
            assert text not in body, text
    profile = response.context["profile"]
    assert (profile.sales, profile.employment, profile.withheld) == (None, None, True)
    assert all(row.cluster is None for row in response.context["pillars"])
    assert all(g["percent"] == "—" for g in response.context["gaps"])
    for row in response.context["cells"]:
        cell = row["cell"]
        assert (cell.employment, cell.lq, cell.withheld) == (None, None, True)


def test_a_park_manager_sees_a_large_clusters_figures_without_a_notice(groups, world) -> None:
    client = api_client(world.other_manager)
    body = client.get(f"/clusters/{groups['big'].pk}/").content.decode()
    food_sales = sum(
        FirmYear.objects.filter(year=1403, firm__isic__code="1010").values_list("sales", flat=True)
    )
    assert f"{food_sales:,}" in body
    assert NOTICE_EN not in body


def test_an_analyst_sees_a_small_clusters_sums(groups, world) -> None:
    client = Client()
    client.force_login(world.analyst)
    response = client.get(f"/clusters/{groups['small'].pk}/")
    body = response.content.decode()
    assert persian_digits(f"{SMALL_SALES:,}") in body
    assert response.context["profile"].withheld is False
    assert [str(m) for m in response.context["messages"]] == []  # no notice


def test_withheld_clusters_come_last_so_their_place_bounds_nothing(groups, world) -> None:
    """The list is sorted by employment: a withheld cluster placed between two shown ones
    would tell its employment within their two figures."""
    FirmYearFactory(
        firm=FirmFactory(park=world.park, isic=Sector.objects.get(code="2811")),
        year=1403,
        employees=240,
    )
    official_cluster("ONE-28", "خوشه تک‌بنگاهی ماشین‌سازی", sectors=["28"], provinces=[])
    data_changed(years=[1403])
    ranking_recompute(year=1403)
    analyst = [r["code"] for r in api_client(world.analyst).get("/api/v1/clusters/").json()]
    assert analyst.index("ONE-28") < analyst.index("BIG-10")  # the largest employer first
    rows = api_client(world.manager).get("/api/v1/clusters/").json()
    flags = [r["withheld"] for r in rows]
    assert flags == sorted(flags), [(r["code"], r["withheld"]) for r in rows]
    withheld = [r["code"] for r in rows if r["withheld"]]
    assert withheld == sorted(withheld) and {"ONE-28", "SMALL-25"} <= set(withheld)
