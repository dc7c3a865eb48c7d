import json
import re
from pathlib import Path
from statistics import mean

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankings.models import FirmScore
from tests.rankings.dashboard_fixtures import ranked

pytestmark = pytest.mark.django_db

PAGE = "/analyst/map/"
GEOJSON = "/analyst/map/provinces.geojson"
MAP_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "map.js"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def features(client, **params) -> dict[str, dict]:
    response = client.get(GEOJSON, params)
    assert response.status_code == 200
    return {f["properties"]["code"]: f for f in response.json()["features"]}


def test_the_map_and_its_geojson_have_the_names_the_menu_uses() -> None:
    assert reverse("analyst-map") == PAGE
    assert reverse("analyst-map-geojson") == GEOJSON


@pytest.mark.parametrize("url", [PAGE, GEOJSON])
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, url) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("username", ["manager", "other-manager", "firmuser"])
@pytest.mark.parametrize("url", [PAGE, GEOJSON])
def test_other_roles_get_a_404_and_no_numbers(client, world, username, url) -> None:
    ranked(world, extra=3)
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 404
    assert "avg_score" not in response.content.decode()


def test_the_geojson_carries_every_province_with_its_metrics(client, world) -> None:
    run = ranked(world, extra=30)
    client.force_login(world.analyst)
    by_code = features(client)
    assert len(by_code) == 31
    isfahan = by_code["IR-10"]["properties"]
    scores = FirmScore.objects.filter(run=run, firm__park=world.other_park)
    assert isfahan["name_fa"] == "اصفهان" and isfahan["name_en"] == "Isfahan"
    assert isfahan["ranked"] == 31 and isfahan["top_count"] == 31
    assert isfahan["avg_score"] == pytest.approx(mean(s.score for s in scores), abs=0.01)
    assert by_code["IR-23"]["properties"]["ranked"] == 1
    assert by_code["IR-01"]["properties"] == {
        **by_code["IR-01"]["properties"],
        "avg_score": None,
        "top_count": 0,
        "ranked": 0,
    }
    assert by_code["IR-10"]["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_only_firms_in_the_top_n_are_counted_as_top(client, world) -> None:
    run = ranked(world, extra=30)
    spec = run.methodology.spec
    spec["top_n"] = 10
    run.methodology.__class__.objects.filter(pk=run.methodology_id).update(spec=spec)
    client.force_login(world.analyst)
    by_code = features(client)
    tops = FirmScore.objects.filter(run=run, rank__lte=10)
    assert (
        by_code["IR-10"]["properties"]["top_count"]
        == tops.filter(firm__park=world.other_park).count()
    )
    assert sum(f["properties"]["top_count"] or 0 for f in by_code.values()) == tops.count()


def test_the_geojson_is_served_as_geojson_and_cached_privately(client, world) -> None:
    ranked(world, extra=3)
    client.force_login(world.analyst)
    response = client.get(GEOJSON)
    assert response["Content-Type"] == "application/geo+json"
    assert "private" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]


def test_the_geojson_is_computed_once_per_run(client, world, django_assert_max_num_queries):
    ranked(world, extra=3)
    client.force_login(world.analyst)
    with CaptureQueriesContext(connection) as first:
        client.get(GEOJSON)
    aggregates = [q for q in first.captured_queries if "AVG(" in q["sql"].upper()]
    assert len(aggregates) == 1  # one aggregate query for every province
    with django_assert_max_num_queries(len(first.captured_queries) - 2):
        client.get(GEOJSON)


def test_the_geojson_of_a_chosen_year_and_404_for_a_year_without_ranking(client, world) -> None:
    ranked(world, extra=3, year=1402)
    ranked(world, extra=10, year=1403)
    client.force_login(world.analyst)
    assert features(client, year=1402)["IR-10"]["properties"]["ranked"] == 4
    assert features(client)["IR-10"]["properties"]["ranked"] == 11  # firms with 1403 data
    assert client.get(GEOJSON, {"year": 1390}).status_code == 404


def test_the_page_has_the_map_the_attribution_and_an_accessible_table(client, world) -> None:
    ranked(world, extra=30)
    client.force_login(world.analyst)
    html = client.get(PAGE).content.decode()
    assert 'id="province-map"' in html
    assert "© OpenStreetMap contributors, ODbL" in html
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in html
    assert "/static/vendor/leaflet-1.9.4/leaflet.css" in html
    config = json.loads(
        re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html)[1]
    )
    assert config == {"lang": "fa", "geojsonUrl": f"{GEOJSON}?year=1403"}
    table = html.split('data-testid="province-table"')[1].split("</table>")[0]
    assert table.count('<th scope="row"') == 31
    assert '<th scope="col"' in table and "<caption" in table
    isfahan = table.split('data-code="IR-10"')[1].split("</tr>")[0]
    assert "اصفهان" in isfahan and "۳۱" in isfahan


def test_the_table_shows_average_scores_with_one_persian_decimal(client, world) -> None:
    run = ranked(world, extra=30)
    client.force_login(world.analyst)
    html = client.get(PAGE).content.decode()
    average = mean(s.score for s in FirmScore.objects.filter(run=run, firm__park=world.other_park))
    shown = f"{average:.1f}".translate(str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫"))
    assert shown in html.split('data-code="IR-10"')[1].split("</tr>")[0]
    assert "—" in html.split('data-code="IR-01"')[1].split("</tr>")[0]


def test_the_map_uses_no_tiles_and_nothing_from_another_server(client, world) -> None:
    ranked(world, extra=3)
    client.force_login(world.analyst)
    html = client.get(PAGE).content.decode()
    script = MAP_JS.read_text(encoding="utf-8")
    assert "tileLayer" not in script and "{z}" not in script
    assert "http" not in script
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_in_english_the_table_uses_english_names_and_latin_digits(client, world) -> None:
    ranked(world, extra=30)
    client.force_login(world.analyst)
    client.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    html = client.get(PAGE).content.decode()
    isfahan = html.split('data-code="IR-10"')[1].split("</tr>")[0]
    assert "Isfahan" in isfahan and ">31<" in isfahan
    assert '"lang": "en"' in html


def test_before_any_run_the_map_page_says_there_is_nothing_to_map(client, world) -> None:
    client.force_login(world.analyst)
    html = client.get(PAGE).content.decode()
    assert 'data-testid="no-runs"' in html and "province-map" not in html
    assert len(features(client)) == 31


def test_the_page_costs_the_same_queries_for_10_or_200_firms(
    client, world, django_assert_max_num_queries
) -> None:
    ranked(world, extra=8, year=1403)
    ranked(world, extra=190, park=world.park, year=1402)
    client.force_login(world.analyst)
    counts = []
    for year in (1403, 1402):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PAGE, {"year": year}).status_code == 200
            assert client.get(GEOJSON, {"year": year}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    cache.clear()
    with django_assert_max_num_queries(20):
        client.get(PAGE, {"year": 1402})
        client.get(GEOJSON, {"year": 1402})
