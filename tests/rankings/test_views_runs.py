"""Runs and their status; publishing a successful run as an edition."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from firms.models import AuditEvent
from rankings.models import Edition, Methodology, RankingRun
from tests.rankings.pages_helpers import publish, ranked_world

pytestmark = pytest.mark.django_db

RUNS = "/analyst/runs/"


def publish_url(run: RankingRun) -> str:
    return reverse("analyst-edition-publish", args=[run.pk])


def analyst_client(world, lang: str = "fa", **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(world.analyst)
    if lang == "en":
        client.cookies["django_language"] = "en"
    return client


def make_run(year: int = 1402, **fields) -> RankingRun:
    fields.setdefault("status", RankingRun.Status.SUCCEEDED)
    fields.setdefault("finished_at", timezone.now())
    return RankingRun.objects.create(
        year=year, methodology=Methodology.objects.get(is_active=True), **fields
    )


@pytest.fixture
def ranked(world):
    return world, ranked_world(world, extra=8)


def test_the_url_names_are_the_ones_given_to_the_menu() -> None:
    assert reverse("analyst-runs") == RUNS
    assert reverse("analyst-edition-publish", args=[7]) == "/analyst/runs/7/publish/"


def test_anonymous_users_are_sent_to_the_login_page(client, ranked) -> None:
    _, run = ranked
    for response in [client.get(RUNS), client.post(publish_url(run), {"title": "x"})]:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not Edition.objects.exists()


@pytest.mark.parametrize("role", ["manager", "firm_user"])
def test_other_roles_get_a_404_and_cannot_publish(client, ranked, role: str) -> None:
    world, run = ranked
    client.force_login(getattr(world, role))
    assert client.get(RUNS).status_code == 404
    assert client.post(publish_url(run), {"title": "SME100 1403"}).status_code == 404
    assert not Edition.objects.exists()


def test_the_runs_page_shows_status_version_counts_timings_and_the_current_run(ranked) -> None:
    world, run = ranked
    older = make_run(year=1403, firm_count=3, eligible_count=2, timings={"load": 0.5})
    failed = make_run(year=1401, status=RankingRun.Status.FAILED, failure_reason="no eligible firm")
    response = analyst_client(world, "en").get(RUNS)
    body = response.content.decode()
    rows = {row["run"].pk: row for row in response.context["rows"]}
    assert rows[run.pk]["is_current"] and not rows[older.pk]["is_current"]
    assert body.count('data-testid="current"') == 1
    assert "no eligible firm" in body and rows[failed.pk]["publishable"] is False
    assert "version 1" in body
    assert '<td class="text-end num">10</td>' in body  # firms of the current run
    assert "load" in body and "compute" in body and "total" in body
    persian = analyst_client(world).get(RUNS).content.decode()
    assert '<td class="num">۱۴۰۳</td>' in persian
    assert '<td class="text-end num">۱۰</td>' in persian


def test_the_page_polls_every_3_seconds_only_while_a_run_is_running(ranked) -> None:
    world, _ = ranked
    client = analyst_client(world)
    assert 'hx-trigger="every 3s"' not in client.get(RUNS).content.decode()
    make_run(status=RankingRun.Status.RUNNING, finished_at=None)
    assert 'hx-trigger="every 3s"' in client.get(RUNS).content.decode()
    fragment = client.get(RUNS, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="runs-live"') and "<html" not in fragment


def test_the_runs_page_reads_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
) -> None:
    client = analyst_client(world)
    client.get(RUNS)
    for _ in range(3):
        make_run()
    with django_assert_max_num_queries(12) as few:
        client.get(RUNS)
    for year in range(1390, 1450):
        publish(make_run(year=year))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(RUNS)
    assert len(response.context["rows"]) == 50


def test_a_successful_run_offers_a_title_in_persian_digits(ranked) -> None:
    world, _run = ranked
    body = analyst_client(world).get(RUNS).content.decode()
    assert 'value="SME100 ۱۴۰۳"' in body
    assert 'value="SME100 1403"' in analyst_client(world, "en").get(RUNS).content.decode()


def test_publishing_makes_the_run_the_public_edition_and_is_audited(ranked) -> None:
    world, run = ranked
    client = analyst_client(world, "en")
    response = client.post(publish_url(run), {"title": "SME100 ۱۴۰۳", "notes": "first"})
    assert response.status_code == 302 and response["Location"] == RUNS
    edition = Edition.objects.get()
    assert (edition.run, edition.year, edition.title) == (run, 1403, "SME100 ۱۴۰۳")
    assert edition.published_by == world.analyst and edition.notes == "first"
    event = AuditEvent.objects.get(action="edition.publish")
    assert event.actor == world.analyst and event.detail["run"] == run.pk
    page = client.get(RUNS).content.decode()
    # Stored as typed; shown in the page's digits.
    assert "“SME100 1403” is published on the public top-100 page." in page
    assert 'data-testid="editions"' in page and "/top100/1403/" in page
    assert Client().get("/top100/").context["edition"] == edition


def test_publishing_needs_a_post(ranked) -> None:
    world, run = ranked
    assert analyst_client(world).get(publish_url(run)).status_code == 405
    assert not Edition.objects.exists()


def test_publishing_needs_the_csrf_token(ranked) -> None:
    world, run = ranked
    client = analyst_client(world, enforce_csrf_checks=True)
    assert client.post(publish_url(run), {"title": "SME100 1403"}).status_code == 403
    assert not Edition.objects.exists()


def test_a_failed_run_cannot_be_published(world) -> None:
    failed = make_run(status=RankingRun.Status.FAILED, failure_reason="boom")
    client = analyst_client(world, "en")
    response = client.post(publish_url(failed), {"title": "SME100 1402"}, follow=True)
    assert "Only a successful run can be published." in response.content.decode()
    assert not Edition.objects.exists()


def test_a_run_is_published_once(ranked) -> None:
    world, run = ranked
    publish(run)
    client = analyst_client(world, "en")
    response = client.post(publish_url(run), {"title": "again"}, follow=True)
    assert "This run is already published." in response.content.decode()
    assert Edition.objects.count() == 1


def test_an_empty_title_is_refused(ranked) -> None:
    world, run = ranked
    response = analyst_client(world, "en").post(publish_url(run), {"title": ""}, follow=True)
    assert "Give the edition a title." in response.content.decode()
    assert not Edition.objects.exists()


def test_an_unknown_run_is_a_404(world) -> None:
    assert (
        analyst_client(world).post("/analyst/runs/999/publish/", {"title": "x"}).status_code == 404
    )
