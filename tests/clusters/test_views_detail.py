"""One cluster's page: definition, figures, pillars against the nation, gaps, members."""

import re

import pytest

from clusters.models import Cluster, ClusterMembership, ClusterProfile
from rankings.models import FirmScore
from smerank.formatting import persian_digits
from tests.clusters.conftest import english, official_cluster, regional_run

pytestmark = pytest.mark.django_db


def page(cluster: Cluster) -> str:
    return f"/clusters/{cluster.pk}/"


@pytest.fixture
def food(clustered) -> Cluster:
    return Cluster.objects.get(code="FOOD-ISF")


@pytest.fixture
def tehran_metal(clustered) -> Cluster:
    return Cluster.objects.get(code="D-IR-23-25")


def test_anonymous_visitors_are_sent_to_the_login_page(client, food) -> None:
    response = client.get(page(food))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_firm_users_get_a_404_without_cluster_data(client, food, world) -> None:
    client.force_login(world.firm_user)
    response = client.get(page(food))
    assert response.status_code == 404
    assert food.name_fa not in response.content.decode()


def test_an_unknown_cluster_is_a_404(client, clustered, world) -> None:
    client.force_login(world.analyst)
    assert client.get("/clusters/999999/").status_code == 404


def test_analysts_see_the_definition_with_isic_titles_and_provinces(client, food, world):
    client.force_login(world.analyst)
    response = client.get(page(food))
    body = response.content.decode()
    assert response.status_code == 200
    assert "خوشه صنایع غذایی اصفهان" in body
    assert "ساخت محصولات غذایی" in body  # division 10's Persian title
    assert "اصفهان" in body
    assert f'href="/clusters/{food.pk}/edit/"' in body


def test_the_figures_are_shown_in_persian_digits(client, clustered, food, world) -> None:
    client.force_login(world.analyst)
    body = client.get(page(food)).content.decode()
    profile = ClusterProfile.objects.get(run=clustered, cluster=food)
    assert persian_digits(f"{profile.sales:,}") in body
    assert persian_digits(f"{profile.employment:,}") in body
    assert persian_digits(f"{profile.score_mean:.1f}") in body


def test_the_gaps_read_as_sentences_with_percentages(client, clustered, food, world) -> None:
    client.force_login(world.analyst)
    body = english(client).get(page(food)).content.decode()
    profile = ClusterProfile.objects.get(run=clustered, cluster=food)
    share = round(profile.gaps["no_exports"] * 100)
    assert share == 67  # two firms in three export nothing
    assert "67% of members export nothing" in body
    assert "of members hold no quality certificate" in body
    client.cookies["django_language"] = "fa"
    assert "۶۷٪" in client.get(page(food)).content.decode()


def test_the_weakest_pillars_are_explained_against_the_nation(client, clustered, world) -> None:
    profile = ClusterProfile.objects.filter(run=clustered).exclude(weakest_pillars=[]).first()
    client.force_login(world.analyst)
    response = english(client).get(page(profile.cluster))
    body = response.content.decode()
    weakest = response.context["weakest"]
    assert [r.code for r in weakest] == profile.weakest_pillars
    first = weakest[0]
    assert first.cluster < first.national
    assert f"members average {first.cluster:.1f} against {first.national:.1f}" in body
    assert "Measured by:" in body


def test_the_pillar_chart_data_is_passed_as_json_not_inline_code(client, food, world) -> None:
    client.force_login(world.analyst)
    body = client.get(page(food)).content.decode()
    assert 'id="cluster-pillars-data" type="application/json"' in body
    assert "echarts.min.js" in body
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body)
    assert inline == []


def test_top_members_show_cluster_and_national_ranks_and_link_to_profiles(
    client, clustered, tehran_metal, world
) -> None:
    client.force_login(world.analyst)
    response = client.get(page(tehran_metal))
    top = response.context["top_members"]
    assert [m.rank_in_cluster for m in top][:3] == [1, 2, 3]
    best = top[0]
    national = FirmScore.objects.get(run=clustered, firm=best.firm).rank
    assert best.national_rank == national
    body = response.content.decode()
    assert f'href="/firms/{best.firm_id}/"' in body
    assert best.firm.name_fa in body


def test_the_location_quotient_cells_of_its_divisions_and_provinces(client, food, world):
    client.force_login(world.analyst)
    response = client.get(page(food))
    cells = [row["cell"] for row in response.context["cells"]]
    assert [(c.province.code, c.division) for c in cells] == [("IR-10", "10")]
    assert persian_digits(f"{cells[0].lq:.2f}") in response.content.decode()


def test_park_managers_see_the_cluster_but_only_members_they_may_list(
    client, clustered, tehran_metal, world
) -> None:
    # Tehran's metal firms belong to another park than the Isfahan manager's.
    hidden = ClusterMembership.objects.filter(
        run=clustered, cluster=tehran_metal, firm__scores__run=clustered, firm__scores__rank__gt=100
    ).select_related("firm")
    assert hidden.exists()
    client.force_login(world.other_manager)
    response = client.get(page(tehran_metal))
    body = response.content.decode()
    assert response.status_code == 200
    assert tehran_metal.name_fa in body
    for member in hidden:
        assert member.firm.name_fa not in body
    listed = [m.firm_id for m in response.context["members"].object_list]
    assert listed and set(listed).isdisjoint({m.firm_id for m in hidden})
    # Firms of another park are listed (national top 100) but their profiles are not linked.
    assert "/firms/" not in body
    assert "/edit/" not in body and "?from=" not in body


def test_the_park_manager_opens_the_members_of_the_own_park(client, clustered, world):
    food = Cluster.objects.get(code="FOOD-ISF")  # Isfahan's food firms, all in other_park
    client.force_login(world.other_manager)
    response = client.get(page(food))
    body = response.content.decode()
    listed = [m.firm for m in response.context["members"].object_list]
    assert len(listed) == 25
    for firm in listed:
        assert firm.park_id == world.other_park.pk
        assert f'href="/firms/{firm.pk}/"' in body


def test_a_cluster_defined_after_the_run_says_members_come_with_the_next_run(
    client, clustered, world
) -> None:
    new = official_cluster("LATE-01", "خوشه دیرآمده", sectors=["25"], provinces=["IR-03"])
    client.force_login(world.analyst)
    body = english(client).get(page(new)).content.decode()
    assert "No firm belongs to this cluster in fiscal year 1403." in body
    assert "Membership updates with the next run, usually within a minute." in body


def test_a_discovered_cluster_offers_adoption_not_editing(client, tehran_metal, world):
    client.force_login(world.analyst)
    body = client.get(page(tehran_metal)).content.decode()
    assert f'href="/clusters/new/?from={tehran_metal.pk}"' in body
    assert f"/clusters/{tehran_metal.pk}/edit/" not in body


def test_the_members_are_paginated_and_keep_the_year(client, world) -> None:
    run = regional_run(world, scale=2)
    cluster = Cluster.objects.get(code="D-IR-23-25")
    assert ClusterMembership.objects.filter(run=run, cluster=cluster).count() == 60
    client.force_login(world.analyst)
    response = client.get(page(cluster), {"year": 1403, "page": 3})
    assert response.context["members"].number == 3
    assert len(response.context["members"].object_list) == 10
    assert "year=1403&amp;page=2" in response.content.decode()


@pytest.mark.parametrize("scale", [1, 4])
def test_the_page_reads_a_bounded_number_of_queries(
    client, world, scale, django_assert_max_num_queries
) -> None:
    regional_run(world, scale=scale)
    cluster = Cluster.objects.get(code="D-IR-23-25")
    client.force_login(world.other_manager)
    client.get(page(cluster))
    with django_assert_max_num_queries(20):
        response = client.get(page(cluster))
    assert response.status_code == 200
