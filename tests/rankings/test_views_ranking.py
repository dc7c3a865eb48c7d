"""The analysts' ranking table: filters, sorting, paging, rank bands and exports."""

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from firms.models import AuditEvent, Sector
from rankings.models import FirmScore
from rankings.services import data_changed, ranking_recompute
from smerank.formatting import persian_digits
from tests.factories import FirmFactory
from tests.rankings.pages_helpers import rank_firms, ranked_world

pytestmark = pytest.mark.django_db

RANKING = "/analyst/ranking/"
CSV_URL = "/analyst/ranking/export.csv"
XLSX_URL = "/analyst/ranking/export.xlsx"


@pytest.fixture
def ranked(world):
    return world, ranked_world(world)


def analyst_client(world, lang: str = "fa") -> Client:
    client = Client()
    client.force_login(world.analyst)
    if lang == "en":
        client.cookies["django_language"] = "en"
    return client


def shown_ranks(response) -> list[int]:
    return [row["score"].rank for row in response.context["rows"]]


def test_the_url_names_are_the_ones_given_to_the_menu() -> None:
    assert reverse("analyst-ranking") == RANKING
    assert reverse("analyst-ranking-csv") == CSV_URL
    assert reverse("analyst-ranking-xlsx") == XLSX_URL


@pytest.mark.parametrize("url", [RANKING, CSV_URL, XLSX_URL])
def test_anonymous_users_are_sent_to_the_login_page(client, ranked, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("username", ["manager", "other-manager", "firmuser"])
@pytest.mark.parametrize("url", [RANKING, CSV_URL, XLSX_URL])
def test_other_roles_get_a_404_and_no_firm_data(client, ranked, username: str, url: str) -> None:
    world, _ = ranked
    user = {"manager": world.manager, "other-manager": world.other_manager}.get(
        username, world.firm_user
    )
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 404
    assert world.other_firm.national_id.encode() not in response.content


def test_analysts_page_through_every_ranked_firm_fifty_at_a_time(ranked) -> None:
    world, _ = ranked
    client = analyst_client(world)
    first = client.get(RANKING)
    assert first.status_code == 200
    assert shown_ranks(first) == list(range(1, 51))
    assert shown_ranks(client.get(RANKING, {"page": 3})) == list(range(101, 113))
    body = first.content.decode()
    assert persian_digits("112") in body  # the count, in Persian digits
    assert world.firm.name_fa in client.get(RANKING, {"q": world.firm.national_id}).content.decode()
    english = analyst_client(world, "en").get(RANKING).content.decode()
    assert "112 ranked firms" in english


def test_an_out_of_range_page_shows_the_last_page(ranked) -> None:
    world, _ = ranked
    response = analyst_client(world).get(RANKING, {"page": 99})
    assert shown_ranks(response) == list(range(101, 113))


def test_filters_by_province_park_section_division_and_search(ranked) -> None:
    world, _run = ranked
    client = analyst_client(world)
    assert client.get(RANKING, {"province": "IR-23"}).context["page"].paginator.count == 1
    assert client.get(RANKING, {"park": "ISF-01"}).context["page"].paginator.count == 111
    assert client.get(RANKING, {"section": "C"}).context["page"].paginator.count == 112
    assert client.get(RANKING, {"division": "25"}).context["page"].paginator.count == 112
    assert client.get(RANKING, {"division": "10"}).context["page"].paginator.count == 0
    found = client.get(RANKING, {"q": "نمونه تهران"})
    assert [r["score"].firm_id for r in found.context["rows"]] == [world.firm.pk]


def test_the_division_filter_finds_firms_of_another_industry(world) -> None:
    food = Sector.objects.get(code="1010")
    firms = [world.firm, *FirmFactory.create_batch(3, park=world.park, isic=food)]
    rank_firms(firms)
    client = analyst_client(world)
    response = client.get(RANKING, {"division": "10"})
    assert {r["score"].firm.isic_id for r in response.context["rows"]} == {"1010"}
    assert response.context["page"].paginator.count == 3


def test_the_size_class_follows_employees_in_the_ranked_year(ranked) -> None:
    world, _run = ranked
    client = analyst_client(world)
    # employees are 15 + i % 100 for the i-th firm: 47 have 10-49, 65 have 50-249.
    small = client.get(RANKING, {"size": "small"})
    medium = client.get(RANKING, {"size": "medium"})
    assert small.context["page"].paginator.count == 47
    assert medium.context["page"].paginator.count == 65
    assert client.get(RANKING, {"size": "micro"}).context["page"].paginator.count == 0
    employees = {s["score"].firm.years.get(year=1403).employees for s in small.context["rows"]}
    assert max(employees) <= 49


def test_unknown_filter_values_are_shown_as_errors_not_a_crash(ranked) -> None:
    world, _ = ranked
    response = analyst_client(world).get(RANKING, {"province": "Tehran", "sort": "evil"})
    assert response.status_code == 200
    assert "province" in response.context["form"].errors
    assert shown_ranks(response)[:3] == [1, 2, 3]  # unfiltered, default sort


def test_sorting_by_score_pillar_name_and_rank(ranked) -> None:
    world, run = ranked
    client = analyst_client(world)
    lowest_first = client.get(RANKING, {"sort": "score"})
    scores = [r["score"].score for r in lowest_first.context["rows"]]
    assert scores == sorted(scores) and shown_ranks(lowest_first)[0] == 112
    assert shown_ranks(client.get(RANKING, {"sort": "-rank"}))[0] == 112
    by_exports = client.get(RANKING, {"sort": "-exports"})
    values = [r["pillars"][1] for r in by_exports.context["rows"]]
    assert values == sorted(values, reverse=True)
    best_exporter = max(FirmScore.objects.filter(run=run), key=lambda s: s.pillars["exports"])
    assert by_exports.context["rows"][0]["score"].pk == best_exporter.pk
    names = [r["score"].firm.name_fa for r in client.get(RANKING, {"sort": "name"}).context["rows"]]
    assert names == sorted(names)


def test_sort_headers_say_how_they_sort_and_keep_the_filters(ranked) -> None:
    world, _ = ranked
    body = analyst_client(world).get(RANKING, {"park": "ISF-01", "sort": "-score"}).content.decode()
    assert 'aria-sort="descending"' in body
    assert "?park=ISF-01&amp;sort=score" in body  # clicking Score again reverses it
    assert "?park=ISF-01&amp;sort=-exports" in body  # pillars sort best first
    assert 'href="/analyst/ranking/export.csv?park=ISF-01&amp;sort=-score"' in body


def test_sorting_by_change_after_a_second_run(ranked) -> None:
    world, run = ranked
    year = world.firm.years.get(year=1403)
    year.exports = 4_000
    year.save()
    data_changed(years=[1403])
    second = ranking_recompute(year=1403)
    changes = [
        r["score"].rank_change
        for r in analyst_client(world).get(RANKING, {"sort": "-change"}).context["rows"]
    ]
    assert second is not None and second.pk != run.pk
    moved = [c for c in changes if c is not None]
    assert moved and moved == sorted(moved, reverse=True)


def _band(body: str) -> str:
    match = re.search(r'data-testid="rank-band">([^<]*)<', body)
    assert match, "no rank band shown"
    return match.group(1)


def test_the_rank_band_is_shown_when_the_uncertainty_analysis_filled_it(ranked) -> None:
    world, run = ranked
    FirmScore.objects.filter(run=run, rank=37).update(
        rank_low=31, rank_high=45, top_probability=0.92
    )
    english = analyst_client(world, "en").get(RANKING).content.decode()
    assert _band(english) == "rank 37, likely 31–45, in the top-100 with probability 92%"
    assert english.count('data-testid="rank-band"') == 1
    persian = _band(analyst_client(world).get(RANKING).content.decode())
    assert all(d in persian for d in ["۳۷", "۳۱", "۴۵", "۱۰۰", "۹۲٪"])
    assert "۰٫۹۲" not in persian and "0.92" not in persian


def test_the_table_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries) -> None:
    rank_firms([world.firm, *FirmFactory.create_batch(9, park=world.park)], year=1403)
    client = analyst_client(world)
    client.get(RANKING)  # warm the session
    cache.clear()  # the count and the drop-downs are cached per run: measure cold pages
    with django_assert_max_num_queries(15) as small:
        client.get(RANKING, {"year": 1403})
    rank_firms(FirmFactory.create_batch(200, park=world.other_park), year=1404)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(RANKING, {"year": 1404, "sort": "-innovation"})
    assert len(response.context["rows"]) == 50


def test_paging_does_not_count_the_run_again(ranked) -> None:
    world, _run = ranked
    client = analyst_client(world)
    client.get(RANKING, {"park": "ISF-01"})
    with CaptureQueriesContext(connection) as later:
        second = client.get(RANKING, {"park": "ISF-01", "page": 2})
    assert not [q for q in later.captured_queries if "COUNT(" in q["sql"].upper()]
    assert second.context["page"].paginator.count == 111
    assert persian_digits("111") in second.content.decode()  # "۱۱۱ ranked firms", as before
    assert shown_ranks(second)[0] > 50
    # Another filter is another count.
    assert client.get(RANKING, {"province": "IR-23"}).context["page"].paginator.count == 1


def test_sorting_by_score_reads_the_rank_order(ranked) -> None:
    world, run = ranked
    client = analyst_client(world)
    best_first = client.get(RANKING, {"sort": "-score"})
    expected = list(
        FirmScore.objects.filter(run=run, rank__isnull=False)
        .order_by("-score", "rank", "firm_id")
        .values_list("pk", flat=True)[:50]
    )
    assert [r["score"].pk for r in best_first.context["rows"]] == expected
    assert best_first.context["sort"] == "-score"
    assert 'aria-sort="descending"' in best_first.content.decode()


def test_a_list_sorted_without_an_index_is_sorted_once_for_all_its_pages(ranked) -> None:
    world, _run = ranked
    client = analyst_client(world, "en")
    first = client.get(RANKING, {"sort": "name"})
    with CaptureQueriesContext(connection) as queries:
        second = client.get(RANKING, {"sort": "name", "page": "2"})
    sorting = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert not [sql for sql in sorting if "name_en" in sql.split("ORDER BY")[1]], sorting
    names = [r["score"].firm.name_en for r in first.context["rows"] + second.context["rows"]]
    assert names == sorted(names) and len(names) == 100


def test_htmx_filtering_returns_only_the_results(ranked) -> None:
    world, _ = ranked
    response = analyst_client(world).get(RANKING, {"park": "TEH-01"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and world.firm.name_fa in body
    assert world.other_firm.name_fa not in body


def test_before_any_run_the_page_says_so(world) -> None:
    client = analyst_client(world, "en")
    assert "No ranking has been computed yet" in client.get(RANKING).content.decode()
    assert client.get(CSV_URL).status_code == 404


def _xlsx(response) -> bytes:
    assert response.streaming  # sent as it is written, not built whole in memory
    return b"".join(response.streaming_content)


def _csv_rows(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Persian
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_export_holds_the_whole_filtered_list(ranked) -> None:
    world, run = ranked
    response = analyst_client(world, "en").get(CSV_URL, {"park": "ISF-01"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="smerank-ranking-1403-run' in response["Content-Disposition"]
    rows = _csv_rows(response)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Rank", "National id", "Persian name", "Latin name"]
    assert "Export orientation" in header and header[-4] == "Rank change"
    assert len(body) == 111  # every firm of the park, not one page
    assert world.other_firm.national_id in {r[1] for r in body}
    assert world.firm.national_id not in {r[1] for r in body}
    first = FirmScore.objects.get(run=run, rank=int(body[0][0]))
    assert float(body[0][9]) == round(first.score, 2)


def test_exports_neutralise_names_that_look_like_formulas(world) -> None:
    world.firm.name_en = '=HYPERLINK("http://evil.example","x")'
    world.firm.name_fa = "+98 صنایع"
    world.firm.save()
    rank_firms([world.firm, world.other_firm])
    client = analyst_client(world)
    rows = _csv_rows(client.get(CSV_URL, {"park": "TEH-01"}))
    assert rows[1][2] == "'+98 صنایع"
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","x")'
    sheet = load_workbook(io.BytesIO(_xlsx(client.get(XLSX_URL, {"park": "TEH-01"})))).active
    assert sheet["D2"].value == '\'=HYPERLINK("http://evil.example","x")'
    assert sheet["D2"].data_type == "s"


def test_the_xlsx_export_keeps_numbers_numeric_and_reads_right_to_left(ranked) -> None:
    world, _run = ranked
    response = analyst_client(world).get(XLSX_URL, {"sort": "score"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(_xlsx(response))).active
    assert sheet.max_row == 113
    assert sheet.sheet_view.rightToLeft is True
    assert isinstance(sheet["A1"].value, str)  # the header row
    assert sheet["A2"].value == 112 and isinstance(sheet["J2"].value, float)
    assert sheet["B2"].data_type == "s"  # the national id stays text


def test_each_export_is_recorded_in_the_audit_log(ranked) -> None:
    world, run = ranked
    analyst_client(world).get(XLSX_URL, {"province": "IR-10"})
    event = AuditEvent.objects.get(action="ranking.export")
    assert event.actor == world.analyst and event.object_id == str(run.pk)
    assert event.detail["format"] == "xlsx" and "province=IR-10" in event.detail["query"]


def test_the_cluster_filter_keeps_the_members_of_one_cluster(ranked) -> None:
    from clusters.models import Cluster, ClusterMembership

    world, run = ranked
    cluster = Cluster.objects.create(code="TEST-METAL", name_fa="خوشه فلزی آزمون")
    ClusterMembership.objects.create(run=run, cluster=cluster, firm=world.other_firm)
    client = analyst_client(world)
    page = client.get(RANKING)
    assert "خوشه فلزی آزمون" in page.content.decode()
    response = client.get(RANKING, {"cluster": cluster.pk})
    assert [r["score"].firm_id for r in response.context["rows"]] == [world.other_firm.pk]


def test_every_page_of_the_whole_list_follows_the_rank_even_across_ties(ranked) -> None:
    world, run = ranked
    # Ties at a page boundary: positions 48-50 share rank 49, positions 99-102 rank 100.
    ordered = list(FirmScore.objects.filter(run=run).order_by("rank", "firm_id"))
    ranks = list(range(1, 113))
    ranks[48:51] = [49, 49, 49]
    ranks[98:102] = [99, 99, 99, 99]
    for score, rank in zip(ordered, ranks, strict=True):
        score.rank = rank
    FirmScore.objects.bulk_update(ordered, ["rank"])
    expected = list(
        FirmScore.objects.filter(run=run).order_by("rank", "firm_id").values_list("pk", flat=True)
    )
    client = analyst_client(world)
    shown = []
    for number in (1, 2, 3):
        response = client.get(RANKING, {"page": number})
        shown += [r["score"].pk for r in response.context["rows"]]
    assert shown == expected
    last = client.get(RANKING, {"page": 99})  # out of range: the last page, by rank too
    assert [r["score"].pk for r in last.context["rows"]] == expected[100:]
    # A filtered list pages the same way.
    park = client.get(RANKING, {"park": "ISF-01", "page": 2})
    assert [r["score"].firm.park.code for r in park.context["rows"]] == ["ISF-01"] * 50


def test_drop_down_options_built_in_python_are_escaped(world) -> None:
    world.other_park.name_fa = '<script>alert("x")</script> شهرک'
    world.other_park.save()
    rank_firms([world.firm, world.other_firm])
    body = analyst_client(world).get(RANKING, {"park": "ISF-01"}).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; شهرک" in body
    assert '<option value="ISF-01" selected>' in body  # the chosen park stays selected


def test_the_drop_downs_are_read_once_per_run(ranked) -> None:
    world, _run = ranked
    client = analyst_client(world)
    client.get(RANKING)
    with CaptureQueriesContext(connection) as later:
        client.get(RANKING, {"province": "IR-10"})
    reference = ('FROM "firms_province"', 'FROM "firms_park"', 'FROM "firms_sector"')
    assert not [q for q in later.captured_queries if any(t in q["sql"] for t in reference)]
