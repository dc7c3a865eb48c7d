"""Cluster mapping and membership are computed in the ranking run and switched with it."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from clusters.models import Cluster, ClusterMembership, ClusterProfile, RegionSectorStat
from firms.models import Province, Sector
from rankings.services import data_changed, ranking_recompute
from tests.factories import FirmFactory, FirmYearFactory, ParkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regional_data(world):
    """Metal products (25) concentrate in Tehran, food (10) in Isfahan, in several
    provinces so the location quotients have distributions to compare against."""
    metal, food = Sector.objects.get(code="2511"), Sector.objects.get(code="1010")
    layout = {
        "IR-23": (30, 4),
        "IR-10": (4, 30),
        "IR-03": (8, 8),
        "IR-00": (8, 8),
        "IR-01": (7, 9),
        "IR-02": (9, 7),
    }
    for code, (n_metal, n_food) in layout.items():
        park = (
            world.park
            if code == "IR-23"
            else world.other_park
            if code == "IR-10"
            else ParkFactory(province=Province.objects.get(code=code))
        )
        for isic, count in ((metal, n_metal), (food, n_food)):
            for i in range(count):
                firm = FirmFactory(park=park, isic=isic)
                FirmYearFactory(
                    firm=firm,
                    year=1403,
                    employees=20 + i,
                    sales=3000 + 50 * i,
                    exports=0 if i % 3 else 100 + i,
                )
    data_changed(years=[1403])
    return ranking_recompute(year=1403)


def test_the_run_maps_every_province_division_cell_with_its_location_quotient(
    regional_data,
) -> None:
    run = regional_data
    cells = RegionSectorStat.objects.filter(run=run)
    assert cells.count() == 12
    tehran_metal = cells.get(province__code="IR-23", division="25")
    assert tehran_metal.establishments == 30
    assert tehran_metal.lq > 1.3
    assert tehran_metal.strong is True
    assert cells.get(province__code="IR-23", division="10").strong is False


def test_strong_cells_are_proposed_as_discovered_clusters_with_their_members(
    regional_data,
) -> None:
    run = regional_data
    discovered = Cluster.objects.get(code="D-IR-23-25")
    assert discovered.kind == "discovered"
    assert "تهران" in discovered.name_fa
    members = ClusterMembership.objects.filter(run=run, cluster=discovered)
    assert members.count() == 30
    assert sorted(members.values_list("rank_in_cluster", flat=True))[0] == 1


def test_an_official_cluster_gets_its_members_in_the_next_run(regional_data) -> None:
    cluster = Cluster.objects.create(code="FOOD-ISF", name_fa="خوشه غذایی اصفهان")
    cluster.sectors.add(Sector.objects.get(code="10"))
    cluster.provinces.add(Province.objects.get(code="IR-10"))
    data_changed(years=[1403])
    from firms.models import FirmYear

    FirmYear.objects.filter(year=1403).update(new_products=3)  # a real change
    data_changed(years=[1403])
    run = ranking_recompute(year=1403)
    assert ClusterMembership.objects.filter(run=run, cluster=cluster).count() == 30
    profile = ClusterProfile.objects.get(run=run, cluster=cluster)
    assert profile.members == 30
    assert set(profile.gaps) == {
        "no_exports",
        "no_certification",
        "no_rd",
        "falling_sales",
        "high_debt",
    }
    assert profile.gaps["no_exports"] == pytest.approx(20 / 30, abs=1e-6)
    assert set(profile.pillars) == set(profile.pillars_national)


def test_the_firm_score_carries_its_rank_in_its_cluster(regional_data) -> None:
    from rankings.models import FirmScore

    run = regional_data
    member = ClusterMembership.objects.filter(run=run, cluster__code="D-IR-23-25").first()
    score = FirmScore.objects.get(run=run, firm=member.firm)
    assert score.rank_cluster == member.rank_in_cluster


def test_the_cluster_api_lists_clusters_and_scopes_members(regional_data, world) -> None:
    api = APIClient()
    api.force_authenticate(User.objects.get(username="analyst"))
    listing = api.get("/api/v1/clusters/?year=1403").json()
    codes = {c["code"] for c in listing}
    assert "D-IR-23-25" in codes
    cluster_id = next(c["id"] for c in listing if c["code"] == "D-IR-23-25")
    detail = api.get(f"/api/v1/clusters/{cluster_id}/").json()
    assert detail["members"] == 30 and len(detail["member_list"]) == 30

    api.force_authenticate(User.objects.get(username="other-manager"))
    scoped = api.get(f"/api/v1/clusters/{cluster_id}/").json()
    # Tehran's members are another park's: the Isfahan manager sees only the top-100 ones.
    from rankings.models import FirmScore

    in_top = set(
        FirmScore.objects.filter(
            run=regional_data,
            rank__lte=100,
            firm__park__province__code="IR-23",
            firm__isic_id="2511",
        ).values_list("firm_id", flat=True)
    )
    assert 0 < len(in_top) < 30
    assert {m["firm_id"] for m in scoped["member_list"]} == in_top
    regions = api.get("/api/v1/regions/?year=1403").json()
    assert len(regions) == 12 and {"lq", "strong", "stars"} <= set(regions[0])


def test_anonymous_users_get_401_from_cluster_endpoints(regional_data) -> None:
    api = APIClient()
    for url in ["/api/v1/clusters/", "/api/v1/regions/", "/api/v1/clusters/1/"]:
        assert api.get(url).status_code == 401


def test_a_discovered_cluster_is_defined_by_its_division(regional_data) -> None:
    cluster = Cluster.objects.get(code="D-IR-23-25")
    assert list(cluster.sectors.values_list("code", flat=True)) == ["25"]
    assert list(cluster.provinces.values_list("code", flat=True)) == ["IR-23"]


def test_saving_an_official_cluster_alone_triggers_a_new_run_with_its_members(
    regional_data,
) -> None:
    cluster = Cluster.objects.create(code="METAL-TEH", name_fa="خوشه فلزی تهران")
    cluster.sectors.add(Sector.objects.get(code="25"))
    cluster.provinces.add(Province.objects.get(code="IR-23"))
    data_changed(years=[1403])  # no figure changed, only the cluster definitions
    run = ranking_recompute(year=1403)
    assert run is not None and run != regional_data
    assert ClusterMembership.objects.filter(run=run, cluster=cluster).count() == 30
