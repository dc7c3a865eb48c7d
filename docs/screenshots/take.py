"""Take the README screenshots: every main page, in Persian and in English.

    .venv/bin/python docs/screenshots/take.py              # everything (about 4 minutes)
    .venv/bin/python docs/screenshots/take.py --only home,top100
    .venv/bin/python docs/screenshots/take.py --workdir /tmp/shots --serve   # browse it

It builds a throw-away SQLite database (DATABASE_URL), migrates it, seeds about 5,000 demo
firms, recomputes the ranking, publishes an edition, uploads two files as the park manager
(one with errors, one ready to confirm), starts `manage.py runserver` on a free port and
signs in as each demo user with Playwright driving Debian's Chromium (/usr/bin/chromium).
Pages are saved as full-page PNGs, 1280 px wide (390 px for the phone shots), as
`<page>-fa.png` and `<page>-en.png` next to this script. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
PYTHON = sys.executable
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "smerank-demo"  # noqa: S105 - the demo users' documented password
FIRMS = 5000
MAX_BYTES = 400 * 1024
CLIP_HEIGHT = 2000
LANGS = ("fa", "en")


@dataclass
class Shot:
    name: str
    path: str  # a URL path, or "" when `action` navigates
    user: str | None  # demo user to sign in as (None: anonymous)
    action: Callable | None = None  # runs after the page loads (fill, click, wait)
    phone: bool = False
    wait_for: str | None = None  # a selector that must be visible (charts, maps)
    focus: str | None = None  # start the picture here (a part far down a long page)
    langs: tuple[str, ...] = LANGS
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- setup


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("REDIS_URL", "DATABASE_URL"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        # runserver serves static files from the source folders (no collectstatic).
        DEBUG="true",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DJANGO_SETTINGS_MODULE="smerank.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603
    shown = " ".join(args[:2]) if args[0] == "shell" else " ".join(args)
    print(f"  manage.py {shown}: {time.perf_counter() - started:.1f} s", flush=True)


def prepare(workdir: Path) -> dict[str, str]:
    """Migrate, seed, recompute (the seed does it, tasks run in-process), publish."""
    env = _env(workdir)
    if (workdir / "db.sqlite3").exists():
        print(f"reusing the database in {workdir}")
        return env
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"building the demo database in {workdir}")
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "seed_demo", "--firms", str(FIRMS), "--password", PASSWORD)
    # seed_demo publishes the last year itself (in-process tasks); this covers the rest.
    code = (
        "from rankings.models import Edition, YearState\n"
        "from rankings.services import edition_publish, ranking_recompute\n"
        "from django.contrib.auth.models import User\n"
        "for state in YearState.objects.order_by('year'):\n"
        "    ranking_recompute(year=state.year)\n"
        "state = YearState.objects.order_by('-year').first()\n"
        "if not Edition.objects.filter(year=state.year).exists():\n"
        "    edition_publish(run=state.current_run, title=f'SME100 {state.year}',"
        " user=User.objects.get(username='demo-analyst'))\n"
        # seed_demo gives demo-firm the park's first firm by id, which may be too small to
        # be ranked; the my-firm shots show a ranked firm just outside the top 100 instead.
        "from firms.models import ParkManager\n"
        "from firms.services import user_with_role_ensure\n"
        "park = ParkManager.objects.get(user__username='demo-manager').park\n"
        "score = state.current_run.scores.filter(firm__park=park, rank__gt=100)"
        ".order_by('rank').first()\n"
        "if score:\n"
        f"    user_with_role_ensure(username='demo-firm', password='{PASSWORD}', role='firm',"
        " firm=score.firm)\n"
    )
    _manage(env, "shell", "-c", code)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(env: dict[str, str], workdir: Path) -> Iterator[str]:
    port = _free_port()
    log = open(workdir / "runserver.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(  # noqa: S603 - our own manage.py
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310 - local
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"runserver did not start; see {workdir / 'runserver.log'}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


# --------------------------------------------------------------------------- data files


def _facts(env: dict[str, str]) -> dict[str, str]:
    """Ids the pages need: a top firm, a cluster, the manager's park and its firms' rows."""
    code = (
        "import json\n"
        "from firms.models import Firm, FirmYear, ParkManager\n"
        "from rankings.models import YearState\n"
        "from clusters.models import ClusterProfile\n"
        "state = YearState.objects.order_by('-year').first()\n"
        "run = state.current_run\n"
        "top = run.scores.filter(rank__isnull=False).order_by('rank').first()\n"
        "profile = ClusterProfile.objects.filter(run=run, cluster__kind='official')"
        ".order_by('-members').first() or ClusterProfile.objects.filter(run=run)"
        ".order_by('-members').first()\n"
        "park = ParkManager.objects.get(user__username='demo-manager').park\n"
        "rows = list(FirmYear.objects.filter(firm__park=park, year=state.year)"
        ".select_related('firm').order_by('firm__national_id')[:12])\n"
        "keys = ['year', 'employees', 'sales', 'exports', 'export_countries', 'rd_spend',"
        " 'net_profit', 'total_assets', 'total_debt', 'certifications', 'new_products',"
        " 'tech_level']\n"
        "def record(r):\n"
        "    f = r.firm\n"
        "    out = {k: getattr(r, k) for k in keys}\n"
        "    out = {k: ('' if v is None else v) for k, v in out.items()}\n"
        "    out.update(national_id=f.national_id, name_fa=f.name_fa, name_en=f.name_en,"
        " isic=f.isic.code, founded_year=f.founded_year or '',"
        " knowledge_based='بله' if f.knowledge_based else 'خیر')\n"
        "    return out\n"
        "print(json.dumps({'year': state.year, 'top_firm': top.firm_id,"
        " 'cluster': profile.cluster_id if profile else None,"
        " 'rows': [record(r) for r in rows]}))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import json

    return json.loads(out.strip().splitlines()[-1])


def _csv(rows: list[dict[str, object]]) -> bytes:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smerank.settings")
    from firms.parsing import COLUMNS  # pure module: no database

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header_fa for c in COLUMNS])
    for r in rows:
        writer.writerow([str(r.get(c.key, "")) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def upload_files(facts: dict) -> tuple[bytes, bytes]:
    """A good file (changed figures for the park's firms, one new firm) and a bad one."""
    year = facts["year"]
    good = []
    # Every column as stored, so only the figures changed here show in the preview.
    for i, r in enumerate(facts["rows"][:10]):
        changed = {"sales": round(r["sales"] * 1.12)} if i % 2 else {}
        if i % 3 == 0:
            changed["employees"] = r["employees"] + 3
        good.append({**r, **changed})
    good.append(
        {
            "national_id": "10380284790",
            "name_fa": "شرکت نمونه صنعت",
            "name_en": "Nemooneh Sanat",
            "isic": "1079",
            "year": year,
            "employees": 45,
            "sales": 125000,
            "exports": 20000,
            "export_countries": 3,
            "tech_level": 3,
            "knowledge_based": "بله",
            "founded_year": 1385,
        }
    )
    first = facts["rows"][0]
    bad = [
        {**first, "national_id": "10380284791"},  # wrong check digit
        {**first, "isic": "9999"},  # not an ISIC class
        {**first, "national_id": facts["rows"][1]["national_id"], "employees": "-4"},
        {**first, "national_id": facts["rows"][2]["national_id"], "year": "1520"},
        {**first, "national_id": facts["rows"][3]["national_id"], "sales": "دوازده"},
    ]
    return _csv(good), _csv(bad)


# --------------------------------------------------------------------------- browser


def login(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def upload(page, base: str, name: str, data: bytes) -> str:
    page.goto(base + "/imports/")
    page.set_input_files("input[type=file]", {"name": name, "mimeType": "text/csv", "buffer": data})
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/imports/*/")
    page.wait_for_function(
        "(() => { const b = document.querySelector('[data-testid=job-status]');"
        " return b && !['uploaded','validating','committing'].includes(b.dataset.status); })()",
        timeout=60_000,
    )
    return page.url.removeprefix(base)


def preview_methodology(page) -> None:
    """Double the weight of the first pillar and preview the new top list."""
    first = page.locator("#methodology-form input[inputmode=decimal]").first
    first.fill("2")
    with page.expect_navigation():
        page.click("button[name=action][value=preview]")
    page.wait_for_selector("#preview-title", timeout=60_000)


def save(page, path: Path, *, phone: bool, focus: str | None = None) -> str:
    """A full-page PNG; a long page is cut to its first 2,000 px (less if still too big),
    or to the part that starts at `focus`."""
    width = 390 if phone else 1280
    top = 0
    if focus:
        box = page.locator(focus).first.bounding_box()
        scroll = page.evaluate("window.scrollY")
        top = max(0, int(box["y"] + scroll) - 100) if box else 0
    if top:
        height = page.evaluate("document.documentElement.scrollHeight") - top
        clip = {"x": 0, "y": top, "width": width, "height": min(height, CLIP_HEIGHT)}
        page.screenshot(path=str(path), full_page=True, type="png", clip=clip)
        note = f" (from {focus})"
    else:
        page.screenshot(path=str(path), full_page=True, type="png")
        note = ""
    for height in (CLIP_HEIGHT, 1600, 1300, 1000):
        if path.stat().st_size <= MAX_BYTES:
            break
        page.screenshot(
            path=str(path),
            full_page=True,
            type="png",
            clip={"x": 0, "y": top, "width": width, "height": height},
        )
        note = f" (clipped to {height} px{' from ' + focus if focus else ''})"
    return f"{path.name}: {path.stat().st_size // 1024} KB{note}"


def settle(page, wait_for: str | None) -> None:
    page.wait_for_load_state("networkidle")
    if wait_for:
        page.wait_for_selector(wait_for, state="attached", timeout=20_000)
    # Fonts and chart animations.
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(700)


def shots(facts: dict, jobs: dict[str, str]) -> list[Shot]:
    chart = "svg"
    return [
        Shot("home", "/", None),
        Shot("top100", "/top100/", None),
        Shot("methodology", "/methodology/", None),
        Shot("login", "/accounts/login/", None),
        Shot("dashboard", "/analyst/", "demo-analyst", wait_for=f"#main {chart}"),
        Shot("ranking", "/analyst/ranking/", "demo-analyst"),
        Shot(
            "firm-profile",
            f"/firms/{facts['top_firm']}/",
            "demo-analyst",
            wait_for=f"#chart-pillars {chart}",
        ),
        Shot("map", "/analyst/map/", "demo-analyst", wait_for=".leaflet-interactive"),
        Shot("methodology-versions", "/analyst/methodology/", "demo-analyst"),
        Shot("methodology-new", "/analyst/methodology/new/", "demo-analyst"),
        Shot(
            "methodology-preview",
            "/analyst/methodology/new/",
            "demo-analyst",
            action=preview_methodology,
            focus="#preview-title",
        ),
        Shot("runs", "/analyst/runs/", "demo-analyst"),
        Shot("audit-log", "/analyst/audit/", "demo-analyst"),
        Shot("clusters", "/clusters/", "demo-analyst"),
        Shot(
            "cluster-detail",
            f"/clusters/{facts['cluster']}/" if facts.get("cluster") else "",
            "demo-analyst",
        ),
        Shot("cluster-map", "/clusters/map/", "demo-analyst", wait_for=".leaflet-interactive"),
        Shot("shortfalls", "/shortfalls/", "demo-analyst"),
        Shot("park-dashboard", "/park/", "demo-manager"),
        Shot("upload", "/imports/", "demo-manager"),
        Shot("import-errors", jobs["bad"], "demo-manager"),
        Shot("import-preview", jobs["good"], "demo-manager"),
        Shot("my-firm", "/my-firm/", "demo-firm", wait_for=f"#chart-pillars {chart}"),
        Shot("top100-phone", "/top100/", None, phone=True),
        Shot(
            "my-firm-phone",
            "/my-firm/",
            "demo-firm",
            phone=True,
            wait_for=f"#chart-pillars {chart}",
        ),
    ]


def take(base: str, env: dict[str, str], only: set[str] | None) -> list[str]:
    from playwright.sync_api import sync_playwright

    facts = _facts(env)
    good, bad = upload_files(facts)
    report = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )

        def context(lang: str, *, phone: bool = False):
            ctx = browser.new_context(
                locale="en-US",
                viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
                device_scale_factor=1,
                is_mobile=phone,
                has_touch=phone,
            )
            ctx.add_cookies([{"name": "django_language", "value": lang, "url": base}])
            return ctx

        # The manager uploads both files once (Persian session); the pages are then shared.
        ctx = context("fa")
        page = ctx.new_page()
        login(page, base, "demo-manager")
        jobs = {
            "bad": upload(page, base, "park-data-errors.csv", bad),
            "good": upload(page, base, "park-data-1403.csv", good),
        }
        ctx.close()

        errors: list[str] = []
        current = {"name": ""}
        saved = 0
        for lang in LANGS:
            sessions: dict[tuple[str | None, bool], object] = {}
            for shot in shots(facts, jobs):
                if only and shot.name not in only:
                    continue
                if not shot.path:
                    report.append(f"{shot.name}: skipped (no such page in this build)")
                    continue
                key = (shot.user, shot.phone)
                if key not in sessions:
                    ctx = context(lang, phone=shot.phone)
                    page = ctx.new_page()
                    page.on(
                        "console",
                        lambda m, lang=lang: (
                            errors.append(f"{current['name']}-{lang}: {m.text}")
                            if m.type == "error"
                            else None
                        ),
                    )
                    if shot.user:
                        login(page, base, shot.user)
                    sessions[key] = page
                page = sessions[key]
                current["name"] = shot.name
                response = page.goto(base + shot.path)
                if response is None or response.status >= 400:
                    report.append(f"{shot.name}-{lang}: HTTP {response and response.status}")
                    continue
                settle(page, shot.wait_for)
                if shot.action:
                    shot.action(page)
                    settle(page, shot.wait_for)
                current["name"] = shot.name
                line = save(
                    page, OUT / f"{shot.name}-{lang}.png", phone=shot.phone, focus=shot.focus
                )
                print("  " + line, flush=True)
                saved += 1
            for page in sessions.values():
                page.context.close()
        browser.close()
    report.insert(0, f"{saved} screenshots in {OUT.relative_to(ROOT)}")
    if errors:
        report.append("console errors:")
        report.extend(f"  {e}" for e in errors)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="keep (or reuse) the database here")
    parser.add_argument("--only", help="comma-separated page names, e.g. home,top100")
    parser.add_argument("--serve", action="store_true", help="only serve the demo site")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="smerank-shots-"))
    try:
        env = prepare(workdir)
        with server(env, workdir) as base:
            if args.serve:
                print(f"serving {base} (demo users, password {PASSWORD!r}); Ctrl-C stops")
                with contextlib.suppress(KeyboardInterrupt):
                    while True:
                        time.sleep(1)
                return
            only = set(args.only.split(",")) if args.only else None
            for line in take(base, env, only):
                print(line)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
