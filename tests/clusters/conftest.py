"""A ranked year with discovered and official clusters, for the cluster page tests."""

from __future__ import annotations

import pytest
from django.test import Client

from clusters.models import Cluster
from firms.models import Province, Sector
from rankings.models import RankingRun
from rankings.services import data_changed, ranking_recompute
from tests.factories import FirmFactory, FirmYearFactory, ParkFactory

# Metal products (25) concentrate in Tehran, food (10) in Isfahan; the other provinces
# give the location quotients a distribution to compare against.
LAYOUT = {
    "IR-23": (30, 4),
    "IR-10": (4, 30),
    "IR-03": (8, 8),
    "IR-00": (8, 8),
    "IR-01": (7, 9),
    "IR-02": (9, 7),
}


def official_cluster(code: str, name_fa: str, *, sectors: list[str], provinces: list[str]):
    cluster = Cluster.objects.create(code=code, name_fa=name_fa, name_en=f"{code} cluster")
    cluster.sectors.set(Sector.objects.filter(code__in=sectors))
    cluster.provinces.set(Province.objects.filter(code__in=provinces))
    return cluster


def regional_run(world, *, officials: int = 1, scale: int = 1) -> RankingRun:
    """Figures for every firm of LAYOUT (times `scale`) and a run. Official clusters are
    defined first, so the run computes their members."""
    official_cluster("FOOD-ISF", "خوشه صنایع غذایی اصفهان", sectors=["10"], provinces=["IR-10"])
    for i in range(1, officials):
        official_cluster(
            f"METAL-{i:03d}", f"خوشه فلزی شماره {i}", sectors=["25"], provinces=["IR-23"]
        )
    metal, food = Sector.objects.get(code="2511"), Sector.objects.get(code="1010")
    for code, (n_metal, n_food) in LAYOUT.items():
        park = (
            world.park
            if code == "IR-23"
            else world.other_park
            if code == "IR-10"
            else ParkFactory(province=Province.objects.get(code=code))
        )
        for isic, count in ((metal, n_metal * scale), (food, n_food * scale)):
            for i in range(count):
                FirmYearFactory(
                    firm=FirmFactory(park=park, isic=isic),
                    year=1403,
                    employees=20 + i % 40,
                    sales=3000 + 50 * i,
                    exports=0 if i % 3 else 100 + i,
                    certifications="" if i % 2 else "ISO9001",
                )
    data_changed(years=[1403])
    run = ranking_recompute(year=1403)
    assert run is not None and run.status == RankingRun.Status.SUCCEEDED
    return run


@pytest.fixture
def clustered(world) -> RankingRun:
    return regional_run(world)


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client
