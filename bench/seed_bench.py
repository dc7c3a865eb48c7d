"""Benchmark: `manage.py seed_demo --firms 100000` into a fresh SQLite file and a fresh
PostgreSQL database (issue target: within 2 minutes on each, bulk writes).

    .venv/bin/python bench/seed_bench.py [--firms 100000] [--repeat 2] [--backends sqlite postgres]
        [--pg postgres://postgres@127.0.0.1:5432] [--profile]
        [--json out.json]

Per backend and repetition: a fresh database (SQLite file in a temporary directory;
PostgreSQL database `smerank_bench_seed`, dropped and created), `manage.py migrate` (timed
apart), then `manage.py seed_demo --firms N --parks 62 --years 3 --no-recompute` in its own
process, timed end to end (interpreter start to exit). Reported: wall time, the command's
own CPU time (user + system, from `wait4`), the PostgreSQL backend's CPU time (its
/proc/<pid>/stat, sampled every 0.2 s while the command runs), peak RSS of the command,
and the 1-minute load average before and after.

`--profile` then seeds once more on PostgreSQL in this process with cProfile and a
`connection.execute_wrapper` that times every SQL statement (the round trip: server work,
network, waiting), and prints where the time goes per phase of `demo_seed`.

"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import django_backend_pid, machine, pg_connect, pg_recreate, proc_cpu  # noqa: E402

PY = sys.executable
DB_NAME = "smerank_bench_seed"
BUDGET_SECONDS = 120.0


class BackendCpu:
    """Sample the CPU time of every PostgreSQL backend connected to `dbname`."""

    def __init__(self, base: str, dbname: str) -> None:
        self.conn = pg_connect(base)
        self.dbname = dbname
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        with self.conn.cursor() as cursor:
            while not self.stop.is_set():
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.dbname],
                )
                for (pid,) in cursor.fetchall():
                    cpu = proc_cpu(pid)
                    if cpu is not None:
                        self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))
                self.stop.wait(0.2)

    def __enter__(self) -> BackendCpu:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.conn.close()

    @property
    def total(self) -> float:
        return sum(self.seen.values())


def run_command(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a manage.py command; wall time, CPU time and peak RSS of that process."""
    argv = [PY, "manage.py", *args]
    load_before = os.getloadavg()[0]
    wall = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - wall
    reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(b"".join(out_chunks).decode() + err.decode())
        raise SystemExit(f"manage.py {' '.join(args)} failed (exit {proc.returncode})")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "output": b"".join(out_chunks).decode().strip(),
    }


def seed_args(firms: int) -> list[str]:
    return ["seed_demo", "--firms", str(firms), "--parks", "62", "--years", "3", "--no-recompute"]


def child_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = database_url
    env["LOG_LEVEL"] = "WARNING"
    return env


def one_run(backend: str, firms: int, pg_base: str, folder: Path) -> dict[str, Any]:
    if backend == "sqlite":
        path = folder / "seed_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        env = child_env(f"sqlite:///{path}")
        migrate = run_command(["migrate", "-v0"], env)
        seed = run_command(seed_args(firms), env)
        seed["backend_cpu"] = None
        seed["db_mb"] = (
            sum(
                Path(str(path) + s).stat().st_size
                for s in ("", "-wal")
                if Path(str(path) + s).exists()
            )
            / 2**20
        )
    else:
        pg_recreate(pg_base, DB_NAME)
        env = child_env(urlparse(pg_base)._replace(path="/" + DB_NAME).geturl())
        migrate = run_command(["migrate", "-v0"], env)
        with BackendCpu(pg_base, DB_NAME) as backend_cpu:
            seed = run_command(seed_args(firms), env)
        seed["backend_cpu"] = backend_cpu.total
        conn = pg_connect(pg_base)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(%s)", [DB_NAME])
            seed["db_mb"] = cursor.fetchone()[0] / 2**20
        conn.close()
    seed["migrate_wall"] = migrate["wall"]
    seed["backend"] = backend
    return seed


def profile(firms: int, pg_base: str) -> str:
    pg_recreate(pg_base, DB_NAME)
    env = child_env(urlparse(pg_base)._replace(path="/" + DB_NAME).geturl())
    run_command(["migrate", "-v0"], env)
    code = f"""
import sys; sys.path.insert(0, {str(ROOT)!r}); sys.argv = ["seed_bench"]
from bench.seed_bench import _profile_child
print(_profile_child({firms}))
"""
    done = subprocess.run(
        [PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit("profile run failed")
    return done.stdout


def _profile_child(firms: int) -> str:
    import cProfile
    import io
    import pstats
    import re
    from collections import defaultdict

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smerank.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from firms import demo, services

    sql: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def wrapper(execute, statement, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            head = re.sub(r"\s+", " ", statement[:80])
            head = re.sub(r"\(.*", "(...)", head) if head.startswith("INSERT") else head[:60]
            entry = sql[head]
            entry[0] += 1
            entry[1] += time.perf_counter() - t0

    phases: dict[str, float] = defaultdict(float)

    def timed(module: Any, name: str) -> None:
        original = getattr(module, name)

        def inner(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                phases[f"{module.__name__}.{name}"] += time.perf_counter() - t0

        setattr(module, name, inner)

    for name in ("demo_parks", "demo_firms", "demo_years"):
        timed(demo, name)
    timed(services, "demo_seed")
    timed(services, "user_with_role_ensure")
    backend_pid = django_backend_pid()
    backend0 = proc_cpu(backend_pid) or 0.0
    profiler = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(wrapper):
        profiler.enable()
        call_command(*seed_args(firms), stdout=io.StringIO())
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    backend = (proc_cpu(backend_pid) or 0.0) - backend0
    out = io.StringIO()
    out.write(
        f"in-process seed_demo: wall {wall:.1f} s, client CPU {cpu:.1f} s (incl. cProfile),"
        f" backend CPU {backend:.1f} s, load {os.getloadavg()[0]:.1f}\n\nphases (wall):\n"
    )
    for name, seconds in sorted(phases.items(), key=lambda kv: -kv[1]):
        out.write(f"  {seconds:7.1f} s  {name}\n")
    out.write("\nSQL round trips (wall, inside the execute wrapper):\n")
    total_sql = sum(v[1] for v in sql.values())
    for head, (count, seconds) in sorted(sql.items(), key=lambda kv: -kv[1][1])[:12]:
        out.write(f"  {seconds:7.1f} s  {count:6d} x  {head}\n")
    out.write(f"  {total_sql:7.1f} s  total\n\ncProfile, top by tottime:\n")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
    out.write("cProfile, cumulative:\n")
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    return out.getvalue()


# --- report --------------------------------------------------------------------------------


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| backend | run | seed wall | command CPU | PG backend CPU | peak RSS | migrate wall"
        " | DB size | load (1 min) before → after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for i, r in enumerate(runs):
        backend_cpu = "-" if r["backend_cpu"] is None else f"{r['backend_cpu']:.1f} s"
        lines.append(
            f"| {r['backend']} | {i + 1} | **{r['wall']:.1f} s** | {r['cpu']:.1f} s | {backend_cpu}"
            f" | {r['rss_mb']:.0f} MB | {r['migrate_wall']:.1f} s | {r['db_mb']:.0f} MB"
            f" | {r['load_before']:.1f} → {r['load_after']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    host = machine(args.pg)
    print(json.dumps(host), flush=True)
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):
            for backend in args.backends:
                result = one_run(backend, args.firms, args.pg, Path(folder))
                runs.append(result)
                print(json.dumps({k: v for k, v in result.items() if k != "output"}), flush=True)
    by_backend = sorted(runs, key=lambda r: r["backend"])
    print(table(by_backend))
    for backend in sorted({r["backend"] for r in runs}):
        walls = [r["wall"] for r in runs if r["backend"] == backend]
        if not walls:
            continue
        best = min(walls)
        verdict = "within" if best <= BUDGET_SECONDS else "OVER"
        print(f"{backend}: best {best:.1f} s, {verdict} the {BUDGET_SECONDS:.0f} s target")
    if args.json:
        args.json.write_text(json.dumps({"machine": host, "runs": runs}, indent=1))
    if args.profile:
        print(profile(args.firms, args.pg))


if __name__ == "__main__":
    main()
