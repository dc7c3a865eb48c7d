"""Benchmark: end-to-end recompute of one fiscal year on PostgreSQL.

Times `rankings.services.ranking_recompute(year=1403)`: take the year's lock, load the
figures and firms, compute the index and ranks, prepare the clusters, COPY the scores,
switch the pointer, commit. Best of 3 (after one untimed warm-up run, so every timed run
has a previous run to compare ranks with), split with the run's own `timings`; peak RSS
of the measuring process. The budget (issue: reliability and performance) is 10 s for
100,000 firms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smerank \\
        .venv/bin/python bench/recompute_bench.py --firms 10000 100000 [--repeat 3]
        [--profile] [--check] [--out bench/recompute.md]

Each size gets its own database on that server, `smerank_bench_<firms>`, created,
migrated and seeded with `firms.demo` + `firms.services.demo_seed` (62 parks, two years)
the first time; seeding is not timed and later runs reuse the data. Tasks are not run:
REDIS_URL is unset and the in-memory broker has no worker, so the timed call does only
the recompute (the follow-up uncertainty analysis is a separate job).

`--profile` adds a cProfile of one more recompute of the largest size; `--check` exits 1
when the best end-to-end time of a size of 100,000 firms or more is over the budget.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
YEAR = 1403
BUDGET_SECONDS = 10.0
BUDGET_FIRMS = 100_000
PHASES = ["load", "compute", "clusters", "write"]
NOTES = "## Where the time goes"


# --- In the child processes (Django set up on the size's database) ----------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "smerank.settings"
    import django

    django.setup()
    from smerank.celery import app

    # The in-memory broker without a worker: enqueued tasks (the data-change message, the
    # follow-up analysis) are never run, so the timed call is the recompute alone.
    app.conf.task_always_eager = False


def prepare(firms: int) -> dict[str, Any]:
    """Migrate the database and seed `firms` demo firms (two years) unless already there."""
    _django()
    from django.core.management import call_command

    from firms import demo
    from firms.models import Firm, FirmYear, Province
    from firms.services import demo_seed, sector_classes_by_division

    call_command("migrate", verbosity=0)
    present = Firm.objects.count()
    if present == firms and FirmYear.objects.filter(year=YEAR).count() == firms:
        return {"seeded": False, "seconds": 0.0}
    if present:
        raise SystemExit(f"the bench database holds {present} firms, not {firms}: drop it")
    started = time.perf_counter()
    provinces = list(Province.objects.values("code", "capital_fa", "capital_en"))
    parks = demo.demo_parks(parks=62, provinces=provinces)
    frame = demo.demo_firms(
        firms=firms, parks=parks, classes_by_division=sector_classes_by_division()
    )
    years = demo.demo_years(firms=frame, years=2, last_year=YEAR)
    demo_seed(parks=parks, firms=frame, years=years)
    return {"seeded": True, "seconds": time.perf_counter() - started}


def measure(firms: int, repeat: int, profile: bool) -> dict[str, Any]:
    _django()
    import resource

    from django.db import connection, transaction
    from django.db.models import F
    from django.db.models.functions import Coalesce

    from firms.models import FirmYear
    from rankings.models import RankingRun, YearState
    from rankings.services import data_changed, ranking_recompute

    state = YearState.objects.filter(year=YEAR).first()
    if state and state.current_run_id:
        # Keep the table at one run's size, whatever earlier bench runs left behind.
        RankingRun.objects.filter(year=YEAR).exclude(pk=state.current_run_id).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    firm_ids = list(
        FirmYear.objects.filter(year=YEAR).order_by("firm_id").values_list("firm_id", flat=True)
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def server_cpu() -> float:
        """CPU seconds of our PostgreSQL backend so far (when the server is local)."""
        if not backend.exists():
            return float("nan")
        fields = backend.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def one_recompute(k: int) -> tuple[float, float, float, RankingRun]:
        # A real change (one firm's figure), or the fingerprint would skip the work.
        with transaction.atomic():
            FirmYear.objects.filter(firm_id=firm_ids[k % len(firm_ids)], year=YEAR).update(
                new_products=Coalesce(F("new_products"), 0) + 1
            )
            data_changed(years=[YEAR])
        wall, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
        run = ranking_recompute(year=YEAR)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        server = server_cpu() - server
        assert run is not None and run.firm_count == firms, run
        return wall, cpu, server, run

    one_recompute(0)  # warm-up: caches, and a previous run for the rank changes
    reps = []
    for k in range(1, repeat + 1):
        wall, cpu, server, run = one_recompute(k)
        reps.append(
            {"wall": wall, "cpu": cpu, "server": server, "timings": run.timings, "run": run.pk}
        )
        RankingRun.objects.filter(year=YEAR, pk__lt=run.pk).delete()
    result: dict[str, Any] = {
        "firms": firms,
        "reps": reps,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if profile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        one_recompute(repeat + 1)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        result["profile"] = out.getvalue()
    return result


# --- In the parent ---------------------------------------------------------------------


def _database_url(base: str, name: str) -> str:
    return urlparse(base)._replace(path="/" + name).geturl()


def _database_ensure(base: str, name: str) -> None:
    import psycopg2

    url = urlparse(base)
    conn = psycopg2.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _child(mode: str, firms: int, args: argparse.Namespace, base: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = _database_url(base, f"smerank_bench_{firms}")
    env.setdefault("LOG_LEVEL", "WARNING")
    command = [sys.executable, __file__, "--child", mode, "--firms", str(firms)]
    command += ["--repeat", str(args.repeat)] + (["--profile"] if args.profile else [])
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{mode} {firms} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine(base: str) -> dict[str, str]:
    import numpy
    import pandas
    import psycopg2

    cpu = "unknown"
    memory = "unknown"
    info = Path("/proc/cpuinfo")
    if info.exists():
        models = [
            line.split(":", 1)[1].strip()
            for line in info.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = models[0] if models else cpu
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = next(line for line in meminfo.read_text().splitlines() if "MemTotal" in line)
        memory = f"{int(total.split()[1]) / 1024**2:.1f} GiB"
    url = urlparse(base)
    conn = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username or "postgres", dbname="postgres"
    )
    with conn.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SHOW shared_buffers")
        postgres += f" (shared_buffers {cursor.fetchone()[0]})"
    conn.close()
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": memory,
        "postgres": postgres,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": f"numpy {numpy.__version__}, pandas {pandas.__version__}",
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _best(result: dict[str, Any]) -> dict[str, Any]:
    return min(result["reps"], key=lambda rep: rep["wall"])


def table(results: list[dict[str, Any]]) -> str:
    head = "| firms | load | compute | clusters | write | commit + switch | end to end |"
    head += " client CPU | server CPU | peak RSS |"
    lines = [head, "|" + "---:|" * 10]
    for result in results:
        best = _best(result)
        t = best["timings"]
        cells = [f"{result['firms']:,}"]
        cells += [f"{t[p]:.2f} s" if p in t else "-" for p in PHASES]
        cells += [f"{best['wall'] - t['total']:.2f} s", f"**{best['wall']:.2f} s**"]
        cells += [f"{best['cpu']:.2f} s", f"{best['server']:.2f} s"]
        cells += [f"{result['peak_rss_mb']:.0f} MB"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(results: list[dict[str, Any]], host: dict[str, str], args: argparse.Namespace) -> str:
    reps = "\n".join(
        f"- {r['firms']:,} firms: "
        + ", ".join(
            f"{rep['wall']:.2f} s (CPU {rep['cpu']:.2f} + {rep['server']:.2f} s)"
            for rep in r["reps"]
        )
        for r in results
    )
    verdicts = []
    for r in results:
        if r["firms"] >= BUDGET_FIRMS:
            best = _best(r)["wall"]
            ok = "within" if best <= BUDGET_SECONDS else "over"
            verdicts.append(
                f"{r['firms']:,} firms: {best:.2f} s, {ok} the {BUDGET_SECONDS:.0f} s budget"
            )
    text = f"""# Recompute benchmark

Goal: an end-to-end recompute of 100,000 firms on PostgreSQL (load, compute, bulk write
of the scores, switch) in at most {BUDGET_SECONDS:.0f} s.

Run it with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smerank \\
        .venv/bin/python bench/recompute_bench.py --firms {" ".join(str(r["firms"]) for r in results)}

## What is timed

`rankings.services.ranking_recompute(year={YEAR})` on a database of its own per size
(`smerank_bench_<firms>`), seeded once with `firms.demo` + `firms.services.demo_seed`
(62 parks, figures for {YEAR - 1} and {YEAR}; not timed). Before each timed run one
firm's figure changes (with `data_changed`, as an upload would), so the run is real work
and not the fingerprint shortcut. Best of {args.repeat}, after one untimed warm-up run.

- load: the figures of both years and the firms, one query each (COPY ... TO STDOUT).
- compute: indicators, eligibility, the index, ranks (`year_ranking_compute`).
- clusters: the cluster map and membership switched with the run.
- write: the run row, the previous ranks, every score (COPY), the cluster rows.
- commit + switch: end to end minus the run's own `total`: the pointer switch and the
  COMMIT (the WAL flush, and the deferred checks of the cluster rows' foreign keys).
- end to end: `time.perf_counter` around `ranking_recompute`, lock to commit.
- client CPU: `time.process_time` of the same call (this Python process).
- server CPU: user + system time of our PostgreSQL backend during the call, from
  `/proc/<pid>/stat` (the server is local). On a busy machine end to end exceeds client
  + server CPU by the time both spend waiting for a CPU; on an idle one it is about
  their sum, less what overlaps (PostgreSQL parses a COPY chunk while the next is built).
- peak RSS: `ru_maxrss` of the measuring process (warm-up included).

## Machine

- nproc: {host["nproc"]}; CPU: {host["cpu"]}; RAM: {host["ram"]}
- {host["postgres"]}, same machine (TCP on 127.0.0.1)
- {host["os"]}, Python {host["python"]}, {host["libraries"]}
- load average when the figures were taken (1/5/15 min): {host["load"]}

## Results (best of {args.repeat})

{table(results)}

Every timed run, end to end (client CPU + server CPU):

{reps}

{"; ".join(verdicts)}.
"""
    profiled = [r for r in results if r.get("profile")]
    if profiled:
        text += f"""
## Profile ({profiled[-1]["firms"]:,} firms, cProfile, cumulative)

```
{profiled[-1]["profile"].strip()}
```
"""
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown report here")
    parser.add_argument("--child", choices=["prepare", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "prepare":
        print(json.dumps(prepare(args.firms[0])))
        return
    if args.child == "measure":
        print(json.dumps(measure(args.firms[0], args.repeat, args.profile)))
        return

    base = os.environ.get("DATABASE_URL", "")
    if urlparse(base).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("set DATABASE_URL=postgres://user@host:port/db (the server to use)")
    results = []
    for firms in args.firms:
        _database_ensure(base, f"smerank_bench_{firms}")
        seeded = _child("prepare", firms, args, base)
        if seeded["seeded"]:
            print(f"seeded {firms:,} firms in {seeded['seconds']:.0f} s", file=sys.stderr)
        profile = args.profile and firms == max(args.firms)
        args_for = argparse.Namespace(**{**vars(args), "profile": profile})
        results.append(_child("measure", firms, args_for, base))
    host = machine(base)
    print(table(results))
    for r in results:
        walls = ", ".join(f"{rep['wall']:.2f} s" for rep in r["reps"])
        print(f"{r['firms']:,} firms: {walls}; load average {host['load']}")
    if args.out:
        # Hand-written notes (from NOTES on) survive a rerun; the rest is regenerated.
        kept = args.out.read_text() if args.out.exists() else ""
        notes = kept[kept.index(NOTES) :] if NOTES in kept else ""
        args.out.write_text(markdown(results, host, args) + ("\n" + notes if notes else ""))
    if args.check:
        over = [
            r for r in results if r["firms"] >= BUDGET_FIRMS and _best(r)["wall"] > BUDGET_SECONDS
        ]
        sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
