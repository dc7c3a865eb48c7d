"""The analysts' cluster list: official clusters first, figures, filters and paging."""

import pytest
from django.urls import reverse

from clusters.models import Cluster, ClusterProfile
from tests.clusters.conftest import english, official_cluster, regional_run

pytestmark = pytest.mark.django_db

LIST = "/clusters/"


def test_the_url_names_are_the_ones_the_menu_and_pages_link_to() -> None:
    assert reverse("cluster-list") == "/clusters/"
    assert reverse("cluster-detail", args=[7]) == "/clusters/7/"
    assert reverse("cluster-map") == "/clusters/map/"
    assert reverse("cluster-new") == "/clusters/new/"
    assert reverse("cluster-edit", args=[7]) == "/clusters/7/edit/"


def test_anonymous_visitors_are_sent_to_the_login_page(client, clustered) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/clusters/")


@pytest.mark.parametrize("username", ["manager", "firmuser"])
def test_park_managers_and_firm_users_get_a_404(client, clustered, world, username) -> None:
    user = world.manager if username == "manager" else world.firm_user
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 404
    assert "خوشه صنایع غذایی اصفهان" not in response.content.decode()


def test_analysts_see_official_clusters_first_with_persian_figures(client, clustered, world):
    client.force_login(world.analyst)
    response = client.get(LIST)
    body = response.content.decode()
    assert response.status_code == 200
    rows = response.context["rows"]
    kinds = [row["p"].cluster.kind for row in rows]
    assert kinds[0] == "official" and "discovered" in kinds
    assert kinds == sorted(kinds, key=lambda k: k != "official")
    food = ClusterProfile.objects.get(run=clustered, cluster__code="FOOD-ISF")
    assert food.members == 30
    assert "خوشه صنایع غذایی اصفهان" in body
    assert "۳۰" in body  # its members, in Persian digits
    assert f"{food.sales:,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")) in body
    tehran_metal = Cluster.objects.get(code="D-IR-23-25")
    assert tehran_metal.name_fa in body
    assert f'href="/clusters/{tehran_metal.pk}/?year=1403"' in body


def test_the_weakest_pillars_show_as_persian_badges(client, clustered, world) -> None:
    client.force_login(world.analyst)
    body = client.get(LIST).content.decode()
    persian = {
        "competitiveness": "رقابت‌پذیری",
        "exports": "صادرات‌محوری",
        "innovation": "نوآوری و فناوری",
        "standards": "استاندارد و کیفیت",
        "finance": "سلامت مالی",
    }
    weakest = ClusterProfile.objects.filter(run=clustered).exclude(weakest_pillars=[]).first()
    assert weakest is not None
    for code in weakest.weakest_pillars:
        assert f'<span class="badge sr-weak">{persian[code]}</span>' in body


def test_the_kind_filter_keeps_only_discovered_clusters(client, clustered, world) -> None:
    client.force_login(world.analyst)
    response = english(client).get(LIST, {"kind": "discovered"})
    codes = [row["p"].cluster.code for row in response.context["rows"]]
    assert codes and all(code.startswith("D-") for code in codes)
    assert "Clear" in response.content.decode()


def test_the_province_filter_keeps_clusters_of_that_province(client, clustered, world) -> None:
    client.force_login(world.analyst)
    response = client.get(LIST, {"province": "IR-10"})
    codes = {row["p"].cluster.code for row in response.context["rows"]}
    assert "FOOD-ISF" in codes
    assert "D-IR-23-25" not in codes


def test_searching_by_name_folds_arabic_letters(client, clustered, world) -> None:
    client.force_login(world.analyst)
    # Typed on an Arabic keyboard: ي and ك instead of ی and ک.
    response = client.get(LIST, {"q": "صنايع غذايي"})
    codes = [row["p"].cluster.code for row in response.context["rows"]]
    assert codes == ["FOOD-ISF"]


def test_no_match_says_so(client, clustered, world) -> None:
    client.force_login(world.analyst)
    body = english(client).get(LIST, {"q": "no such cluster"}).content.decode()
    assert "No cluster matches these filters." in body


def test_an_unknown_province_is_dropped_not_a_server_error(client, clustered, world) -> None:
    client.force_login(world.analyst)
    response = client.get(LIST, {"province": "IR-99"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == ClusterProfile.objects.filter(run=clustered).count()


def test_a_year_without_a_ranking_is_a_404(client, clustered, world) -> None:
    client.force_login(world.analyst)
    assert client.get(LIST, {"year": "1399"}).status_code == 404
    assert client.get(LIST, {"year": "abc"}).status_code == 404


def test_before_any_run_the_page_says_there_is_nothing_yet(client, world) -> None:
    client.force_login(world.analyst)
    body = english(client).get(LIST).content.decode()
    assert "No ranking has been computed yet, so no cluster has members." in body


def test_official_clusters_waiting_for_the_next_run_are_listed(client, clustered, world):
    official_cluster("NEW-ONE", "خوشه تازه", sectors=["25"], provinces=["IR-03"])
    client.force_login(world.analyst)
    body = english(client).get(LIST).content.decode()
    assert "Official clusters without members in this run" in body
    assert "NEW-ONE cluster" in body


def test_the_list_is_paginated_by_25(client, world) -> None:
    regional_run(world, officials=30)
    client.force_login(world.analyst)
    first = client.get(LIST)
    assert len(first.context["rows"]) == 25
    assert first.context["page"].paginator.num_pages >= 2
    second = client.get(LIST, {"page": 2})
    assert {r["p"].pk for r in second.context["rows"]}.isdisjoint(
        {r["p"].pk for r in first.context["rows"]}
    )
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize("officials", [1, 40])
def test_the_list_reads_a_bounded_number_of_queries(
    client, world, officials, django_assert_max_num_queries
) -> None:
    regional_run(world, officials=officials)
    client.force_login(world.analyst)
    client.get(LIST)  # warm the session and role caches
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert response.status_code == 200
