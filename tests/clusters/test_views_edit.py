"""Analysts define and edit official clusters; saving audits and asks for a recompute."""

import pytest

from clusters.models import Cluster
from firms.models import AuditEvent, Park, Province
from rankings.models import YearState
from tests.clusters.conftest import english, official_cluster
from tests.factories import FirmYearFactory

pytestmark = pytest.mark.django_db

NEW = "/clusters/new/"


def valid(**overrides) -> dict:
    data = {
        "code": "food-teh",
        "name_fa": "خوشه صنایع غذایی تهران",
        "name_en": "Tehran food cluster",
        "description": "فرآوری مواد غذایی",
        "activities": "10, 1104",
        "provinces": [Province.objects.get(code="IR-23").pk],
        "is_active": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def with_data(world) -> None:
    """Figures in two years, so saving a cluster asks both years to be recomputed."""
    FirmYearFactory(firm=world.firm, year=1402)
    FirmYearFactory(firm=world.firm, year=1403)


@pytest.mark.parametrize("url", [NEW, "/clusters/1/edit/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("username", ["manager", "firmuser"])
def test_other_roles_cannot_define_clusters(client, world, username) -> None:
    client.force_login(world.manager if username == "manager" else world.firm_user)
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, valid()).status_code == 404
    assert not Cluster.objects.filter(code="FOOD-TEH").exists()
    cluster = official_cluster("X-01", "خوشه", sectors=["25"], provinces=[])
    assert client.post(f"/clusters/{cluster.pk}/edit/", valid()).status_code == 404
    cluster.refresh_from_db()
    assert cluster.code == "X-01"


def test_the_form_explains_when_membership_changes(client, world) -> None:
    client.force_login(world.analyst)
    body = english(client).get(NEW).content.decode()
    assert "Membership updates with the next run, usually within a minute." in body
    assert 'list="activity-options"' in body
    assert "10 — Manufacture of food products" in body  # activities to pick, with titles
    client.cookies["django_language"] = "fa"
    assert "10 — ساخت محصولات غذایی" in client.get(NEW).content.decode()


def test_saving_a_new_cluster_audits_it_and_asks_for_a_recompute(client, world, with_data):
    before = dict(YearState.objects.values_list("year", "generation"))
    client.force_login(world.analyst)
    response = english(client).post(NEW, valid(), follow=True)
    cluster = Cluster.objects.get(code="FOOD-TEH")
    assert response.redirect_chain[-1][0] == f"/clusters/{cluster.pk}/"
    assert cluster.kind == "official" and cluster.is_active
    assert cluster.name_fa == "خوشه صنایع غذایی تهران"
    assert sorted(cluster.sectors.values_list("code", flat=True)) == ["10", "1104"]
    assert list(cluster.provinces.values_list("code", flat=True)) == ["IR-23"]
    event = AuditEvent.objects.get(action="cluster.create")
    assert event.actor == world.analyst and event.object_id == str(cluster.pk)
    assert event.detail["after"]["sectors"] == ["10", "1104"]
    after = dict(YearState.objects.values_list("year", "generation"))
    assert set(after) == {1402, 1403}
    assert all(after[y] > before.get(y, 0) for y in (1402, 1403))
    body = response.content.decode()
    assert "The cluster was saved. Membership updates with the next run" in body


def test_editing_records_what_changed(client, world, with_data) -> None:
    cluster = official_cluster("METAL-1", "خوشه فلزی", sectors=["25"], provinces=["IR-23"])
    park = Park.objects.get(pk=world.other_park.pk)
    client.force_login(world.analyst)
    response = client.post(
        f"/clusters/{cluster.pk}/edit/",
        valid(code="METAL-1", activities="25,28", provinces=[], parks=[park.pk], is_active=""),
    )
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert not cluster.is_active
    assert sorted(cluster.sectors.values_list("code", flat=True)) == ["25", "28"]
    assert list(cluster.parks.all()) == [park] and not cluster.provinces.exists()
    event = AuditEvent.objects.get(action="cluster.update")
    assert event.detail["before"]["provinces"] == ["IR-23"]
    assert event.detail["after"]["parks"] == [park.code]


def test_the_edit_form_shows_the_current_definition(client, world) -> None:
    cluster = official_cluster("METAL-1", "خوشه فلزی", sectors=["25", "2511"], provinces=["IR-10"])
    client.force_login(world.analyst)
    response = client.get(f"/clusters/{cluster.pk}/edit/")
    form = response.context["form"]
    assert form["activities"].value() == "25, 2511"
    assert form["code"].value() == "METAL-1"
    assert 'value="25, 2511"' in response.content.decode()


def test_discovered_clusters_cannot_be_edited_but_can_be_adopted(client, world) -> None:
    discovered = Cluster.objects.create(
        code="D-IR-23-25", kind="discovered", name_fa="خوشه فلزی تهران"
    )
    discovered.provinces.add(Province.objects.get(code="IR-23"))
    client.force_login(world.analyst)
    assert client.get(f"/clusters/{discovered.pk}/edit/").status_code == 404
    form = client.get(NEW, {"from": discovered.pk}).context["form"]
    assert form["code"].value() == "IR-23-25"
    assert form["name_fa"].value() == "خوشه فلزی تهران"
    assert form["provinces"].value() == [Province.objects.get(code="IR-23").pk]


@pytest.mark.parametrize(
    ("activities", "message"),
    [
        ("34", "Unknown ISIC codes: 34"),
        ("10, 9999", "Unknown ISIC codes: 9999"),
        ("C", "C: use divisions (2 digits), groups (3) or classes (4), not sections"),
        ("", "This field is required."),
    ],
)
def test_bad_isic_codes_are_refused_with_a_clear_message(client, world, activities, message):
    client.force_login(world.analyst)
    response = english(client).post(NEW, valid(activities=activities))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Cluster.objects.exists()


def test_persian_digits_and_commas_are_accepted_in_codes(client, world) -> None:
    client.force_login(world.analyst)
    response = client.post(NEW, valid(activities="۱۰،۲۵۱۱"))
    assert response.status_code == 302
    cluster = Cluster.objects.get(code="FOOD-TEH")
    assert sorted(cluster.sectors.values_list("code", flat=True)) == ["10", "2511"]


def test_codes_must_be_unique_and_not_look_discovered(client, world) -> None:
    official_cluster("FOOD-TEH", "خوشه", sectors=["10"], provinces=[])
    client.force_login(world.analyst)
    taken = english(client).post(NEW, valid()).content.decode()
    assert "Another cluster already uses this code." in taken
    reserved = client.post(NEW, valid(code="D-IR-23-10")).content.decode()
    assert "Codes starting with D- are reserved for discovered clusters." in reserved
    assert Cluster.objects.count() == 1


def test_a_cluster_may_keep_its_own_code_when_edited(client, world) -> None:
    cluster = official_cluster("FOOD-TEH", "خوشه", sectors=["10"], provinces=[])
    client.force_login(world.analyst)
    response = client.post(f"/clusters/{cluster.pk}/edit/", valid())
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.name_en == "Tehran food cluster"
