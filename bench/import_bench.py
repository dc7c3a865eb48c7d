"""Benchmark: the upload pipeline on PostgreSQL, validation and commit timed apart.

Issue target: a 100,000-row CSV validated in at most 20 s and committed in at most 20 s more
on PostgreSQL; a 10,000-row XLSX in at most 15 s end to end.

    .venv/bin/python bench/import_bench.py [--csv-firms 50000 --csv-years 2] [--xlsx-rows 10000]
        [--repeat 2] [--pg postgres://postgres@127.0.0.1:5432] [--json out.json]

Files (generated once, seeded): a CSV of `csv-firms` distinct firms x `csv-years` years
(default 50,000 x 2 = 100,000 rows, UTF-8 with BOM, Persian headers, Persian names, valid
legal ids, ISIC classes from the fixture, 30 % of sales with thousands separators, 20 % of
employee counts in Persian digits, certifications, yes/no in Persian); the same CSV with 10 %
of its rows' figures changed (a re-upload: every row exists, the commit updates); a 10,000-row
XLSX (5,000 firms x 2 years, numbers typed as numbers) for another park.

Each repetition uses a fresh database `smerank_bench_import` (dropped, created, migrated),
a park per file and a park-manager user, then in one fresh process per scenario:

- validate = `firms.imports.import_job_create` (store the file, audit) + `import_job_validate`
  (parse, compare with the database, build the preview); must end READY;
- commit = `import_job_commit` (re-parse, lock, diff, upsert firms and firm-years, audit);
- recompute (the new-data CSV only) = `rankings.services.ranking_recompute` of each year
  of the file, run afterwards and reported on its own line.

Celery is eager without REDIS_URL; the child turns eager mode off (memory broker, no
worker), so the `delay_on_commit` of the upload and the recompute message the commit sends
(`rankings.services.data_changed` -> `recompute_task.delay`) are queued and never run: they
are not in the validate or commit time. Per phase: wall (`perf_counter`), the process's CPU
time, the PostgreSQL backend's CPU time (/proc/<pid>/stat of `pg_backend_pid()`) and the
process's peak RSS (VmHWM) after the phase.

`--profile`: afterwards, on a fresh database, one more validate + commit of the new-data CSV
with cProfile and timers around each step of `import_job_commit` (parse, load current rows,
diff, the two upserts, the COMMIT) - where the commit's time goes.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import django_backend_pid, machine, peak_mb, pg_recreate, proc_cpu  # noqa: E402

DB_NAME = "smerank_bench_import"
TARGETS = {"csv_validate": 20.0, "csv_commit": 20.0, "xlsx_total": 15.0}
YEAR_LAST = 1403

WORDS = ("صنایع", "فولاد", "پارس", "کیمیا", "نوین", "البرز", "سپاهان", "تولیدی", "گستر",
         "فرآورده", "غذایی", "کاشی", "شیمی", "پلاستیک", "ماشین‌سازی", "نساجی")  # fmt: skip
LATIN = ("Sanaye", "Foolad", "Pars", "Kimia", "Novin", "Alborz", "Sepahan", "Toolidi", "Gostar",
         "Faravardeh", "Ghazaei", "Kashi", "Shimi", "Plastic", "Mashinsazi", "Nasaji")  # fmt: skip
CERTS = ("ISO9001", "ISO14001", "HACCP", "CE", "INSO", "GMP")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


# --- files --------------------------------------------------------------------------------


def make_ids(count: int, rng: random.Random) -> list[str]:
    from firms.national_id import legal_id_generate

    ids: dict[str, None] = {}
    while len(ids) < count:
        ids[legal_id_generate(rng)] = None
    return list(ids)


def make_rows(ids: list[str], years: int, rng: random.Random) -> list[dict[str, Any]]:
    """One row per (firm, year), figures as plain ints (rendered per file type later)."""
    from firms.parsing.__main__ import DEFAULT_ISIC, load_isic

    isic = sorted(load_isic(DEFAULT_ISIC))
    rows = []
    for national_id in ids:
        a, b = rng.randrange(len(WORDS)), rng.randrange(len(WORDS))
        firm = {
            "national_id": national_id,
            "name_fa": f"شرکت {WORDS[a]} {WORDS[b]}",
            "name_en": f"{LATIN[a]} {LATIN[b]}" if rng.random() < 0.6 else "",
            "isic": rng.choice(isic),
            "knowledge_based": rng.random() < 0.1,
            "founded_year": rng.randrange(1350, 1398),
        }
        employees = rng.randrange(5, 250)
        sales = rng.randrange(1_000, 5_000_000)
        for year in range(YEAR_LAST - years + 1, YEAR_LAST + 1):
            employees = max(1, int(employees * rng.uniform(0.9, 1.2)))
            sales = int(sales * rng.uniform(1.0, 1.6))
            rows.append(
                {
                    **firm,
                    "year": year,
                    "employees": employees,
                    "sales": sales,
                    "exports": rng.randrange(0, sales // 2) if rng.random() < 0.3 else 0,
                    "export_countries": rng.randrange(0, 12),
                    "rd_spend": rng.randrange(0, sales // 20 + 1),
                    "net_profit": rng.randrange(-sales // 10, sales // 5),
                    "total_assets": rng.randrange(sales, sales * 3),
                    "total_debt": rng.randrange(0, sales),
                    "certifications": ";".join(rng.sample(CERTS, rng.randrange(0, 3))),
                    "new_products": rng.randrange(0, 6),
                    "tech_level": rng.randrange(0, 6),
                }
            )
    return rows


def changed(rows: list[dict[str, Any]], share: float, rng: random.Random) -> list[dict[str, Any]]:
    """A re-upload: the same rows, `share` of them with corrected figures."""
    out = []
    for row in rows:
        row = dict(row)
        if rng.random() < share:
            row["employees"] += rng.randrange(1, 10)
            row["sales"] = int(row["sales"] * 1.05) + 1
            row["new_products"] = (row["new_products"] + 1) % 6
        out.append(row)
    return out


def render_csv(rows: list[dict[str, Any]], rng: random.Random) -> bytes:
    from firms.parsing import COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header_fa for c in COLUMNS])
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column.key]
            if column.key == "knowledge_based":
                text = "بله" if value else "خیر"
            elif column.key == "sales" and rng.random() < 0.3:
                text = f"{value:,}"
            elif column.key == "employees" and rng.random() < 0.2:
                text = str(value).translate(PERSIAN)
            else:
                text = str(value)
            cells.append(text)
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    from firms.parsing import COLUMNS

    workbook = Workbook()  # not write-only: writes <dimension>, as Excel does
    sheet = workbook.active
    sheet.title = "داده‌ها"
    sheet.append([c.header_fa for c in COLUMNS])
    for row in rows:
        sheet.append(
            [
                ("بله" if row[c.key] else "خیر") if c.key == "knowledge_based" else row[c.key]
                for c in COLUMNS
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- child: one scenario in a fresh process -----------------------------------------------


def _django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "smerank.settings"
    import django

    django.setup()
    from smerank.celery import app

    # Memory broker, no worker: queued tasks (validation on commit of the upload, the
    # recompute after the data commit) never run, so each timed call is its own work only.
    app.conf.task_always_eager = False


class Phase:
    """Wall, client CPU, backend CPU and peak RSS of one block."""

    def __init__(self, name: str, out: dict[str, Any]) -> None:
        self.name, self.out = name, out

    def __enter__(self) -> Phase:
        from django.db import connection

        connection.ensure_connection()
        self.pid = django_backend_pid()
        self.backend = proc_cpu(self.pid) or 0.0
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        self.load = os.getloadavg()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        self.out[self.name] = {
            "wall": wall,
            "cpu": cpu,
            "backend_cpu": (proc_cpu(self.pid) or 0.0) - self.backend,
            "peak_mb": peak_mb(),
            "load": (self.load + os.getloadavg()[0]) / 2,
        }


def child_setup(parks: list[str]) -> dict[str, Any]:
    _django()
    from firms.models import Park, Province
    from firms.services import user_with_role_ensure

    province = Province.objects.order_by("code").first()
    for code in parks:
        park, _ = Park.objects.get_or_create(
            code=code,
            defaults={"name_fa": f"شهرک {code}", "name_en": f"Park {code}", "province": province},
        )
        user_with_role_ensure(
            username=f"bench-{code.lower()}", password="bench-password-1", role="park_manager",
            park=park,
        )  # fmt: skip
    return {"parks": parks}


def child_scenario(path: str, park_code: str, recompute: bool) -> dict[str, Any]:
    _django()
    from django.contrib.auth.models import User
    from django.utils import translation

    from firms.imports import import_job_commit, import_job_create, import_job_validate
    from firms.models import FirmYear, ImportJob, Park

    out: dict[str, Any] = {"base_mb": peak_mb()}
    data = Path(path).read_bytes()
    park = Park.objects.get(code=park_code)
    user = User.objects.get(username=f"bench-{park_code.lower()}")
    with translation.override("fa"):  # as the task does
        with Phase("create", out):
            job = import_job_create(park=park, uploader=user, stream=io.BytesIO(data), name=path)
        with Phase("validate", out):
            validated = import_job_validate(job_id=job.pk)
        assert validated is not None and validated.status == ImportJob.Status.READY, validated and (
            validated.status,
            validated.errors[:3],
        )
        out["rows"] = validated.rows_total
        out["preview"] = {
            k: getattr(validated, k)
            for k in ("firms_new", "years_new", "years_changed", "years_unchanged")
        }
        with Phase("commit", out):
            committed = import_job_commit(job=validated, user=user)
        assert committed.status == ImportJob.Status.COMMITTED, committed.status
    years = sorted(
        FirmYear.objects.filter(source_import=committed)
        .order_by("year")
        .values_list("year", flat=True)
        .distinct()
    )
    out["firm_years_from_file"] = FirmYear.objects.filter(source_import=committed).count()
    if recompute:
        from rankings.services import ranking_recompute

        with Phase("recompute", out):
            runs = [ranking_recompute(year=year) for year in years]
        out["recompute_years"] = years
        out["recompute_firms"] = [run.firm_count if run else None for run in runs]
    return out


def child_profile(path: str, park_code: str) -> dict[str, Any]:
    """Validate then commit `path` with cProfile and per-step timers (see --profile)."""
    import cProfile
    import pstats
    from collections import defaultdict

    _django()
    from django.contrib.auth.models import User
    from django.db import connection, connections

    from firms import imports, imports_write, services
    from firms.models import Park

    steps: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])

    def timed(owner: Any, name: str, label: str | None = None) -> None:
        original = getattr(owner, name)

        def inner(*a: Any, **k: Any) -> Any:
            w, c = time.perf_counter(), time.process_time()
            try:
                return original(*a, **k)
            finally:
                entry = steps[label or name]
                entry[0] += 1
                entry[1] += time.perf_counter() - w
                entry[2] += time.process_time() - c

        setattr(owner, name, inner)

    for name in ("_parse", "_current", "_other_park_errors", "import_diff", "firms_upsert",
                 "firm_years_upsert", "audit_record", "_park_lock"):  # fmt: skip
        timed(imports, name)
    timed(services, "firm_years_changed")
    timed(imports_write, "frame_upsert", "  frame_upsert: COPY + INSERT ... SELECT (both upserts)")
    timed(type(connections["default"]), "_commit", "COMMIT (deferred FK checks, WAL flush)")

    def sql_wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        w = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = steps["  Django cursor.execute (all other SQL)"]
            entry[0] += 1
            entry[1] += time.perf_counter() - w

    park = Park.objects.get(code=park_code)
    user = User.objects.get(username=f"bench-{park_code.lower()}")
    data = Path(path).read_bytes()
    job = imports.import_job_create(park=park, uploader=user, stream=io.BytesIO(data), name=path)
    job = imports.import_job_validate(job_id=job.pk)
    steps.clear()
    pid = django_backend_pid()
    backend = proc_cpu(pid) or 0.0
    profiler = cProfile.Profile()
    w, c = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(sql_wrapper):
        profiler.enable()
        imports.import_job_commit(job=job, user=user)
        profiler.disable()
    w, c = time.perf_counter() - w, time.process_time() - c
    text = io.StringIO()
    text.write(
        f"import_job_commit under cProfile: wall {w:.1f} s, client CPU {c:.1f} s,"
        f" backend CPU {(proc_cpu(pid) or 0.0) - backend:.1f} s, load {os.getloadavg()[0]:.1f}\n"
        "step: calls, wall, client CPU\n"
    )
    for name, (calls, wall, cpu) in sorted(steps.items(), key=lambda kv: -kv[1][1]):
        text.write(f"  {name:<45} {calls:5d} {wall:7.2f} s {cpu:7.2f} s\n")
    text.write("\ncProfile by tottime:\n")
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(20)
    text.write("cProfile cumulative:\n")
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
    return {"profile": text.getvalue()}


def _run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        sys.stderr.write(done.stdout[-5000:] + done.stderr[-5000:])
        raise SystemExit(f"child {args} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- parent -------------------------------------------------------------------------------


def fresh_database(base: str, env: dict[str, str]) -> float:
    pg_recreate(base, DB_NAME)
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-firms", type=int, default=50_000)
    parser.add_argument("--csv-years", type=int, default=2)
    parser.add_argument("--xlsx-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--profile", action="store_true", help="then profile one commit of the new-data CSV"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "setup":
            result = child_setup(rest)
        elif kind == "profile":
            result = child_profile(rest[0], rest[1])
        else:
            result = child_scenario(rest[0], rest[1], rest[2] == "recompute")
        print(json.dumps(result))
        return

    host = machine(args.pg)
    print(json.dumps(host), flush=True)
    rng = random.Random(20240601)
    csv_ids = make_ids(args.csv_firms + args.xlsx_rows // 2, rng)
    xlsx_ids = csv_ids[args.csv_firms :]
    csv_rows = make_rows(csv_ids[: args.csv_firms], args.csv_years, rng)
    xlsx_rows = make_rows(xlsx_ids, 2, rng)[: args.xlsx_rows]
    with tempfile.TemporaryDirectory(prefix="import_bench_") as folder:
        files = {
            "csv_new": Path(folder) / "firms.csv",
            "csv_update": Path(folder) / "firms_corrected.csv",
            "xlsx_new": Path(folder) / "firms.xlsx",
        }
        files["csv_new"].write_bytes(render_csv(csv_rows, random.Random(1)))
        files["csv_update"].write_bytes(render_csv(changed(csv_rows, 0.1, rng), random.Random(2)))
        files["xlsx_new"].write_bytes(render_xlsx(xlsx_rows))
        sizes = {k: p.stat().st_size / 2**20 for k, p in files.items()}
        print(json.dumps({"rows": {"csv": len(csv_rows), "xlsx": len(xlsx_rows)}, "mb": sizes}))
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env["DATABASE_URL"] = urlparse(args.pg)._replace(path="/" + DB_NAME).geturl()
        env["MEDIA_ROOT"] = str(Path(folder) / "media")
        env["LOG_LEVEL"] = "WARNING"
        runs = []
        for rep in range(args.repeat):
            migrate = fresh_database(args.pg, env)
            _run_child(["setup", "BENCH-CSV", "BENCH-XLSX"], env)
            scenarios = [
                ("csv_new", "BENCH-CSV", "recompute"),
                ("csv_update", "BENCH-CSV", "-"),
                ("xlsx_new", "BENCH-XLSX", "-"),
            ]
            for name, park, recompute in scenarios:
                result = _run_child(["run", str(files[name]), park, recompute], env)
                result.update(scenario=name, rep=rep + 1, migrate=migrate, mb=sizes[name])
                runs.append(result)
                print(json.dumps(result), flush=True)
        profile = None
        if args.profile:
            fresh_database(args.pg, env)
            _run_child(["setup", "BENCH-CSV", "BENCH-XLSX"], env)
            profile = _run_child(["profile", str(files["csv_new"]), "BENCH-CSV"], env)["profile"]
    if args.json:
        args.json.write_text(json.dumps({"machine": host, "runs": runs}, indent=1))
    print(table(runs))
    if profile:
        print(f"--- profile of one commit ---\n{profile}")


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| file | run | rows | validate (create + validate) | commit | end to end | recompute"
        " (separate) | peak RSS after validate / commit |",
        "|---|---:|---:|---|---|---:|---|---|",
    ]

    def cell(phase: dict[str, Any] | None) -> str:
        if phase is None:
            return "-"
        return (
            f"**{phase['wall']:.1f} s** (CPU {phase['cpu']:.1f} + PG {phase['backend_cpu']:.1f} s,"
            f" load {phase['load']:.1f})"
        )

    for r in runs:
        validate = {
            k: r["create"][k] + r["validate"][k] for k in ("wall", "cpu", "backend_cpu")
        } | {"load": r["validate"]["load"]}
        total = validate["wall"] + r["commit"]["wall"]
        lines.append(
            f"| {r['scenario']} | {r['rep']} | {r['rows']:,} | {cell(validate)} | {cell(r['commit'])}"
            f" | {total:.1f} s | {cell(r.get('recompute'))}"
            f" | {r['validate']['peak_mb']:.0f} / {r['commit']['peak_mb']:.0f} MB |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
