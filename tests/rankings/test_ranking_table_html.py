"""The analysts' ranking table shows, cell for cell, what its template showed before the
rows, the header and the pager were written in Python (rankings/ranking_table.py): the
same text, digits, links, escaping and accessibility attributes.

Whitespace between tags is left out of the comparisons: it shows nothing."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from rankings.models import FirmScore
from tests.factories import FirmFactory
from tests.i18n import fa
from tests.rankings.pages_helpers import rank_firms, ranked_world

pytestmark = pytest.mark.django_db

RANKING = "/analyst/ranking/"
BAND_SPAN = '<div><span class="sr-band" data-testid="rank-band">{}</span></div>'
UP = '<span class="sr-up"><i class="bi bi-arrow-up" aria-hidden="true"></i><span class="visually-hidden">{}</span> {}</span>'
DOWN = '<span class="sr-down"><i class="bi bi-arrow-down" aria-hidden="true"></i><span class="visually-hidden">{}</span> {}</span>'
LIKELY = "rank %(rank)s, likely %(low)s–%(high)s, in the top-%(n)s with probability %(p)s"
EVERY = "rank %(rank)s, %(low)s in every scenario, in the top-%(n)s with probability %(p)s"


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def get(client: Client, params: dict[str, str] | None = None) -> str:
    response = client.get(RANKING, params or {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def rows_of(body: str) -> list[str]:
    tbody = re.search(r"<tbody>(.*)</tbody>", body, re.S).group(1)
    return [squeeze(row) for row in re.findall(r"<tr>.*?</tr>", tbody, re.S)]


def row(
    *,
    rank: str,
    name: str,
    national_id: str,
    band: str,
    place: str,
    isic: str,
    score: str,
    change: str,
    pillars: list[str],
    id_label: str = "National id",
) -> str:
    """A row as the template wrote it."""
    cells = "".join(f'<td class="text-end num small">{p}</td>' for p in pillars)
    return squeeze(
        f"""<tr>
        <td class="sr-rank num">{rank}</td>
        <th scope="row" class="fw-normal">
          {name}
          <div class="small text-body-secondary num"><span class="visually-hidden">{id_label} </span><span dir="ltr">{national_id}</span></div>
          {band}
        </th>
        <td class="d-none d-lg-table-cell small">{place}</td>
        <td class="d-none d-xl-table-cell small">{isic}</td>
        <td class="text-end num fw-semibold">{score}</td>
        <td class="text-end num text-nowrap">{change}</td>
        {cells}
        </tr>"""
    )


@pytest.fixture
def small_world(world):
    """Four ranked firms: one with a name and a park full of HTML special characters and a
    full rank band, one whose band is withheld (no probability), one certain of its rank
    and one the uncertainty analysis has not reached."""
    world.firm.name_fa = 'صنایع <b>"نمونه"</b> & شرکا'
    world.firm.name_en = "Acme <i>&</i> 'Sons'"
    world.firm.save()
    world.park.name_fa = "شهرک «آزمون» & <همکاران>"
    world.park.name_en = "Park <A> & B"
    world.park.save()
    third, fourth = FirmFactory.create_batch(2, park=world.other_park)
    run = rank_firms([world.firm, world.other_firm, third, fourth])
    pillars = ["competitiveness", "exports", "innovation", "standards", "finance"]
    figures = [
        (world.firm, 70.44, [81.66, None, 100, 0, 2.04], 3, (1, 4, 0.996)),
        (world.other_firm, 65.0, [50, 50, 50, 50, 50], None, (1, 3, None)),
        (third, 60.06, [1, 2, 3, 4, 5], -1234, (3, 3, 0.0)),
        (fourth, -3.25, [10.5, 20.5, 30.5, 40.5, 50.5], 0, (None, None, None)),
    ]
    for rank, (firm, score, values, change, (low, high, p)) in enumerate(figures, start=1):
        FirmScore.objects.filter(run=run, firm=firm).update(
            rank=rank,
            score=score,
            pillars=dict(zip(pillars, values, strict=True)),
            rank_change=change,
            rank_low=low,
            rank_high=high,
            top_probability=p,
        )
    cache.clear()
    return world, third, fourth


def analyst(world, lang: str) -> Client:
    client = Client()
    client.force_login(world.analyst)
    if lang == "en":
        client.cookies["django_language"] = "en"
    return client


def link(firm, text: str) -> str:
    return f'<a href="{reverse("firm-profile", args=[firm.pk])}" hx-boost="false">{text}</a>'


def test_the_rows_read_as_before_in_english(small_world) -> None:
    world, third, fourth = small_world
    rows = rows_of(get(analyst(world, "en")))
    isic = '<span title="Manufacture of structural metal products">2511</span>'
    assert rows == [
        row(
            rank="1",
            name=link(world.firm, "Acme &lt;i&gt;&amp;&lt;/i&gt; &#x27;Sons&#x27;"),
            national_id=world.firm.national_id,
            band=BAND_SPAN.format("rank 1, likely 1–4, in the top-100 with probability 99%"),
            place='Tehran<br><span class="text-body-secondary">Park &lt;A&gt; &amp; B</span>',
            isic=isic,
            score="70.4",
            change=UP.format("up", "3"),
            pillars=["81.7", "—", "100.0", "0.0", "2.0"],
        ),
        row(
            rank="2",
            name=link(world.other_firm, world.other_firm.name_en),
            national_id=world.other_firm.national_id,
            band="",  # withheld: the analysis gave no probability
            place=f'Isfahan<br><span class="text-body-secondary">{world.other_park.name_en}</span>',
            isic=isic,
            score="65.0",
            change='<span class="text-body-secondary" title="no earlier rank">—</span>',
            pillars=["50.0"] * 5,
        ),
        row(
            rank="3",
            name=link(third, third.name_en),
            national_id=third.national_id,
            band=BAND_SPAN.format(
                "rank 3, 3 in every scenario, in the top-100 with probability 0%"
            ),
            place=f'Isfahan<br><span class="text-body-secondary">{world.other_park.name_en}</span>',
            isic=isic,
            score="60.1",
            change=DOWN.format("down", "1,234"),
            pillars=["1.0", "2.0", "3.0", "4.0", "5.0"],
        ),
        row(
            rank="4",
            name=link(fourth, fourth.name_en),
            national_id=fourth.national_id,
            band="",  # not analysed
            place=f'Isfahan<br><span class="text-body-secondary">{world.other_park.name_en}</span>',
            isic=isic,
            score="-3.2",
            change="0",
            pillars=["10.5", "20.5", "30.5", "40.5", "50.5"],
        ),
    ]


def test_the_rows_read_as_before_in_persian(small_world) -> None:
    world, third, _fourth = small_world
    rows = rows_of(get(analyst(world, "fa")))
    digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    isic = '<span title="ساخت محصولات فلزی ساختمانی">۲۵۱۱</span>'
    tehran = (
        "تهران" + '<br><span class="text-body-secondary">شهرک «آزمون» &amp; &lt;همکاران&gt;</span>'
    )
    band = fa(LIKELY, rank="۱", low="۱", high="۴", n="۱۰۰", p="۹۹٪")
    assert rows[0] == row(
        rank="۱",
        name=link(world.firm, "صنایع &lt;b&gt;&quot;نمونه&quot;&lt;/b&gt; &amp; شرکا"),
        national_id=world.firm.national_id.translate(digits),
        id_label=fa("National id"),
        band=BAND_SPAN.format(band),
        place=tehran,
        isic=isic,
        score="۷۰٫۴",
        change=UP.format(fa("up"), "۳"),
        pillars=["۸۱٫۷", "—", "۱۰۰٫۰", "۰٫۰", "۲٫۰"],
    )
    assert 'data-testid="rank-band"' not in rows[1]  # withheld
    assert f'title="{fa("no earlier rank")}">—</span>' in rows[1]
    assert BAND_SPAN.format(fa(EVERY, rank="۳", low="۳", n="۱۰۰", p="۰٪")) in rows[2]
    assert DOWN.format(fa("down"), "۱٬۲۳۴") in rows[2]
    assert third.name_fa in rows[2]
    assert '<td class="text-end num fw-semibold">\u200e−۳٫۲</td>' in rows[3]


def test_the_header_and_the_pager_read_as_before(world) -> None:
    ranked_world(world)  # 111 firms in ISF-01: three pages
    body = get(analyst(world, "en"), {"park": "ISF-01", "sort": "-score", "page": "2"})
    head = squeeze(re.search(r"<thead><tr>(.*)</tr></thead>", body, re.S).group(1))
    q = "?park=ISF-01&amp;sort="
    swatch = '<span class="sr-swatch" aria-hidden="true"></span> '
    pillars = [
        ("competitiveness", "Competitiveness"),
        ("exports", "Export orientation"),
        ("innovation", "Innovation and technology"),
        ("standards", "Standards and quality"),
        ("finance", "Financial health"),
    ]
    assert head == "".join(
        [
            f'<th scope="col"><a href="{q}rank">Rank</a></th>',
            f'<th scope="col"><a href="{q}name">Firm</a></th>',
            '<th scope="col" class="d-none d-lg-table-cell">Province · park</th>',
            '<th scope="col" class="d-none d-xl-table-cell">ISIC</th>',
            f'<th scope="col" class="text-end" aria-sort="descending"><a href="{q}score">Score'
            ' <i class="bi bi-caret-down-fill" aria-hidden="true"></i></a></th>',
            f'<th scope="col" class="text-end"><a href="{q}-change">Change</a></th>',
            *(
                f'<th scope="col" class="text-end small sr-p-{code}"><a href="{q}-{code}">'
                f"{swatch}{label}</a></th>"
                for code, label in pillars
            ),
        ]
    )
    pager = squeeze(re.search(r'<ul class="pagination[^>]*>(.*?)</ul>', body, re.S).group(1))
    page = "?park=ISF-01&amp;sort=-score&amp;page="
    assert pager == "".join(
        [
            f'<li class="page-item"><a class="page-link" href="{page}1">Previous</a></li>',
            f'<li class="page-item"><a class="page-link" href="{page}1">1</a></li>',
            '<li class="page-item active" aria-current="page"><span class="page-link">2</span></li>',
            f'<li class="page-item"><a class="page-link" href="{page}3">3</a></li>',
            f'<li class="page-item"><a class="page-link" href="{page}3">Next</a></li>',
        ]
    )


def test_the_default_sort_marks_the_rank_column_ascending(world) -> None:
    rank_firms([world.firm, world.other_firm])
    head = squeeze(re.search(r"<thead><tr>(.*?)</th>", get(analyst(world, "en")), re.S).group(0))
    assert head.endswith(
        '<th scope="col" aria-sort="ascending"><a href="?sort=-rank">Rank'
        ' <i class="bi bi-caret-up-fill" aria-hidden="true"></i></a></th>'
    )


def test_the_cached_drop_downs_follow_the_language(world) -> None:
    rank_firms([world.firm, world.other_firm])
    persian = analyst(world, "fa").get(RANKING).content.decode()
    english = analyst(world, "en").get(RANKING).content.decode()
    assert f'<option value="" selected>{fa("All sizes")}</option>' in persian
    assert f'<option value="micro">{fa("Micro (under 10 employees)")}</option>' in persian
    assert '<option value="" selected>All sizes</option>' in english
    assert '<option value="micro">Micro (under 10 employees)</option>' in english
    assert '<option value="IR-23">Tehran</option>' in english
    assert '<option value="1403" selected>۱۴۰۳</option>' in persian
    assert '<option value="1403" selected>1403</option>' in english


def test_a_deep_page_is_listed_in_the_pager_with_its_neighbours() -> None:
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from rankings.ranking_table import page_links_html

    page = Paginator(range(30_000), 50).page(300)
    pager = squeeze(page_links_html(page, QueryDict("sort=name"), lang="en"))

    assert '<li class="page-item active" aria-current="page"><span class="page-link">300' in pager
    assert 'href="?sort=name&amp;page=299">299</a>' in pager
    assert 'href="?sort=name&amp;page=301">301</a>' in pager
    assert 'href="?sort=name&amp;page=600">600</a>' in pager
