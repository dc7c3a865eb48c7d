"""Each role's main journey in a real Chromium, plus keyboard, phone and accessibility checks.

The site is Persian first although the browser asks for English (tests/e2e/conftest.py):
pages are right-to-left with Persian digits until the language switch is used. Every page
any test opens is watched: a console error, an uncaught exception or a request to another
origin fails the test.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote_plus

import pytest
from django.utils import translation
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect

from tests.e2e.world import PASSWORD, DemoWorld, demo_world, reference_ensure
from tests.firms.filemakers import IDS, good_csv, row

pytestmark = pytest.mark.django_db(transaction=True)

PERSIAN_NUMBER = re.compile(r"^\u200e?[−-]?[۰-۹٬٫]+$")
PERSIAN_DIGIT = re.compile(r"[۰-۹]")
LATIN_DIGIT = re.compile(r"[0-9]")
PERSIAN_LETTER = re.compile(r"[\u0600-\u06ff]")
UPLOAD_RUNNING = ("uploaded", "validating", "committing")


# --------------------------------------------------------------------------- watchers


@dataclass
class Watch:
    """What went wrong in the browser while a test ran."""

    origin: str
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)  # URLs expected to fail (a 404 page)

    def console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if any(url.endswith(a) for a in self.allowed):
            return
        self.errors.append(f"{url}: {message.text}")

    def request(self, request: Request) -> None:
        url = request.url
        if not url.startswith((self.origin, "data:", "blob:", "about:")):
            self.external.append(url)


@pytest.fixture
def watch(page: Page, live_server) -> Iterator[Watch]:
    w = Watch(origin=live_server.url)
    page.on("console", w.console)
    page.on("pageerror", lambda exc: w.errors.append(f"uncaught: {exc}"))
    page.on("request", w.request)
    yield w
    assert w.errors == [], "console errors:\n" + "\n".join(w.errors)
    assert w.external == [], "requests to other origins:\n" + "\n".join(w.external)


# --------------------------------------------------------------------------- helpers


def fa(msgid: str) -> str:
    """The Persian the page must show for `msgid` (from the project's catalogue, so the
    wording can change there); fails when the string is not translated at all."""
    with translation.override("fa"):
        text = translation.gettext(msgid)
    assert text != msgid and (PERSIAN_LETTER.search(text) or PERSIAN_DIGIT.search(text)), (
        f"{msgid!r} has no Persian translation"
    )
    return text


def login(page: Page, base: str, username: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("nav .navbar-text")).to_contain_text(username)


def assert_persian_rtl(page: Page) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "fa")


def assert_persian_numbers(texts: list[str], what: str) -> None:
    assert texts, f"no {what} on the page"
    wrong = [t for t in texts if not PERSIAN_NUMBER.match(t.strip())]
    assert wrong == [], f"{what} not in Persian digits: {wrong[:5]}"


def job_settled(page: Page, status: str) -> None:
    """Wait while the job page polls (htmx, then a reload) until the badge shows `status`."""
    badge = page.get_by_test_id("job-status")
    expect(badge).not_to_have_attribute(
        "data-status", re.compile("|".join(UPLOAD_RUNNING)), timeout=30_000
    )
    expect(badge).to_have_attribute("data-status", status)


def csv_upload(page: Page, name: str, data: bytes) -> None:
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.get_by_role("button", name=fa("Upload and check")).click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))


@pytest.fixture
def demo(db) -> DemoWorld:
    return demo_world()


# --------------------------------------------------------------------------- journeys


def test_analyst_filters_the_ranking_opens_a_profile_and_exports(
    live_server, page: Page, watch: Watch, demo: DemoWorld
) -> None:
    base = live_server.url
    login(page, base, "demo-analyst")
    page.get_by_role("link", name=fa("Ranking"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/analyst/ranking/$"))
    assert_persian_rtl(page)
    rank_cells = page.locator("#ranking-results td.sr-rank")
    assert_persian_numbers(rank_cells.all_inner_texts(), "ranks")

    # Filter by a province (htmx swaps the results and pushes the URL).
    province = demo.park.province
    page.select_option("#id_province", province.code)
    expect(page).to_have_url(re.compile(rf"province={province.code}"))
    expect(page.get_by_test_id("result-count")).to_contain_text(fa("filtered"))
    places = page.locator("#ranking-results tbody td.d-lg-table-cell")
    expect(places.first).to_contain_text(province.name_fa)
    for text in places.all_inner_texts():
        assert province.name_fa in text

    # Search within it by the first word of a firm's name.
    name = page.locator("#ranking-results tbody th a").first.inner_text()
    word = name.split()[-1]
    page.fill("#id_q", word)
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote_plus(word))}(&|$)"))
    links = page.locator("#ranking-results tbody th a")
    expect(links.first).to_be_visible()
    for text in links.all_inner_texts():
        assert word in text
    assert_persian_numbers(rank_cells.all_inner_texts(), "ranks after filtering")

    # The CSV export keeps the filters.
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("CSV")).click()
    download = info.value
    assert download.suggested_filename.startswith("smerank-ranking-1403-run")
    with open(download.path(), encoding="utf-8-sig") as handle:
        lines = handle.read().splitlines()
    assert lines[0].startswith(",".join(fa(h) for h in ("Rank", "National id", "Persian name")))
    assert len(lines) - 1 == links.count()
    assert all(f",{province.code}," in line for line in lines[1:])

    # The profile: Persian, RTL, a chart drawn by ECharts.
    first = links.first
    firm_name = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/firms/\d+/$"))
    assert_persian_rtl(page)
    expect(page.get_by_test_id("firm-name")).to_have_text(firm_name)
    assert_persian_numbers([page.get_by_test_id("rank").inner_text()], "the rank")
    expect(page.locator("#chart-pillars svg").first).to_be_visible()
    assert page.locator("#chart-pillars svg path").count() > 5  # bars, axes


def test_park_manager_uploads_watches_confirms_and_reads_an_error_report(
    live_server, page: Page, watch: Watch, demo: DemoWorld
) -> None:
    base = live_server.url
    login(page, base, "demo-manager")
    page.get_by_role("link", name=fa("Upload data")).click()
    expect(page).to_have_url(re.compile(r"/imports/$"))
    assert_persian_rtl(page)

    rows = [row(national_id=IDS[i], year="1403", name_fa=f"صنایع آزمون {i}") for i in range(3)]
    csv_upload(page, "park-1403.csv", good_csv(rows))
    expect(page.locator("#job-status .progress")).to_be_attached()
    job_settled(page, "ready")
    expect(page.get_by_test_id("rows-total")).to_have_text("۳")
    expect(page.get_by_test_id("firms-new")).to_have_text("۳")
    expect(page.get_by_test_id("years-new")).to_have_text("۳")
    expect(page.get_by_test_id("years-changed")).to_have_text("۰")

    page.get_by_test_id("confirm").click()
    job_settled(page, "committed")
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(page.get_by_test_id("job-status")).to_have_text(fa("committed"))

    # A file with a wrong check digit: nothing is saved, the report says why, in Persian.
    page.goto(base + "/imports/")
    bad = good_csv([row(national_id="10380284791", year="1403")])
    csv_upload(page, "bad.csv", bad)
    job_settled(page, "invalid")
    report = page.get_by_test_id("error-report").locator("tbody tr")
    expect(report).to_have_count(1)
    cells = report.first.locator("td").all_inner_texts()
    assert cells[0] == "۲", cells  # the first data row, counted as in the spreadsheet
    assert "10380284791" in cells[2]
    assert PERSIAN_LETTER.search(cells[3]) and not LATIN_DIGIT.search(cells[3]), cells[3]

    # The history lists both uploads with their states.
    page.goto(base + "/imports/")
    badges = page.locator("table [data-testid=job-status]")
    expect(badges).to_have_count(2)
    assert sorted(badges.evaluate_all("b => b.map(x => x.dataset.status)")) == [
        "committed",
        "invalid",
    ]


def test_firm_user_sees_its_own_page_and_a_404_for_another_firm(
    live_server, page: Page, watch: Watch, demo: DemoWorld
) -> None:
    base = live_server.url
    login(page, base, "demo-firm")
    page.get_by_role("link", name=fa("My firm")).click()
    expect(page).to_have_url(re.compile(r"/my-firm/$"))
    assert_persian_rtl(page)
    expect(page.get_by_test_id("firm-name")).to_have_text(demo.firm.name_fa)
    assert_persian_numbers(
        [page.get_by_test_id(t).inner_text() for t in ("score", "rank", "rank-province")],
        "score and ranks",
    )
    gap = page.get_by_test_id("gap").inner_text()
    assert "۱۰۰" in gap and PERSIAN_DIGIT.search(gap) and not LATIN_DIGIT.search(gap), gap
    expect(page.locator("#chart-pillars svg").first).to_be_visible()

    # Its own profile URL leads back to its page; another firm's is a plain 404.
    page.goto(f"{base}/firms/{demo.firm.pk}/")
    expect(page).to_have_url(re.compile(r"/my-firm/$"))
    other = f"/firms/{demo.other_firm.pk}/"
    watch.allowed.append(other)
    response = page.goto(base + other)
    assert response is not None and response.status == 404
    assert_persian_rtl(page)
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(fa("Page not found"))
    body = page.locator("body").inner_text()
    assert demo.other_firm.name_fa not in body
    assert demo.other_firm.national_id not in page.content()


def test_anonymous_visitor_searches_the_top100_and_switches_to_english(
    live_server, page: Page, watch: Watch, demo: DemoWorld
) -> None:
    base = live_server.url
    page.goto(base + "/")
    page.get_by_role("link", name=fa("Top 100")).click()
    expect(page).to_have_url(re.compile(r"/top100/$"))
    assert_persian_rtl(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("SME100 ۱۴۰۳")
    rows = page.locator("#top100-results tbody tr")
    expect(rows).to_have_count(100)
    assert_persian_numbers(page.locator("#top100-results td.sr-rank").all_inner_texts(), "ranks")
    assert page.locator("#top100-results td.sr-rank").first.inner_text() == "۱"

    # Search (htmx, as you type).
    word = page.locator("#top100-results tbody th").first.inner_text().split()[-1]
    page.fill("#id_q", word)
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote_plus(word))}(&|$)"))
    expect(page.get_by_test_id("result-count")).to_contain_text(word)
    names = page.locator("#top100-results tbody th").all_inner_texts()
    assert 0 < len(names) < 100 and all(word in n for n in names)

    # The language switch turns the page English, left to right, and keeps the search
    # typed since (pushed into the address bar by htmx).
    page.locator("#lang-switch").click()
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote_plus(word))}(&|$)"))
    expect(page.get_by_test_id("result-count")).to_contain_text(re.compile(r"firms? match"))
    assert page.locator("#id_q").input_value() == word
    expect(page.get_by_role("heading", level=1)).to_have_text("SME100 1403")
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("Top 100")
    ranks = page.locator("#top100-results td.sr-rank").all_inner_texts()
    assert ranks and all(r.isdigit() for r in ranks), ranks
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"


# --------------------------------------------------------------------------- keyboard


def _focused(page: Page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; return {
            tag: e.tagName.toLowerCase(), id: e.id, href: e.getAttribute('href') || '',
            cls: e.className || '', text: (e.innerText || '').trim(),
            inNav: !!e.closest('nav.navbar'), inMain: !!e.closest('main'),
            visible: e.getBoundingClientRect().width > 1 }; }"""
    )


def test_keyboard_reaches_the_skip_link_first_and_can_log_in(
    live_server, page: Page, watch: Watch, db
) -> None:
    from firms.services import user_with_role_ensure

    reference_ensure()
    user_with_role_ensure(username="demo-analyst", password=PASSWORD, role="analyst")
    base = live_server.url
    page.goto(base + "/")

    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["href"] == "#main" and first["visible"], first
    assert first["text"] == fa("Skip to content")
    stops = []
    for _ in range(6):
        page.keyboard.press("Tab")
        stops.append(_focused(page))
    assert all(s["inNav"] for s in stops), stops
    nav_links = [s["text"] for s in stops if "nav-link" in s["cls"]]
    assert nav_links[:3] == [fa("Home"), fa("Top 100"), fa("How we rank")], nav_links

    # The skip link takes the next Tab into the page content.
    page.goto(base + "/accounts/login/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_username", _focused(page)

    # The whole form, keys only.
    page.keyboard.type("demo-analyst")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert focused["tag"] == "button" and focused["text"] == fa("Log in"), focused
    page.keyboard.press("Enter")
    expect(page.locator("nav .navbar-text")).to_contain_text("demo-analyst")
    # A visible focus ring (the brand accent), not the browser's default or none.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


# --------------------------------------------------------------------------- phone


def test_on_a_phone_the_nav_collapses_and_only_the_table_scrolls(
    live_server, page: Page, watch: Watch, demo: DemoWorld
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/top100/")
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    top_link = page.locator("#nav .nav-link", has_text=fa("Top 100"))
    expect(top_link).to_be_hidden()
    toggler.click()
    expect(top_link).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # opened
    toggler.click()
    expect(top_link).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")

    page_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page_width[0] <= page_width[1], f"the page scrolls sideways: {page_width}"
    box = page.evaluate(
        """() => { const b = document.querySelector('#top100-results .table-responsive');
        return {scroll: b.scrollWidth, client: b.clientWidth,
                overflow: getComputedStyle(b).overflowX}; }"""
    )
    assert box["scroll"] > box["client"] and box["overflow"] == "auto", box
    # Scrolling the table moves the table, not the page.
    page.locator("#top100-results .table-responsive").evaluate("b => b.scrollBy(-200, 0)")
    assert page.evaluate("window.scrollX") == 0

    # The firm's own page on a phone: no sideways scrolling either.
    page.context.clear_cookies()
    login(page, base, "demo-firm")
    page.goto(base + "/my-firm/")
    page_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page_width[0] <= page_width[1], f"my-firm scrolls sideways: {page_width}"


# --------------------------------------------------------------------------- accessibility

# A small automated check (axe-core is not available offline): labels, alt texts,
# one h1, a main landmark, lang/dir, table headers with scope, and WCAG 2 contrast of
# every piece of visible text (body text, links, nav links, buttons, badges, ...).
A11Y_CHECK = r"""
() => {
  const problems = [];
  const describe = (el) => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean).slice(0, 3);
    if (cls.length) d += "." + cls.join(".");
    const text = (el.innerText || el.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return text ? `${d} "${text}"` : d;
  };
  const html = document.documentElement;
  if (!html.getAttribute("lang")) problems.push("html has no lang");
  if (!["rtl", "ltr"].includes(html.getAttribute("dir"))) problems.push("html has no dir");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} h1 elements (want exactly one)`);
  const mains = document.querySelectorAll("main, [role=main]").length;
  if (mains !== 1) problems.push(`${mains} main landmarks (want one)`);

  const named = (id) => {
    const target = id && document.getElementById(id);
    return !!(target && target.textContent.trim());
  };
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
    const ok = [...(el.labels || [])].some((l) => l.textContent.trim())
      || (el.getAttribute("aria-label") || "").trim()
      || (el.getAttribute("aria-labelledby") || "").split(/\s+/).some(named);
    if (!ok) problems.push(`no label: ${describe(el)}`);
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.getAttribute("src")}`);
  }
  for (const cell of document.querySelectorAll("thead td")) {
    problems.push(`td in a table head: ${describe(cell)}`);
  }
  for (const th of document.querySelectorAll("th")) {
    if (!th.getAttribute("scope")) problems.push(`th without scope: ${describe(th)}`);
  }

  // WCAG 2 contrast: relative luminance of sRGB colours, alpha composited.
  const parse = (c) => {
    const m = c && c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (fg, bg) => ({
    r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a),
    b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1,
  });
  const luminance = (c) => {
    const [r, g, b] = [c.r, c.g, c.b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // What is painted behind an element: one colour per gradient stop; null for a picture.
  const backdrops = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const s = getComputedStyle(node);
      if (s.backgroundImage && s.backgroundImage !== "none") {
        if (!s.backgroundImage.includes("gradient")) return null;
        const stops = (s.backgroundImage.match(/rgba?\([^)]+\)/g) || []).map(parse);
        layers.push(stops);
        if (stops.every((c) => c.a === 1)) break;
        continue;
      }
      const bg = parse(s.backgroundColor);
      if (bg && bg.a > 0) {
        layers.push([bg]);
        if (bg.a === 1) break;
      }
    }
    let result = [{ r: 255, g: 255, b: 255, a: 1 }];
    for (const stops of layers.reverse()) {
      result = result.flatMap((base) => stops.map((stop) => over(stop, base)));
    }
    return result;
  };
  const shown = (el) => {
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.display === "none" || Number(s.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.textContent.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    if (el.closest("svg, script, style, noscript, option, [aria-hidden=true]")) continue;
    if (el.closest(".leaflet-pane")) continue; // map labels drawn over the map colours
    if (el.closest(":disabled, .disabled, [aria-disabled=true]")) continue; // exempt
    if (el.closest(".visually-hidden, .visually-hidden-focusable:not(:focus)")) continue;
    if (!shown(el)) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    const behind = backdrops(el);
    if (!fg || !behind) continue;
    const worst = Math.min(...behind.map((bg) => contrast(over(fg, bg), bg)));
    if (worst < 4.5) {
      const bgs = behind.map((b) => `rgb(${[b.r, b.g, b.b].map(Math.round).join(",")})`);
      problems.push(`contrast ${worst.toFixed(2)}:1 ${describe(el)} (${style.color} on ${bgs.join(" / ")})`);
    }
  }
  return problems;
}
"""


def a11y_problems(page: Page) -> list[str]:
    if page.locator(".leaflet-container, [id^=chart], [id$=-chart]").count():
        page.wait_for_load_state("networkidle")  # legends drawn once the data is in
    return page.evaluate(A11Y_CHECK)


def test_the_accessibility_checker_finds_what_it_should(page: Page) -> None:
    page.set_content(
        """<html><body><h1>a</h1><h1>b</h1>
        <input id="x"><img src="data:,">
        <table><thead><tr><th>h</th><td>d</td></tr></thead></table>
        <p style="color:#999;background:#fff">grey</p>
        <p style="color:#fff;background:linear-gradient(90deg,#000,#eee)">fade</p>
        <label for="y">ok</label><input id="y"><p style="color:#222">fine</p></body></html>"""
    )
    problems = "\n".join(page.evaluate(A11Y_CHECK))
    for expected in (
        "html has no lang",
        "html has no dir",
        "2 h1 elements",
        "0 main landmarks",
        "no label: input#x",
        "img without alt",
        "td in a table head",
        "th without scope",
        'contrast 2.85:1 p "grey"',
        'p "fade"',
    ):
        assert expected in problems, f"{expected!r} not reported:\n{problems}"
    assert "input#y" not in problems and "fine" not in problems


def _jobs(demo: DemoWorld) -> tuple[int, int]:
    """A job ready to confirm and one with errors, made through the service."""
    from firms.imports import import_job_create
    from firms.models import ImportJob

    def make(name: str, data: bytes) -> int:
        job = import_job_create(
            park=demo.park, uploader=demo.manager, stream=io.BytesIO(data), name=name
        )
        return ImportJob.objects.get(pk=job.pk).pk

    good = make("good.csv", good_csv([row(national_id=IDS[0], year="1403")]))
    bad = make("bad.csv", good_csv([row(national_id="10380284791", year="1403")]))
    return good, bad


def test_every_main_page_passes_the_accessibility_check(
    live_server, browser: Browser, browser_context_args: dict, demo: DemoWorld
) -> None:
    from clusters.models import ClusterProfile

    base = live_server.url
    good_job, bad_job = _jobs(demo)
    profile = ClusterProfile.objects.filter(run=demo.run).order_by("-members").first()
    pages: dict[str | None, list[str]] = {
        None: ["/", "/top100/", "/methodology/", "/accounts/login/"],
        "demo-analyst": [
            "/analyst/",
            "/analyst/ranking/",
            f"/firms/{demo.firm.pk}/",
            "/analyst/map/",
            "/analyst/methodology/",
            "/analyst/methodology/new/",
            "/analyst/runs/",
            "/analyst/audit/",
            "/clusters/",
            *([f"/clusters/{profile.cluster_id}/"] if profile else []),
            "/clusters/map/",
            "/shortfalls/",
        ],
        "demo-manager": [
            "/park/",
            "/imports/",
            f"/imports/{good_job}/",
            f"/imports/{bad_job}/",
            f"/firms/{demo.firm.pk}/",
        ],
        "demo-firm": ["/my-firm/"],
    }
    # English (left to right, the other Bootstrap stylesheet) on a sample of the same pages.
    english = {
        None: ["/", "/top100/", "/accounts/login/"],
        "demo-analyst": ["/analyst/", "/analyst/ranking/", "/clusters/map/"],
        "demo-firm": ["/my-firm/"],
    }
    failures: list[str] = []
    for lang, by_user in (("fa", pages), ("en", english)):
        for user, paths in by_user.items():
            context = browser.new_context(**browser_context_args)
            context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
            page = context.new_page()
            w = Watch(origin=base)
            page.on("console", w.console)
            page.on("pageerror", lambda exc, w=w: w.errors.append(f"uncaught: {exc}"))
            page.on("request", w.request)
            if user:
                login(page, base, user)
            who = f"[{lang}] {user or 'anonymous'}"
            for path in paths:
                response = page.goto(base + path)
                status = response.status if response else None
                if status != 200:
                    failures.append(f"{who} {path}: HTTP {status}")
                    continue
                failures.extend(f"{who} {path}: {p}" for p in a11y_problems(page))
                if user == "demo-analyst" and path == "/analyst/methodology/new/":
                    failures.extend(f"{who} preview: {p}" for p in _preview_problems(page))
                failures.extend(f"{who} {path}: console {e}" for e in w.errors)
                failures.extend(f"{who} {path}: external request {u}" for u in w.external)
                w.errors.clear()
                w.external.clear()
            if lang == "fa" and user in (None, "demo-firm", "demo-analyst"):
                # The same session at phone width.
                page.set_viewport_size({"width": 390, "height": 844})
                for path in _PHONE[user]:
                    page.goto(base + path)
                    failures.extend(f"{who} phone {path}: {p}" for p in a11y_problems(page))
            context.close()
    assert failures == [], "\n".join(failures)


_PHONE = {None: ["/top100/"], "demo-analyst": ["/analyst/ranking/"], "demo-firm": ["/my-firm/"]}


def _preview_problems(page: Page) -> list[str]:
    """The new-methodology page after a preview (the first pillar's weight doubled)."""
    page.locator("#methodology-form input[inputmode=decimal]").first.fill("۲")
    with page.expect_navigation():
        page.locator("button[name=action][value=preview]").click()
    expect(page.locator("#preview-title")).to_be_visible()
    return a11y_problems(page)
