"""The province x division specialisation map: heatmap data, choropleth, strong cells."""

import json
import re

import pytest

from clusters.models import Cluster, RegionSectorStat
from smerank.formatting import persian_digits
from tests.clusters.conftest import english, regional_run

pytestmark = pytest.mark.django_db

MAP = "/clusters/map/"
GEOJSON = "/clusters/map/provinces.geojson"


def map_data(body: str) -> dict:
    found = re.search(
        r'<script id="cluster-map-data" type="application/json">(.*?)</script>', body, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


@pytest.mark.parametrize("url", [MAP, GEOJSON])
def test_anonymous_visitors_are_sent_to_the_login_page(client, clustered, url) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [MAP, GEOJSON])
@pytest.mark.parametrize("username", ["manager", "firmuser"])
def test_only_analysts_see_the_map(client, clustered, world, url, username) -> None:
    client.force_login(world.manager if username == "manager" else world.firm_user)
    response = client.get(url)
    assert response.status_code == 404
    assert "cluster-map-data" not in response.content.decode()


def test_the_strong_cells_table_lists_tehran_metal_in_persian(client, clustered, world):
    client.force_login(world.analyst)
    response = client.get(MAP)
    body = response.content.decode()
    assert response.status_code == 200
    strong = RegionSectorStat.objects.get(run=clustered, province__code="IR-23", division="25")
    assert strong.strong
    rows = [(r["cell"].province.code, r["cell"].division) for r in response.context["strong"]]
    assert ("IR-23", "25") in rows
    assert ("IR-23", "10") not in rows
    assert "ساخت محصولات فلزی ساخته‌شده" in body  # division 25's Persian title
    assert persian_digits(f"{strong.lq:.2f}") in body
    cluster = Cluster.objects.get(code="D-IR-23-25")
    assert f'href="/clusters/{cluster.pk}/?year=1403"' in body


def test_the_heatmap_gets_every_cell_with_its_lq_and_strong_flag(client, clustered, world):
    client.force_login(world.analyst)
    data = map_data(client.get(MAP).content.decode())
    assert len(data["cells"]) == RegionSectorStat.objects.filter(run=clustered).count() == 12
    assert {d["code"] for d in data["divisions"]} == {"10", "25"}
    provinces = [p["code"] for p in data["provinces"]]
    divisions = [d["code"] for d in data["divisions"]]
    cell = next(c for c in data["cells"] if provinces[c[1]] == "IR-23" and divisions[c[0]] == "25")
    assert cell[3] == 1 and cell[2] > 1.3
    assert data["geojsonUrl"] == GEOJSON


def test_the_choropleth_credits_openstreetmap_and_loads_no_tiles(client, clustered, world):
    client.force_login(world.analyst)
    body = english(client).get(MAP).content.decode()
    assert "© OpenStreetMap contributors, ODbL" in body
    assert "tile.openstreetmap" not in body
    assert "Number of strong cells" in body


def test_the_province_shapes_are_served_from_the_shipped_file(client, clustered, world):
    client.force_login(world.analyst)
    response = client.get(GEOJSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    shapes = json.loads(response.content)
    codes = {f["properties"]["iso_3166_2"] for f in shapes["features"]}
    assert {"IR-23", "IR-10"} <= codes
    assert {"name_fa", "name_en"} <= set(shapes["features"][0]["properties"])


def test_an_unknown_year_is_a_404_and_no_run_an_empty_state(client, world) -> None:
    client.force_login(world.analyst)
    body = english(client).get(MAP).content.decode()
    assert "No ranking has been computed yet, so there is nothing to map." in body
    assert client.get(MAP, {"year": "1300"}).status_code == 404


@pytest.mark.parametrize("scale", [1, 3])
def test_the_map_reads_a_bounded_number_of_queries(
    client, world, scale, django_assert_max_num_queries
) -> None:
    regional_run(world, scale=scale)
    client.force_login(world.analyst)
    client.get(MAP)
    with django_assert_max_num_queries(13):
        response = client.get(MAP)
    assert response.status_code == 200
