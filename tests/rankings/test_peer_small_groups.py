"""Peer statistics of small groups are withheld from everyone but analysts.

A firm's own page and its profile compare it with its peers: its percentile in its sector,
province and clusters, the peers' median per pillar, its rank in each group. In a group of
two or three firms these tell the firm where the others stand, so below
AGGREGATE_MIN_FIRMS (5) firms, counted with the firm itself, firm users and park managers
get "—" and why instead (the API: null and `withheld: true`).

The world here: Tehran holds the firm and `size - 1` more firms of its ISIC class in its
park, the only firms of Tehran and of division 25; 30 food firms (division 10) are in
Isfahan. The firm's sector, province and park are one group of `size` firms.
"""

from __future__ import annotations

import json
import random
import re
from statistics import median

import pytest
from django.test import Client
from rest_framework.test import APIClient

from firms.models import Firm, Sector
from rankings.methodology import spec_pillars
from rankings.models import FirmScore, RankingRun
from rankings.services import data_changed, ranking_recompute
from smerank.formatting import number_format
from tests.factories import FirmFactory, FirmYearFactory
from tests.i18n import fa

pytestmark = pytest.mark.django_db

# As the page writes it: the apostrophe is escaped.
NOTICE = "Fewer than {n} firms in this peer group: not shown, to keep other firms&#x27; "
NOTICE += "figures confidential."
NOTICE_MSGID = (
    "Fewer than %(n)s firms in this peer group: not shown, to keep other firms' "
    "figures confidential."
)
MY_FIRM = "/my-firm/"


def build(world, *, size: int) -> RankingRun:
    food = Sector.objects.get(code="1010")
    Firm.objects.filter(pk=world.other_firm.pk).update(isic=food)
    world.other_firm.refresh_from_db()
    tehran = [world.firm, *FirmFactory.create_batch(size - 1, park=world.park)]
    isfahan = [world.other_firm, *FirmFactory.create_batch(29, park=world.other_park, isic=food)]
    # Irregular figures, so the medians are numbers no other figure of the page shows.
    draw = random.Random(1403)
    for firm in [*tehran, *isfahan]:
        sales = draw.randint(4_000, 90_000)
        FirmYearFactory(
            firm=firm,
            sales=sales,
            exports=draw.randint(0, sales // 2),
            export_countries=draw.randint(0, 9),
            employees=draw.randint(12, 140),
            net_profit=draw.randint(-sales // 10, sales // 5),
            rd_spend=draw.randint(0, sales // 20),
            total_assets=draw.randint(sales // 2, 2 * sales),
            total_debt=draw.randint(0, sales),
            new_products=draw.randint(0, 4),
            tech_level=draw.randint(0, 5),
        )
    data_changed(years=[1403])
    run = ranking_recompute(year=1403)
    assert run is not None and run.status == RankingRun.Status.SUCCEEDED
    return run


@pytest.fixture
def small(world):
    return world, build(world, size=2)  # the firm and one competitor: a median is a mean


@pytest.fixture
def five(world):
    return world, build(world, size=5)


def group_medians(run: RankingRun) -> dict[str, float]:
    """The Tehran group's median per pillar (it is the sector and the province)."""
    rows = FirmScore.objects.filter(run=run, eligible=True, firm__park__province__code="IR-23")
    pillars = {}
    for code in rows[0].pillars:
        values = [r.pillars[code] for r in rows if r.pillars.get(code) is not None]
        if values:
            pillars[code] = median(values)
    return pillars


def page(user, path: str, *, lang: str = "en"):
    client = Client()
    client.cookies["django_language"] = lang
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response


def chart_json(body: str) -> dict:
    found = re.search(r'id="firm-charts" type="application/json">(.*?)</script>', body)
    return json.loads(found.group(1))


def series_names(body: str) -> list[str]:
    return [s["name"] for s in chart_json(body)["pillars"]["series"]]


def shown_forms(value: float) -> list[str]:
    """The ways a median would be written: the page's 1 decimal in both digit sets, and
    the chart's rounded number."""
    return [
        number_format(value, lang="en", decimals=1),
        number_format(value, lang="fa", decimals=1),
        json.dumps(round(value, 1)),
    ]


def own_score(world, run: RankingRun) -> FirmScore:
    return FirmScore.objects.get(run=run, firm=world.firm)


def distinct_medians(world, run: RankingRun) -> dict[str, float]:
    """The group's medians that no other figure of the page could be mistaken for: not the
    firm's own pillar score, nor the national median."""
    own = own_score(world, run).pillars
    national = FirmScore.objects.filter(run=run, eligible=True)
    out = {}
    for code, value in group_medians(run).items():
        nat = median(s.pillars[code] for s in national if s.pillars.get(code) is not None)
        if round(value, 1) not in (round(own[code], 1), round(nat, 1)):
            out[code] = value
    assert out, "the test data should give at least one distinctive median"
    return out


# --- the firm's own page ----------------------------------------------------------------


def test_a_firm_user_of_a_small_group_sees_dashes_and_why(small) -> None:
    world, run = small
    response = page(world.firm_user, MY_FIRM)
    body = response.content.decode()
    notice = NOTICE.format(n=5)
    assert "Your place among the ranked firms of your sector (" in body
    assert "Your place among the ranked firms of your province (Tehran): —" in body
    assert body.count(notice) >= 3  # the percentiles, the ranks, the pillar table
    assert "other ranked firms of your" not in body  # no percentile
    assert "your sector&#x27;s median" not in body and "your sector's median" not in body
    for testid in ("rank-province", "rank-sector", "rank-park"):
        assert f'data-testid="{testid}">—<' in body
    names = series_names(body)
    assert "Sector median" not in names and "Province median" not in names
    assert "National median" in names and "This firm" in names
    table = body[body.index('data-testid="pillar-table"') :]
    table = table[: table.index("</table>")]
    for code, value in distinct_medians(world, run).items():
        for text in shown_forms(value):
            assert text not in body, (code, text)
    assert "—" in table


def test_the_persian_page_says_why_in_persian(small) -> None:
    world, run = small
    body = page(world.firm_user, MY_FIRM, lang="fa").content.decode()
    notice = fa(NOTICE_MSGID, n="۵")
    assert notice == "گروه همتایان کمتر از ۵ بنگاه دارد؛ برای حفظ محرمانگی نشان داده نمی‌شود."
    assert notice in body
    assert "جایگاه شما در میان بنگاه‌های رتبه‌بندی‌شده استان شما (تهران): —" in body
    for value in distinct_medians(world, run).values():
        assert number_format(value, lang="fa", decimals=1) not in body


def test_a_group_of_five_firms_with_the_firm_shows_its_numbers(five) -> None:
    world, run = five
    s = own_score(world, run)
    body = page(world.firm_user, MY_FIRM).content.decode()
    assert NOTICE.format(n=5) not in body
    tehran = FirmScore.objects.filter(run=run, eligible=True, firm__park__province__code="IR-23")
    below = tehran.exclude(firm=world.firm).filter(score__lt=s.score).count()
    pct = number_format(100 * below / 4, lang="en")
    assert (
        f"Your score is higher than {pct}% of the 4 other ranked firms of your province (Tehran)."
    ) in body
    assert f'data-testid="rank-province">{s.rank_province}<' in body
    assert f'data-testid="rank-park">{s.rank_park}<' in body
    assert {"Sector median", "Province median"} <= set(series_names(body))
    charts = chart_json(body)["pillars"]
    province = next(x["values"] for x in charts["series"] if x["name"] == "Province median")
    medians = group_medians(run)
    # The chart follows the methodology's pillar order (a jsonb object keeps none).
    codes = spec_pillars(run.methodology.spec)
    for code, value in medians.items():
        assert province[codes.index(code)] == round(value, 1)


def test_the_threshold_is_the_setting(small, settings) -> None:
    world, run = small
    settings.AGGREGATE_MIN_FIRMS = 2
    body = page(world.firm_user, MY_FIRM).content.decode()
    assert "Fewer than" not in body
    assert "of the 1 other ranked firms of your province (Tehran)." in body
    for value in distinct_medians(world, run).values():
        assert number_format(value, lang="en", decimals=1) in body
    settings.AGGREGATE_MIN_FIRMS = 3
    body = page(world.firm_user, MY_FIRM).content.decode()
    assert NOTICE.format(n=3) in body
    assert "Province median" not in series_names(body)


def test_a_small_cluster_percentile_is_withheld_too(five) -> None:
    from clusters.models import Cluster, ClusterMembership

    world, run = five
    small = Cluster.objects.create(code="TINY", name_fa="خوشه کوچک", name_en="Tiny cluster")
    big = Cluster.objects.create(code="WIDE", name_fa="خوشه بزرگ", name_en="Wide cluster")
    ranked = FirmScore.objects.filter(run=run, eligible=True).exclude(firm=world.firm)
    for cluster, count in ((small, 2), (big, 6)):
        for firm_id in [world.firm.pk, *ranked.values_list("firm_id", flat=True)[:count]]:
            ClusterMembership.objects.create(run=run, cluster=cluster, firm_id=firm_id)
    body = page(world.firm_user, MY_FIRM).content.decode()
    assert "Your place among the ranked firms of the cluster Tiny cluster: —" in body
    assert "other ranked firms of the cluster Tiny cluster" not in body
    assert "of the 6 other ranked firms of the cluster Wide cluster." in body


# --- analysts and park managers ------------------------------------------------------------


def test_an_analyst_sees_a_small_groups_numbers(small) -> None:
    world, run = small
    s = own_score(world, run)
    body = page(world.analyst, f"/firms/{world.firm.pk}/").content.decode()
    assert "Fewer than" not in body
    assert {"Sector median", "Province median"} <= set(series_names(body))
    for value in distinct_medians(world, run).values():
        assert number_format(value, lang="en", decimals=1) in body
    assert f'data-testid="rank-province">{s.rank_province}<' in body
    assert f'data-testid="rank-sector">{s.rank_sector}<' in body


def test_a_park_manager_sees_dashes_but_their_parks_rank(small) -> None:
    world, run = small
    s = own_score(world, run)
    body = page(world.manager, f"/firms/{world.firm.pk}/").content.decode()
    assert NOTICE.format(n=5) in body
    assert 'data-testid="rank-province">—<' in body and 'data-testid="rank-sector">—<' in body
    # Every firm of the park is the manager's to see: the rank among them is no secret.
    assert f'data-testid="rank-park">{s.rank_park}<' in body
    assert series_names(body) == ["This firm"]
    for value in distinct_medians(world, run).values():
        for text in shown_forms(value):
            assert text not in body, text


# --- the API --------------------------------------------------------------------------------


def scores_api(user, firm) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/firms/{firm.pk}/scores/")
    assert response.status_code == 200
    (row,) = response.json()
    return row


def test_the_score_history_withholds_ranks_within_small_groups(small) -> None:
    world, run = small
    s = own_score(world, run)
    ranks = ("rank_province", "rank_park", "rank_sector")
    row = scores_api(world.firm_user, world.firm)
    assert [row[k] for k in ranks] == [None, None, None] and row["withheld"] is True
    assert row["rank"] == s.rank and row["score"] == pytest.approx(s.score)
    row = scores_api(world.manager, world.firm)
    assert [row[k] for k in ranks] == [None, s.rank_park, None] and row["withheld"] is True
    row = scores_api(world.analyst, world.firm)
    assert [row[k] for k in ranks] == [s.rank_province, s.rank_park, s.rank_sector]
    assert row["withheld"] is False


def test_the_score_history_shows_ranks_within_groups_of_five(five) -> None:
    world, run = five
    s = own_score(world, run)
    row = scores_api(world.firm_user, world.firm)
    assert (row["rank_province"], row["rank_park"], row["rank_sector"]) == (
        s.rank_province,
        s.rank_park,
        s.rank_sector,
    )
    assert row["withheld"] is False


# --- the pure helper -------------------------------------------------------------------------


def test_a_withheld_percentile_counts_peers_but_compares_nothing() -> None:
    import pandas as pd

    from rankings.insights import peer_percentile

    names = {"group": "province", "name_fa": "قم", "name_en": "Qom", "firm_id": 7, "score": 50.0}
    p = peer_percentile(**names, peer_scores=pd.Series({7: 50.0, 8: 40.0}), withheld=True)
    assert (p.peers, p.below, p.percent, p.withheld) == (1, 0, None, True)
    # Alone in its group: nothing to withhold, and the page says no other firm was ranked.
    alone = peer_percentile(**names, peer_scores=pd.Series({7: 50.0}), withheld=True)
    assert (alone.peers, alone.percent, alone.withheld) == (0, None, False)
