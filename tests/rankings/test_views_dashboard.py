import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankings.models import FirmScore
from tests.rankings.dashboard_fixtures import ranked, reshuffled

pytestmark = pytest.mark.django_db

URL = "/analyst/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def chart_data(html: str) -> dict:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    assert found, "the chart data is on the page"
    return json.loads(found.group(1))


def test_the_dashboard_is_at_analyst_and_named_for_the_menu() -> None:
    assert reverse("analyst-dashboard") == URL


def test_anonymous_visitors_are_sent_to_the_login_page(client, world) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


@pytest.mark.parametrize("username", ["manager", "other-manager", "firmuser"])
def test_park_managers_and_firm_users_get_a_404(client, world, username) -> None:
    ranked(world, extra=3)
    client.force_login(User.objects.get(username=username))
    response = client.get(URL)
    assert response.status_code == 404
    assert world.other_firm.name_fa not in response.content.decode()


def test_the_analyst_sees_the_counts_in_persian_digits(client, world) -> None:
    ranked(world, extra=30)
    client.force_login(world.analyst)
    html = client.get(URL).content.decode()
    assert 'data-testid="firm-count">۳۲<' in html
    assert 'data-testid="park-count">۲<' in html
    assert 'data-testid="province-count">۲<' in html
    assert 'data-testid="eligible-count">۳۲<' in html
    assert '<html lang="fa" dir="rtl">' in html


def test_the_latest_run_of_each_year_shows_its_status_version_and_jalali_time(
    client, world
) -> None:
    run = ranked(world, extra=5)
    client.force_login(world.analyst)
    html = client.get(URL).content.decode()
    runs = html.split('data-testid="runs"')[1].split("</table>")[0]
    assert "۱۴۰۳" in runs and "۷" in runs
    assert run.get_status_display() in runs
    assert "1403" not in runs  # years and counts are written in Persian digits
    assert re.search(
        r"[۰-۹]+ (فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) ", runs
    )


def test_the_score_histogram_comes_from_the_run_summary(client, world) -> None:
    run = ranked(world, extra=30)
    client.force_login(world.analyst)
    data = chart_data(client.get(URL).content.decode())
    assert data["histogram"]["counts"] == run.summary["histogram"]["counts"]
    assert sum(data["histogram"]["counts"]) == 32
    assert data["histogram"]["labels"][0] == "۰–۵"


def test_pillar_means_are_drawn_and_tabled_and_a_pillar_without_spread_shows_a_dash(
    client, world
) -> None:
    run = ranked(world, extra=30)
    client.force_login(world.analyst)
    html = client.get(URL).content.decode()
    table = html.split('data-testid="pillar-means"')[1].split("</table>")[0]
    assert table.count("<tr>") == 6  # the header and the five pillars
    assert "رقابت‌پذیری" in table and "سلامت مالی" in table
    # Every test firm holds ISO9001 only: the standards pillar has no spread, so no mean.
    assert run.summary["pillar_means"]["standards"] is None
    assert 'استاندارد و کیفیت</td><td class="text-end num">—' in table
    data = chart_data(html)
    assert len(data["pillars"]["values"]) == 4
    competitiveness = run.summary["pillar_means"]["competitiveness"]
    assert data["pillars"]["values"][0] == round(competitiveness, 1)


def test_top_100_firms_are_counted_by_province_with_persian_names(client, world) -> None:
    ranked(world, extra=30)
    client.force_login(world.analyst)
    html = client.get(URL).content.decode()
    table = html.split('data-testid="top-by-province"')[1].split("</table>")[0]
    assert "اصفهان" in table and "۳۱" in table
    assert "تهران" in table
    data = chart_data(html)
    assert sorted(data["provinces"]["counts"]) == [1, 31]


def test_movers_list_the_largest_rises_and_falls_with_links_to_the_firm(client, world) -> None:
    ranked(world, extra=20)
    run = reshuffled()
    client.force_login(world.analyst)
    html = client.get(URL).content.decode()
    up = FirmScore.objects.filter(run=run, rank_change__gt=0).order_by("-rank_change").first()
    down = FirmScore.objects.filter(run=run, rank_change__lt=0).order_by("rank_change").first()
    rises = html.split('data-testid="movers-up"')[1].split("</table>")[0]
    falls = html.split('data-testid="movers-down"')[1].split("</table>")[0]
    assert up.firm.name_fa in rises and down.firm.name_fa in falls
    assert rises.count("<tr>") <= 11 and falls.count("<tr>") <= 11
    profile = reverse("firm-profile", args=[up.firm_id])
    assert f'href="{profile}"' in rises


def test_a_first_run_has_no_movers_and_says_so(client, world) -> None:
    ranked(world, extra=3)
    client.force_login(world.analyst)
    client.cookies["django_language"] = "en"  # assertions read English
    html = client.get(URL).content.decode()
    assert "movers-up" not in html
    assert html.count("No change in rank against the previous run of this year.") == 2


def test_the_year_selector_lists_years_with_runs_and_switches_year(client, world) -> None:
    ranked(world, extra=3, year=1402)
    ranked_again = ranked(world, extra=3, year=1403)
    client.force_login(world.analyst)
    html = client.get(URL).content.decode()
    assert '<option value="1403" selected>۱۴۰۳</option>' in html
    assert '<option value="1402">۱۴۰۲</option>' in html
    older = client.get(URL, {"year": 1402}).content.decode()
    assert '<option value="1402" selected>' in older
    assert ranked_again.year == 1403


def test_a_year_without_a_ranking_is_a_404(client, world) -> None:
    ranked(world, extra=3)
    client.force_login(world.analyst)
    assert client.get(URL, {"year": 1399}).status_code == 404
    assert client.get(URL, {"year": "last"}).status_code == 404


def test_before_any_run_the_dashboard_says_nothing_is_ranked_yet(client, world) -> None:
    client.force_login(world.analyst)
    html = client.get(URL).content.decode()
    assert 'data-testid="no-runs"' in html
    assert "dashboard-data" not in html
    assert 'data-testid="firm-count">۲<' in html


def test_in_english_numbers_use_latin_digits(client, world) -> None:
    ranked(world, extra=30)
    client.force_login(world.analyst)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL).content.decode()
    assert 'data-testid="firm-count">32<' in html
    assert "Isfahan" in html.split('data-testid="top-by-province"')[1]
    assert chart_data(html)["histogram"]["labels"][0] == "0–5"


def test_the_page_loads_only_vendored_scripts(client, world) -> None:
    ranked(world, extra=3)
    client.force_login(world.analyst)
    html = client.get(URL).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/vendor/echarts-6.1.0/echarts.min.js" in scripts
    assert "/static/js/dashboard.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)
    assert not re.search(r"<script>(?!\s*</script>)", html)  # no inline code under the CSP


def _queries(client, year: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"year": year}).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_for_10_or_200_firms(
    client, world, django_assert_max_num_queries
) -> None:
    ranked(world, extra=8, year=1403)
    reshuffled(year=1403)
    ranked(world, extra=190, park=world.park, year=1402)
    reshuffled(year=1402)
    client.force_login(world.analyst)
    with django_assert_max_num_queries(18):
        assert client.get(URL, {"year": 1402}).status_code == 200
    cache.clear()
    small, large = _queries(client, 1403), _queries(client, 1402)
    assert small == large


def test_a_second_visit_reads_the_run_facts_from_the_cache(
    client, world, django_assert_max_num_queries
) -> None:
    ranked(world, extra=8)
    reshuffled()
    client.force_login(world.analyst)
    first = _queries(client, 1403)
    with django_assert_max_num_queries(first - 3):  # movers up, down, top by province
        html = client.get(URL).content.decode()
    up = FirmScore.objects.filter(rank_change__gt=0).order_by("-rank_change").first()
    assert up.firm.name_fa in html.split('data-testid="movers-up"')[1]
