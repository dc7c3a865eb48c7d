"""The firm profile (analysts, park managers) and the firm's own page (firm users)."""

import json
import math
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from firms.models import FirmYear
from rankings.models import FirmScore, RankingRun
from rankings.services import data_changed, ranking_recompute
from smerank.formatting import number_format, persian_digits
from tests.factories import FirmFactory, FirmYearFactory, UserFactory
from tests.i18n import fa

pytestmark = pytest.mark.django_db


def rank(firms, *, year: int = 1403, no_exports=()) -> RankingRun:
    """Figures for every firm, all in the SME band and all different, then a run."""
    for i, firm in enumerate(firms):
        exporter = firm not in no_exports
        FirmYearFactory(
            firm=firm,
            year=year,
            sales=5_000 + 97 * i,
            exports=31 * i if exporter else 0,
            export_countries=1 + i % 9 if exporter else 0,
            employees=15 + i % 100,
            net_profit=(i % 7) * 40 - 60,
            rd_spend=(i % 5) * 10,
        )
    data_changed(years=[year])
    return ranking_recompute(year=year)


@pytest.fixture
def ranked(world):
    """The world's firms among 110 more; the Tehran firm has no exports and ranks low."""
    others = FirmFactory.create_batch(110, park=world.other_park)
    run = rank([world.firm, world.other_firm, *others], no_exports=[world.firm])
    cache.clear()
    return world, run


def score_of(firm, run) -> FirmScore:
    return FirmScore.objects.get(run=run, firm=firm)


def english(client) -> None:
    client.cookies["django_language"] = "en"


def url(firm) -> str:
    return reverse("firm-profile", args=[firm.pk])


# --- who may see a profile -------------------------------------------------------------


def test_the_url_names_are_the_ones_the_menu_links_to(world) -> None:
    assert reverse("firm-profile", args=[7]) == "/firms/7/"
    assert reverse("my-firm") == "/my-firm/"


def test_anonymous_visitors_are_sent_to_the_login_page(client, world) -> None:
    for path in [url(world.firm), reverse("my-firm")]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_analysts_see_the_profile_of_any_firm(client, ranked) -> None:
    world, _ = ranked
    client.force_login(world.analyst)
    for firm in [world.firm, world.other_firm]:
        response = client.get(url(firm))
        assert response.status_code == 200
        assert firm.name_fa in response.content.decode()


def test_a_park_manager_sees_the_firms_of_their_park_and_gets_404_for_others(
    client, ranked
) -> None:
    world, _ = ranked
    client.force_login(world.manager)
    assert client.get(url(world.firm)).status_code == 200
    response = client.get(url(world.other_firm))
    assert response.status_code == 404
    body = response.content.decode()
    assert world.other_firm.name_fa not in body
    assert persian_digits(world.other_firm.national_id) not in body


def test_a_firm_user_is_sent_to_their_own_page_and_gets_404_for_another_firm(
    client, ranked
) -> None:
    world, _ = ranked
    client.force_login(world.firm_user)
    response = client.get(url(world.firm))
    assert response.status_code == 302 and response["Location"] == "/my-firm/"
    response = client.get(url(world.other_firm))
    assert response.status_code == 404
    assert world.other_firm.name_fa not in response.content.decode()


def test_a_missing_firm_is_a_404(client, ranked) -> None:
    world, _ = ranked
    client.force_login(world.analyst)
    assert client.get("/firms/999999/").status_code == 404


def test_a_signed_in_user_without_a_role_gets_404_on_every_firm_page(client, ranked) -> None:
    world, _ = ranked
    client.force_login(UserFactory(username="nobody"))
    assert client.get(url(world.firm)).status_code == 404
    assert client.get(reverse("my-firm")).status_code == 404


def test_analysts_and_park_managers_have_no_own_firm_page(client, ranked) -> None:
    world, _ = ranked
    for user in [world.analyst, world.manager]:
        client.force_login(user)
        assert client.get(reverse("my-firm")).status_code == 404


# --- what the profile shows -------------------------------------------------------------


def test_the_profile_shows_identity_score_and_ranks_in_persian_digits(client, ranked) -> None:
    world, run = ranked
    firm, s = world.firm, score_of(world.firm, run)
    client.force_login(world.analyst)
    body = client.get(url(firm)).content.decode()
    assert '<html lang="fa" dir="rtl">' in body
    assert f'data-testid="national-id">{persian_digits(firm.national_id)}<' in body
    assert "۲۵۱۱" in body and firm.isic.title_fa in body  # ISIC class, Persian title
    assert "۱۳۸۵" in body  # founded, a Jalali year without grouping
    assert "تهران" in body  # province
    assert f'data-testid="score">{number_format(s.score, lang="fa", decimals=1)}<' in body
    assert f'data-testid="rank">{number_format(s.rank, lang="fa")}<' in body
    assert f'data-testid="rank-park">{number_format(s.rank_park, lang="fa")}<' in body
    assert fa("of %(n)s ranked firms", n=number_format(run.eligible_count, lang="fa")) in body


def test_the_indicator_table_reads_raw_values_in_percent_and_million_rials(client, ranked) -> None:
    world, run = ranked
    s = score_of(world.firm, run)
    client.force_login(world.analyst)
    english(client)
    body = client.get(url(world.firm)).content.decode()
    table = body[body.index('data-testid="indicator-table"') :]
    # Persian in Persian pages; English labels in English ones.
    assert "Export share of sales" in table and "Financial health" in table
    share = row(table, "profit_margin")
    assert f"{100 * s.indicators_raw['profit_margin']:.1f}%" in share
    sales = row(table, "sales_per_employee")
    assert f"{s.indicators_raw['sales_per_employee']:,.0f}" in sales and "million rials" in sales
    assert "Yes" in row(table, "national_standard") or "No" in row(table, "national_standard")


def row(table: str, code: str) -> str:
    start = table.index(f'data-indicator="{code}"')
    return table[start : table.index("</tr>", start)]


def test_each_indicator_shows_the_treatment_of_the_run_and_imputed_values_are_marked(
    client, ranked
) -> None:
    world, run = ranked
    RankingRun.objects.filter(pk=run.pk).update(
        treatment=[
            {"iCode": "sales_per_employee", "action": "log", "points_changed": 112},
            {"iCode": "export_markets", "action": "winsorised", "points_changed": 3},
        ]
    )
    s = score_of(world.firm, run)
    raw = {**s.indicators_raw, "rd_intensity": None}
    FirmScore.objects.filter(pk=s.pk).update(
        indicators_raw=raw, indicators_norm={**s.indicators_norm, "rd_intensity": 42.0}
    )
    client.force_login(world.analyst)
    english(client)
    table = client.get(url(world.firm)).content.decode()
    assert "log transform" in row(table, "sales_per_employee")
    assert "winsorised (3 points)" in row(table, "export_markets")
    assert "none" in row(table, "sales_log")
    assert 'data-testid="imputed">imputed<' in row(table, "rd_intensity")
    assert "not reported" in row(table, "rd_intensity")
    assert "imputed" not in row(table, "sales_log")


def test_the_pillar_chart_compares_the_firm_with_its_sector_and_province_medians(
    client, ranked
) -> None:
    world, run = ranked
    client.force_login(world.analyst)
    english(client)
    response = client.get(url(world.other_firm))
    charts = json.loads(
        re.search(
            r'id="firm-charts" type="application/json">(.*?)</script>', response.content.decode()
        ).group(1)
    )
    s = score_of(world.other_firm, run)
    peers = FirmScore.objects.filter(run=run, eligible=True, firm__park__province__code="IR-10")
    exports = sorted(p.pillars["exports"] for p in peers)
    assert charts["pillars"]["labels"][1] == "Export orientation"
    series = {x["name"]: x["values"] for x in charts["pillars"]["series"]}
    assert series["This firm"][1] == round(s.pillars["exports"], 1)
    assert series["Province median"][1] == round(median(exports), 1)
    assert "Sector median" in series
    # No inline script (the CSP forbids it): only files and the JSON data block.
    inline = r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"
    assert re.findall(inline, response.content.decode()) == []


def median(values: list[float]) -> float:
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def test_the_figures_and_the_history_cover_every_year_and_run(client, ranked) -> None:
    world, run_1403 = ranked
    run_1402 = rank([world.firm, *FirmFactory.create_batch(9, park=world.park)], year=1402)
    client.force_login(world.analyst)
    response = client.get(url(world.firm))
    body = response.content.decode()
    history = body[body.index('data-testid="history-table"') :]
    assert history.index("۱۴۰۳") < history.index("۱۴۰۲")  # newest first
    assert history.count(f'text-bg-secondary">{fa("current")}<') == 2
    figures = body[body.index('data-testid="figures-table"') :]
    assert '<th scope="row" class="num">۱۴۰۲</th>' in figures
    assert '<th scope="row" class="num">۱۴۰۳</th>' in figures
    charts = response.context["charts"]["history"]
    assert charts["years"] == ["۱۴۰۲", "۱۴۰۳"]
    assert charts["rank"] == [
        score_of(world.firm, run_1402).rank,
        score_of(world.firm, run_1403).rank,
    ]


def test_the_rank_band_is_shown_once_the_uncertainty_analysis_filled_it(client, ranked) -> None:
    world, run = ranked
    client.force_login(world.analyst)
    english(client)
    assert 'data-testid="rank-band"' not in client.get(url(world.firm)).content.decode()
    FirmScore.objects.filter(run=run, firm=world.firm).update(
        rank_low=95, rank_high=109, rank_median=101.0, top_probability=0.42
    )
    body = client.get(url(world.firm)).content.decode()
    band = body[body.index('data-testid="rank-band"') :]
    assert "Rank band (5–95%): between 95 and 109, median 101" in band
    assert "chance of being in the top 100: 42%" in band


def test_an_ineligible_firm_is_explained_instead_of_ranked(client, world) -> None:
    FirmYearFactory(firm=world.firm, employees=6)
    rank(FirmFactory.create_batch(5, park=world.park))
    client.force_login(world.manager)
    english(client)
    body = client.get(url(world.firm)).content.decode()
    assert 'data-testid="rank"' not in body
    assert "Not ranked in 1403: outside the SME band" in body
    assert "The firm reported 6 employees; the ranking covers firms with 10 to 150 employees." in (
        body
    )


def test_a_firm_without_figures_is_not_ranked_yet(client, world) -> None:
    client.force_login(world.analyst)
    english(client)
    body = client.get(url(world.firm)).content.decode()
    assert "Not ranked yet" in body
    assert "No figures submitted yet." in body


def test_a_firm_missing_from_the_latest_year_shows_its_last_ranked_year(client, ranked) -> None:
    world, _ = ranked
    FirmYearFactory.create_batch(6, year=1404)
    data_changed(years=[1404])
    ranking_recompute(year=1404)
    client.force_login(world.analyst)
    english(client)
    body = client.get(url(world.firm)).content.decode()
    assert "No figures of 1404 have been ranked for this firm yet" in body
    assert "Score and rank in 1403" in body


# --- the firm's own page -----------------------------------------------------------------


def test_a_firm_user_sees_their_percentile_among_sector_and_province_peers(client, ranked) -> None:
    world, run = ranked
    s = score_of(world.firm, run)
    eligible = FirmScore.objects.filter(run=run, eligible=True).exclude(firm=world.firm)
    sector_peers = eligible.filter(firm__isic__division="25")
    below = sector_peers.filter(score__lt=s.score).count()
    province_peers = eligible.filter(firm__park__province__code="IR-23")
    client.force_login(world.firm_user)
    english(client)
    body = client.get(reverse("my-firm")).content.decode()
    pct = round(100 * below / sector_peers.count())
    assert (
        f"Your score is higher than {pct}% of the {sector_peers.count()} other ranked firms of "
        "your sector (Manufacture of fabricated metal products, except machinery and equipment)."
    ) in body
    assert province_peers.count() == 0
    assert "No other firm of your province (Tehran) was ranked this year." in body


def test_the_own_page_is_persian_with_persian_digits_by_default(client, ranked) -> None:
    world, run = ranked
    s = score_of(world.firm, run)
    client.force_login(world.firm_user)
    body = client.get(reverse("my-firm")).content.decode()
    assert '<html lang="fa" dir="rtl">' in body
    assert world.firm.name_fa in body
    assert f'data-testid="rank">{number_format(s.rank, lang="fa")}<' in body
    assert "صادرات‌محوری" in body  # the pillar's Persian name


def test_strengths_and_weaknesses_name_the_pillars_against_the_medians(client, ranked) -> None:
    world, _ = ranked
    client.force_login(world.firm_user)
    english(client)
    body = client.get(reverse("my-firm")).content.decode()
    weak = body[body.index('data-testid="weaknesses"') :]
    weak = weak[: weak.index("</ul>")]
    # No exports at all: the firm's weakest pillar, far below every median.
    assert weak.index("Export orientation") < weak.index("<li>", weak.index("<li>") + 1)
    assert "points below the national median" in weak
    strong = body[body.index('data-testid="strengths"') :]
    assert strong[: strong.index("</ul>")].count("<li>") == 2


def test_the_gap_to_the_top_100_is_said_in_plain_words_per_pillar(client, ranked) -> None:
    world, run = ranked
    s = score_of(world.firm, run)
    assert s.rank > 100
    threshold = (
        FirmScore.objects.filter(run=run, rank__lte=100)
        .order_by("-rank")
        .values_list("score", flat=True)[0]
    )
    client.force_login(world.firm_user)
    english(client)
    body = client.get(reverse("my-firm")).content.decode()
    gap = body[body.index('data-testid="gap"') :]
    assert (
        f"This year the top 100 starts at a score of {threshold:.1f}; yours is {s.score:.1f}."
        in gap
    )
    # Every firm holds ISO9001 alone, so the standards pillar is constant, hence missing,
    # and the engine averages the other four: one of them must rise 4 times the gap.
    present = {code: value for code, value in s.pillars.items() if value is not None}
    assert sorted(present) == ["competitiveness", "exports", "finance", "innovation"]
    rise = 4 * (threshold - s.score)
    target = math.ceil(10 * rise) / 10  # exports start from zero
    assert s.pillars["exports"] == 0 and target <= 100
    assert (
        f'data-pillar="exports">Raising your Export orientation score from 0.0 to {target:.1f} '
        f"(+{target:.1f} points) would lift you into the top 100, other pillars unchanged."
    ) in gap
    assert 'data-pillar="standards"' not in gap
    for code, value in present.items():
        start = gap.index(f'data-pillar="{code}"')
        sentence = gap[start : gap.index("</li>", start)]
        assert ("Even a perfect" in sentence) == (value + rise > 100), code


def test_the_indicators_behind_the_weakest_pillar_are_named(client, ranked) -> None:
    world, _ = ranked
    client.force_login(world.firm_user)
    english(client)
    body = client.get(reverse("my-firm")).content.decode()
    assert "What holds your Export orientation score down" in body
    findings = body[body.index('data-testid="findings"') :]
    findings = findings[: findings.index("</ul>")]
    assert "<li>No exports recorded</li>" in findings
    assert "<li>No export markets recorded</li>" in findings


def test_a_firm_in_the_top_100_is_told_its_margin(client, ranked) -> None:
    world, run = ranked
    top = FirmScore.objects.filter(run=run, rank=1).select_related("firm").first()
    from firms.models import FirmUser

    FirmUser.objects.filter(user=world.firm_user).update(firm=top.firm)
    client.force_login(world.firm_user)
    english(client)
    body = client.get(reverse("my-firm")).content.decode()
    badge = body[body.index('data-testid="in-top"') :]
    assert badge[: badge.index("</span>")].endswith("In the top 100")
    assert f"You are in the top 100: your score of {top.score:.1f} is" in body


def test_the_cluster_percentile_appears_for_cluster_members(client, ranked) -> None:
    from clusters.models import Cluster, ClusterMembership

    world, run = ranked
    cluster = Cluster.objects.create(code="METAL-IR", name_fa="خوشه فلزی", name_en="Metal cluster")
    members = FirmScore.objects.filter(run=run, eligible=True).order_by("rank")[:11]
    firms = [m.firm_id for m in members] + [world.firm.pk]
    for firm_id in firms:
        ClusterMembership.objects.create(run=run, cluster=cluster, firm_id=firm_id)
    client.force_login(world.firm_user)
    english(client)
    body = client.get(reverse("my-firm")).content.decode()
    # The 11 best firms score above the firm: nobody in the cluster is below it.
    assert (
        "Your score is higher than 0% of the 11 other ranked firms of the cluster Metal cluster."
        in body
    )
    ClusterMembership.objects.filter(firm=world.firm).delete()
    cache.clear()
    body = client.get(reverse("my-firm")).content.decode()
    assert "Your firm is not a member of an industrial cluster this year." in body


def test_an_ineligible_firm_user_is_told_why_instead_of_a_rank(client, world) -> None:
    FirmYearFactory(firm=world.firm, employees=400)
    rank(FirmFactory.create_batch(5, park=world.park))
    client.force_login(world.firm_user)
    english(client)
    body = client.get(reverse("my-firm")).content.decode()
    assert 'data-testid="rank"' not in body and 'data-testid="gap"' not in body
    assert (
        "The firm reported 400 employees; the ranking covers firms with 10 to 150 employees, "
        "so the firm counts as a large enterprise."
    ) in body


def test_sales_above_the_cap_are_explained(client, world) -> None:
    from rankings.methodology import spec_default
    from rankings.services import methodology_create

    spec = spec_default()
    spec["eligibility"]["sales_max"] = 100_000
    methodology_create(name="cap", spec=spec, author=None, activate=True)
    FirmYearFactory(firm=world.firm, sales=250_000)
    rank(FirmFactory.create_batch(5, park=world.park))
    client.force_login(world.firm_user)
    english(client)
    body = client.get(reverse("my-firm")).content.decode()
    assert (
        "The firm reported sales of 250,000 million rials, above the cap of 100,000 million "
        "rials for small and medium enterprises."
    ) in body


# --- a bounded number of queries ---------------------------------------------------------


def queries(client, path: str) -> int:
    cache.clear()  # the peer aggregates are cached per run: measure a cold page
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_cost_the_same_queries_with_10_or_200_firms(
    client, world, django_assert_max_num_queries
) -> None:
    rank([world.firm, *FirmFactory.create_batch(9, park=world.park)])
    client.force_login(world.analyst)
    small_profile = queries(client, url(world.firm))
    client.force_login(world.firm_user)
    small_own = queries(client, reverse("my-firm"))

    FirmYear.objects.all().delete()
    rank([world.firm, *FirmFactory.create_batch(199, park=world.park)])
    client.force_login(world.analyst)
    with django_assert_max_num_queries(14):
        assert queries(client, url(world.firm)) == small_profile
    client.force_login(world.firm_user)
    with django_assert_max_num_queries(20):
        assert queries(client, reverse("my-firm")) == small_own


def test_figures_that_could_not_be_scored_are_said_so(client, world) -> None:
    # Identical figures: no indicator tells the firms apart, so none gets a score.
    FirmYearFactory(firm=world.firm)
    FirmYearFactory.create_batch(4)
    data_changed(years=[1403])
    ranking_recompute(year=1403)
    assert score_of(world.firm, RankingRun.objects.get()).score is None
    client.force_login(world.firm_user)
    english(client)
    body = client.get(reverse("my-firm")).content.decode()
    assert "The figures of 1403 were received but could not be scored" in body
    assert 'data-testid="gap"' not in body


def test_national_medians_stored_with_the_run_are_read_instead_of_scanning_it(
    client, ranked
) -> None:
    world, run = ranked
    stored = {"competitiveness": 11.0, "exports": 22.0, "innovation": 33.0}
    stored |= {"standards": None, "finance": 55.0}
    RankingRun.objects.filter(pk=run.pk).update(summary={**run.summary, "pillar_medians": stored})
    client.force_login(world.firm_user)
    english(client)
    charts = client.get(reverse("my-firm")).context["charts"]
    national = next(s for s in charts["pillars"]["series"] if s["name"] == "National median")
    assert national["values"] == [11.0, 22.0, 33.0, None, 55.0]
