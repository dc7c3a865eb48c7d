"""Benchmark: page and API latency with 100,000 firms in PostgreSQL, 2 gunicorn workers.

Issue target: the top-100 page and the firm profile at p95 <= 200 ms and >= 100 requests/s
with 2 gunicorn workers on loopback.

    .venv/bin/python bench/web_bench.py [--firms 100000] [--duration 30] [--repeat 3]
        [--connections 16] [--port 8765] [--pg postgres://postgres@127.0.0.1:5432]
        [--profile] [--json out.json]

1. Database `smerank_bench_web` (created, migrated, seeded with `manage.py seed_demo
   --firms N --parks 62 --years 3 --no-recompute`, recomputed for 1403 and published as an
   edition) - reused as it is when it already holds N firms and an edition.
2. `gunicorn smerank.wsgi -w 2 -b 127.0.0.1:PORT` with DEBUG=false,
   STATICFILES_BACKEND=django.contrib.staticfiles.storage.StaticFilesStorage,
   DB_CONN_MAX_AGE=60, AXES_ENABLED=false; log in as demo-analyst by POSTing the login
   form (session cookie `sessionid`), an API token for the same user.
3. Per endpoint: one check request (must be 200), a 10 s wrk warm-up (discarded), then
   `--repeat` runs of `wrk -t2 -c16 -dDURATION --latency` with a Lua script whose done()
   prints req/s, p50/p90/p95/p99 and the non-2xx count. Around each run the CPU time of the
   two gunicorn workers and of their PostgreSQL backends is read from /proc, giving the
   server CPU per request (load-independent; 2 cores / that = the capacity of an idle box).
   wrk itself runs on the same 2 cores.

`--profile`: per endpoint, in-process with the Django test client on the same database:
queries per request (CaptureQueriesContext) and their time, and a cProfile of one warm
request.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import django_backend_pid, machine, pg_connect, proc_cpu  # noqa: E402

DB_NAME = "smerank_bench_web"
YEAR = 1403
PASSWORD = "smerank-demo"
P95_MS, RPS = 200.0, 100.0

LUA = r"""
done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50": %.2f, "p90": %.2f,'
    .. ' "p95": %.2f, "p99": %.2f, "max": %.2f, "mean": %.2f, "non2xx": %d, "errors": %d}\n',
    summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def django_env(base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DATABASE_URL=urlparse(base)._replace(path="/" + DB_NAME).geturl(),
        DEBUG="false",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DB_CONN_MAX_AGE="60",
        AXES_ENABLED="false",
        LOG_LEVEL="WARNING",
    )
    return env


# --- child: prepare the database, find the targets, profile --------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "smerank.settings"
    import django

    django.setup()


def child_prepare(firms: int) -> dict[str, Any]:
    """Seed, recompute and publish unless done; return what the load test needs."""
    _django()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from firms.models import Firm
    from rankings.models import Edition, FirmScore, YearState
    from rankings.services import edition_publish, ranking_recompute

    timings: dict[str, float] = {}
    call_command("migrate", verbosity=0)
    present = Firm.objects.count()
    if present not in (0, firms):
        raise SystemExit(f"{DB_NAME} holds {present} firms, not {firms}: drop it")
    if present == 0:
        started = time.perf_counter()
        call_command("seed_demo", firms=firms, parks=62, years=3, no_recompute=True, verbosity=0)
        timings["seed"] = time.perf_counter() - started
    state = YearState.objects.filter(year=YEAR).first()
    if state is None or state.current_run_id is None:
        from django.db import transaction

        from rankings.services import data_changed
        from smerank.celery import app

        app.conf.task_always_eager = False  # the follow-up analysis is not needed here

        with transaction.atomic():
            data_changed(years=[YEAR])
        started = time.perf_counter()
        ranking_recompute(year=YEAR)
        timings["recompute"] = time.perf_counter() - started
        state = YearState.objects.get(year=YEAR)
    run = state.current_run
    analyst = User.objects.get(username="demo-analyst")
    if not Edition.objects.filter(run=run).exists():
        edition_publish(run=run, title=f"Bench {YEAR}", user=analyst)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    token, _ = Token.objects.get_or_create(user=analyst)
    middle = max(1, (run.eligible_count or run.firm_count) // 2)
    firm_id = (
        FirmScore.objects.filter(run=run, rank__gte=middle)
        .order_by("rank")
        .values_list("firm_id", flat=True)
        .first()
    )
    return {
        "token": token.key,
        "firm_id": firm_id,
        "firm_rank": middle,
        "run": run.pk,
        "firms": Firm.objects.count(),
        "firm_count": run.firm_count,
        "eligible": run.eligible_count,
        "timings": timings,
    }


def child_profile(paths: list[str], token: str) -> dict[str, Any]:
    import cProfile
    import io
    import pstats

    _django()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    analyst = User.objects.get(username="demo-analyst")
    out: dict[str, Any] = {}
    for path in paths:
        client = Client()
        headers = {}
        if path.startswith("/api/"):
            headers["HTTP_AUTHORIZATION"] = f"Token {token}"
        elif not path.startswith("/top100"):
            client.force_login(analyst)
        for _ in range(3):  # warm: templates, translations, connection
            assert client.get(path, **headers).status_code == 200
        walls, cpus, backend = _timed_requests(client, path, headers, 20)
        with CaptureQueriesContext(connection) as queries:
            w = time.perf_counter()
            client.get(path, **headers)
            wall = time.perf_counter() - w
        # Read now: the next request's request_started signal resets the query log.
        captured = list(queries.captured_queries)
        top = sorted(captured, key=lambda q: -float(q["time"]))[:8]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            client.get(path, **headers)
        profiler.disable()
        text = io.StringIO()
        text.write("(cProfile over 20 requests)\n")
        stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
        stats.print_stats(r"work/main/(?!\.venv)|template/(base|loader_tags|defaulttags)", 40)
        tottime = io.StringIO()
        pstats.Stats(profiler, stream=tottime).sort_stats("tottime").print_stats(20)
        out[path] = {
            "median_wall_ms": sorted(walls)[len(walls) // 2] * 1000,
            "median_cpu_ms": sorted(cpus)[len(cpus) // 2] * 1000,
            "backend_cpu_ms": backend,
            "queries": len(captured),
            "query_ms": sum(float(q["time"]) for q in captured) * 1000,
            "wall_ms_captured": wall * 1000,
            "slowest": [(float(q["time"]) * 1000, q["sql"][:300]) for q in top],
            "cumulative": text.getvalue(),
            "tottime": tottime.getvalue(),
        }
    if "/top100/" in paths:
        # What if the top-100 table were cached (the fix proposed in bench/web.md)? The
        # page without its rows is that floor: the base template, the form, two queries.
        from rankings import selectors_browse

        original = selectors_browse.edition_public_rows
        selectors_browse.edition_public_rows = lambda **kwargs: []
        client = Client()
        for _ in range(3):
            client.get("/top100/")
        walls, cpus, backend = _timed_requests(client, "/top100/", {}, 20)
        selectors_browse.edition_public_rows = original
        out["/top100/ without its table (floor of the cached-table fix)"] = {
            "median_wall_ms": sorted(walls)[len(walls) // 2] * 1000,
            "median_cpu_ms": sorted(cpus)[len(cpus) // 2] * 1000,
            "backend_cpu_ms": backend,
        }
    return out


def _timed_requests(
    client: Any, path: str, headers: dict[str, str], count: int
) -> tuple[list[float], list[float], float]:
    """Wall and CPU time of each request, and the backend's CPU per request (ms)."""

    def backend_pid() -> int:
        return django_backend_pid()

    pid = backend_pid()
    before = proc_cpu(pid) or 0.0
    walls, cpus = [], []
    for _ in range(count):
        w, c = time.perf_counter(), time.process_time()
        assert client.get(path, **headers).status_code == 200
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    same = backend_pid() == pid
    backend = ((proc_cpu(pid) or 0.0) - before) / count * 1000 if same else float("nan")
    return walls, cpus, backend


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.stderr.write(done.stdout[-5000:] + done.stderr[-5000:])
        raise SystemExit(f"child {args[0]} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- parent: server, login, wrk --------------------------------------------------------------


def ensure_database(base: str) -> None:
    conn = pg_connect(base)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


class Server:
    def __init__(self, port: int, env: dict[str, str], log: Path, app: str) -> None:
        self.port, self.env, self.log, self.app = port, env, log, app

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), self.app, "-w", "2",
             "-b", f"127.0.0.1:{self.port}", "--error-logfile", "-",
             "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"),
            start_new_session=True,
        )  # fmt: skip
        import requests

        deadline = time.time() + 60
        while True:
            try:
                if requests.get(self.url("/healthz"), timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {self.log}")
            time.sleep(0.5)
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self) -> list[int]:
        """The worker processes (children of the gunicorn master)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
            if ppid == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def login(server: Server) -> tuple[str, str]:
    """POST the login form as demo-analyst; the session cookie's name and value."""
    import requests

    session = requests.Session()
    page = session.get(server.url("/accounts/login/"))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        server.url("/accounts/login/"),
        data={"username": "demo-analyst", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": server.url("/accounts/login/")},
        allow_redirects=False,
    )
    if done.status_code != 302:
        raise SystemExit(f"login failed: {done.status_code}")
    names = [c.name for c in session.cookies if "session" in c.name]
    name = names[0]
    return name, session.cookies[name]


def backend_pids(conn: Any) -> list[int]:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB_NAME],
        )
        return [row[0] for row in cursor.fetchall()]


class CpuSampler:
    """CPU time of the gunicorn workers and of the bench database's backends over a run,
    sampled every 0.25 s so that processes which end (a backend whose connection closes)
    or start (a new connection) during the run are counted: per pid, the last sample minus
    the sample at the start (0 for a pid started during the run)."""

    def __init__(self, server: Server, base: str) -> None:
        import threading

        self.server, self.conn = server, pg_connect(base)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}

    def _sample(self, initial: bool = False) -> None:
        pids = [("worker", p) for p in self.server.workers()]
        pids += [("db", p) for p in backend_pids(self.conn)]
        for key in pids:
            cpu = proc_cpu(key[1]) or 0.0
            if cpu <= 0.0:
                continue
            if initial:
                self.first[key] = cpu
            self.last[key] = max(cpu, self.last.get(key, 0.0))

    def _loop(self) -> None:
        while not self.stop.wait(0.25):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self._sample(initial=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self._sample()
        self.conn.close()

    def total(self, kind: str) -> float:
        return sum(
            cpu - self.first.get(key, 0.0) for key, cpu in self.last.items() if key[0] == kind
        )


def wrk(
    server: Server,
    path: str,
    headers: dict[str, str],
    seconds: int,
    connections: int,
    lua: Path,
    base: str,
) -> dict[str, Any]:
    # A 10 s timeout (wrk's default is 2 s): slower replies count in the percentiles
    # instead of dropping out of them as socket timeouts.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    command += ["-s", str(lua)]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    command.append(server.url(path))
    load0 = os.getloadavg()[0]
    with CpuSampler(server, base) as sampler:
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    load1 = os.getloadavg()[0]
    worker_cpu, db_cpu = sampler.total("worker"), sampler.total("db")
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    result = json.loads(line[len("WRKJSON ") :])
    result.update(
        connections=connections,
        worker_cpu=worker_cpu,
        db_cpu=db_cpu,
        cpu_ms_per_request=(worker_cpu + db_cpu) / max(result["requests"], 1) * 1000,
        load=(load0 + load1) / 2,
    )
    return result


def machine_with_wrk(base: str) -> dict[str, str]:
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return {**machine(base), "wrk": wrk_version.split("[")[0].strip()}


def table(results: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        "| endpoint | run | connections | req/s | p50 | p90 | p95 | p99 | non-2xx | timeouts"
        " | server CPU / request (workers + PG) | load (1 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for name, runs in results.items():
        for i, r in enumerate(runs):
            lines.append(
                f"| {name} | {i + 1} | {r['connections']} | {r['rps']:.1f} | {r['p50']:.0f} ms"
                f" | {r['p90']:.0f} ms | **{r['p95']:.0f} ms** | {r['p99']:.0f} ms | {r['non2xx']}"
                f" | {r['errors']} |"
                f" {r['cpu_ms_per_request']:.1f} ms ({r['worker_cpu'] / r['requests'] * 1000:.1f}"
                f" + {r['db_cpu'] / r['requests'] * 1000:.1f}) | {r['load']:.1f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--app",
        default="smerank.wsgi",
        help="the WSGI module gunicorn serves (to measure a patched copy; add it to PYTHONPATH)",
    )
    parser.add_argument(
        "--service-connections",
        type=int,
        default=2,
        help="then one run per endpoint with this many connections (0: none)",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--only", nargs="*", help="endpoint names to run (default: all)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "prepare":
            print(json.dumps(child_prepare(int(rest[0]))))
        else:
            print(json.dumps(child_profile(rest[1:], rest[0])))
        return

    host = machine_with_wrk(args.pg)
    print(json.dumps(host), flush=True)
    ensure_database(args.pg)
    env = django_env(args.pg)
    info = _child(["prepare", str(args.firms)], env)
    print(json.dumps(info), flush=True)
    endpoints = {
        "top100": ("/top100/", "public"),
        "analyst_ranking": ("/analyst/ranking/", "session"),
        "firm_profile": (f"/firms/{info['firm_id']}/", "session"),
        "api_current": ("/api/v1/rankings/current/?limit=100", "token"),
    }
    if args.only:
        endpoints = {k: v for k, v in endpoints.items() if k in args.only}
    results: dict[str, list[dict[str, Any]]] = {}
    service: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="web_bench_") as folder:
        lua = Path(folder) / "report.lua"
        lua.write_text(LUA)
        with Server(args.port, env, Path(folder) / "gunicorn.log", args.app) as server:
            import requests

            cookie_name, cookie = login(server)
            print(json.dumps({"session_cookie": cookie_name}), flush=True)
            for name, (path, auth) in endpoints.items():
                headers = {}
                if auth == "session":
                    headers["Cookie"] = f"{cookie_name}={cookie}"
                elif auth == "token":
                    headers["Authorization"] = f"Token {info['token']}"
                check = requests.get(server.url(path), headers=headers, allow_redirects=False)
                if check.status_code != 200:
                    raise SystemExit(f"{path}: {check.status_code}")
                size = len(check.content)
                wrk(server, path, headers, args.warmup, args.connections, lua, args.pg)
                results[name] = []
                for _ in range(args.repeat):
                    r = wrk(server, path, headers, args.duration, args.connections, lua, args.pg)
                    r.update(path=path, bytes=size)
                    results[name].append(r)
                    print(json.dumps({name: r}), flush=True)
                if args.service_connections:
                    # One connection per worker: no queueing, so the latency is the service
                    # time of one request (on this box, with its load).
                    r = wrk(
                        server, path, headers, args.duration, args.service_connections, lua,
                        args.pg,
                    )  # fmt: skip
                    r.update(path=path, bytes=size)
                    service[name] = r
                    print(json.dumps({f"{name} (c{args.service_connections})": r}), flush=True)
    print(table(results))
    if service:
        print(table({f"{k} (c{args.service_connections})": [v] for k, v in service.items()}))
    for name in ("top100", "firm_profile"):
        if name in results:
            best = max(results[name], key=lambda r: r["rps"])
            ok = best["p95"] <= P95_MS and best["rps"] >= RPS
            print(
                f"{name}: best run {best['rps']:.0f} req/s, p95 {best['p95']:.0f} ms -> "
                f"{'meets' if ok else 'MISSES'} p95 <= {P95_MS:.0f} ms and >= {RPS:.0f} req/s"
            )
    profile = None
    if args.profile:
        paths = [path for path, _ in endpoints.values()]
        profile = _child(["profile", info["token"], *paths], env)
        for path, p in profile.items():
            print(
                f"\n=== {path}: median {p['median_wall_ms']:.1f} ms wall, "
                f"{p['median_cpu_ms']:.1f} ms CPU + {p['backend_cpu_ms']:.1f} ms PostgreSQL CPU"
                " per request (test client, in-process)"
                + (f"; {p['queries']} queries" if "queries" in p else "")
            )
            for ms, sql in p.get("slowest", []):
                print(f"  {ms:7.1f} ms  {sql}")
            print(p.get("tottime", ""))
            print(p.get("cumulative", ""))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": host,
                    "info": info,
                    "results": results,
                    "service": service,
                    "profile": profile,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
