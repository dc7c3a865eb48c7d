"""The ranking pipeline survives killed workers, busy readers, bursts and a Redis restart.

Real PostgreSQL, real Redis, real `celery worker` (and `celery beat`) processes talking to
the test database. Skipped unless DATABASE_URL is PostgreSQL and REDIS_URL is set: CI's
second pass. Progress is observed in PostgreSQL itself: a recompute in progress holds the
advisory lock (7301, year) and has written once its transaction has an xid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

import pandas as pd
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    # Reference data (provinces, sectors, the default methodology) comes from migrations;
    # the flush after each transactional test removes it, the serialized copy restores it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql") or not settings.REDIS_URL:
    pytest.skip(
        "reliability tests need PostgreSQL (DATABASE_URL=postgres://...) and Redis "
        "(REDIS_URL): they run in CI's second pass",
        allow_module_level=True,
    )

import redis  # noqa: E402
from django_celery_beat.models import IntervalSchedule, PeriodicTask  # noqa: E402

from firms import demo  # noqa: E402
from firms.models import Firm, FirmYear, Park, Province  # noqa: E402
from firms.services import demo_seed, sector_classes_by_division  # noqa: E402
from rankings.locks import ADVISORY_NAMESPACE  # noqa: E402
from rankings.models import FirmScore, RankingRun, YearState  # noqa: E402
from rankings.selectors import current_run, ranking_for  # noqa: E402
from rankings.services import data_changed  # noqa: E402
from smerank.bulk import frame_insert  # noqa: E402
from tests import factories  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
YEAR = 1403
# Sizes: a recompute of KILL_FIRMS firms writes its scores for a second or more on
# PostgreSQL, long enough to be killed mid-write; the other tests run many recomputes and
# only need a top 100, so they stay small (the module takes about 3 minutes).
KILL_FIRMS = 10_000
READER_FIRMS = 1_000
BURST_FIRMS = 6_000
RESTART_FIRMS = 2_000
TOP_100_SQL = (
    "SELECT s.run_id, s.rank FROM rankings_firmscore s "
    "JOIN rankings_yearstate y ON y.current_run_id = s.run_id "
    "WHERE y.year = %s AND s.rank <= 100 ORDER BY s.rank, s.firm_id"
)
# A web process: commits one change per firm id, `interval` seconds apart.
WRITER = """
import sys, time
import django
django.setup()
from django.db import transaction
from firms.models import FirmYear
from rankings.services import data_changed
interval, firm_ids = float(sys.argv[1]), [int(i) for i in sys.argv[2].split(",")]
for k, firm_id in enumerate(firm_ids):
    with transaction.atomic():
        FirmYear.objects.filter(firm_id=firm_id, year=1403).update(export_countries=3000 + k)
        data_changed(years=[1403])
    time.sleep(interval)
"""
WORKER = ["-m", "celery", "-A", "smerank", "worker", "-l", "warning"]
WORKER += ["--without-gossip", "--without-mingle"]
BEAT = ["-m", "celery", "-A", "smerank", "beat", "-l", "warning"]
T = TypeVar("T")


# --- Waiting ---------------------------------------------------------------------------


def wait_for(predicate: Callable[[], T], *, what: str, timeout: float = 60) -> T:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


# --- Data ------------------------------------------------------------------------------


@cache
def _demo_frames(firms: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    provinces = list(Province.objects.values("code", "capital_fa", "capital_en"))
    parks = demo.demo_parks(parks=62, provinces=provinces)
    firm_frame = demo.demo_firms(
        firms=firms, parks=parks, classes_by_division=sector_classes_by_division()
    )
    years = demo.demo_years(firms=firm_frame, years=2, last_year=YEAR)
    return parks, firm_frame, years


def seed(*, firms: int) -> list[int]:
    """`firms` demo firms with figures for YEAR - 1 and YEAR; returns their ids in order.

    The parks go through `demo_seed`; the firms and figures, built by the same `firms.demo`
    generators, are COPYed: `demo_seed`'s ORM bulk_create costs ~1.4 ms a firm here.
    """
    parks, firm_frame, years = _demo_frames(firms)
    demo_seed(parks=parks, firms=firm_frame.iloc[:0], years=years.iloc[:0])
    park_ids = dict(Park.objects.values_list("code", "id"))
    now = timezone.now()
    with transaction.atomic():
        frame_insert(
            model=Firm,
            frame=firm_frame.drop(columns=["park_code", "isic"]).assign(
                park_id=firm_frame["park_code"].map(park_ids),
                isic_id=firm_frame["isic"],
                created_at=now,
                updated_at=now,
            ),
        )
        ids = dict(Firm.objects.values_list("national_id", "id"))
        frame_insert(
            model=FirmYear,
            frame=years.drop(columns=["national_id"]).assign(
                firm_id=years["national_id"].map(ids), updated_at=now
            ),
        )
    return [ids[n] for n in firm_frame["national_id"]]


def commit_change(*, firm_id: int, export_markets: int) -> None:
    """One data commit: the firm's YEAR figures change and the pipeline is told."""
    with transaction.atomic():
        changed = FirmYear.objects.filter(firm_id=firm_id, year=YEAR).update(
            export_countries=export_markets
        )
        assert changed == 1
        data_changed(years=[YEAR])


def export_markets_in(run: RankingRun, firm_ids: list[int]) -> dict[int, float]:
    rows = FirmScore.objects.filter(run=run, firm_id__in=firm_ids)
    return {s.firm_id: s.indicators_raw["export_markets"] for s in rows}


# --- What PostgreSQL and Redis say -----------------------------------------------------


@dataclass(frozen=True)
class LockHolder:
    pid: int
    writing: bool  # its transaction has written (the run row, the scores): it has an xid


def lock_holder(year: int) -> LockHolder | None:
    """The backend holding the year's advisory lock in this database, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.pid, a.backend_xid IS NOT NULL FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [ADVISORY_NAMESPACE, year],
        )
        row = cursor.fetchone()
    return LockHolder(pid=row[0], writing=row[1]) if row else None


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def generation() -> int:
    state = YearState.objects.filter(year=YEAR).first()
    return state.generation if state else 0


def year_state() -> YearState:
    return YearState.objects.select_related("current_run").get(year=YEAR)


def caught_up(*, generation: int | None = None) -> YearState | None:
    """The year's state once its current run covers its generation (and `generation`)."""
    state = year_state()
    run = state.current_run
    if run is None or run.generation != state.generation:
        return None
    if generation is not None and state.generation != generation:
        return None
    return state


def runs_complete() -> list[tuple[int, str, int, int]]:
    """(id, status, firm_count, scores written) of every run of YEAR."""
    return [
        (run.pk, run.status, run.firm_count, FirmScore.objects.filter(run=run).count())
        for run in RankingRun.objects.filter(year=YEAR).order_by("pk")
    ]


# --- Processes -------------------------------------------------------------------------


def session_database_url() -> str:
    """DATABASE_URL, pointed at the database pytest-django created for this session."""
    url = urlparse(os.environ["DATABASE_URL"])
    return url._replace(path="/" + connection.settings_dict["NAME"]).geturl()


@dataclass
class Process:
    name: str
    proc: subprocess.Popen
    log: Path

    def pool(self) -> list[int]:
        """The pool processes of a worker (its direct children)."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        """SIGKILL the whole process group: the process and any pool child it forked."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Processes:
    """Starts workers, beats and helper scripts; stops every one of them at teardown."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[Process] = []

    def env(self, redis_url: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "smerank.settings",
            "DATABASE_URL": session_database_url(),
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "WARNING",
        }

    def spawn(self, name: str, args: list[str], redis_url: str) -> Process:
        log = self.tmp_path / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, *args],
                cwd=ROOT,
                env=self.env(redis_url),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own, killed whole at teardown
            )
        process = Process(name=name, proc=proc, log=log)
        self.started.append(process)
        return process

    def worker(
        self, *, redis_url: str = settings.REDIS_URL, concurrency: int, wait: bool = True
    ) -> Process:
        name = f"reliability-{uuid.uuid4().hex[:8]}"
        args = [*WORKER, "-c", str(concurrency), "-n", f"{name}@%h"]
        worker = self.spawn(name, args, redis_url)
        if wait:
            worker_answers(worker, redis_url)
        return worker

    def beat(self, *, redis_url: str) -> Process:
        return self.spawn(
            "beat",
            [
                *["-m", "celery", "-A", "smerank", "beat", "-l", "warning", "-s"],
                str(self.tmp_path / "schedule"),
            ],
            redis_url,
        )

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()


def worker_answers(worker: Process, redis_url: str) -> None:
    from celery import Celery

    client = Celery(broker=redis_url)
    destination = f"{worker.name}@{socket.gethostname()}"
    try:

        def answers() -> bool:
            assert worker.proc.poll() is None, f"worker exited:\n{worker.log_tail()}"
            return bool(client.control.ping(destination=[destination], timeout=0.5))

        wait_for(answers, what=f"worker {worker.name} to answer a ping", timeout=60)
    finally:
        client.close()


class RedisServer:
    """A Redis of our own, without persistence, that a test may stop and start again."""

    def __init__(self, tmp_path: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = tmp_path / "redis.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    *["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)],
                    *["--save", "", "--appendonly", "no"],
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis(port=self.port)
        wait_for(lambda: self._ping(client), what=f"redis-server on port {self.port}")
        client.close()

    def stop(self) -> None:
        """Shut down without saving: every queued and unacknowledged message is gone."""
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )
        assert self.proc is not None
        self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    @staticmethod
    def _ping(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.close()


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    """The test Redis database, emptied before and after: no message crosses tests."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def processes(transactional_db: None, broker: redis.Redis, tmp_path: Path) -> Iterator[Processes]:
    """Torn down before the database is flushed: no worker is left holding a connection."""
    started = Processes(tmp_path)
    yield started
    started.stop_all()
    for process in started.started:  # pytest shows this only when the test failed
        print(f"--- {process.name} (exit {process.proc.returncode}) ---")
        print(process.log_tail())


# --- The tests -------------------------------------------------------------------------


def test_a_worker_killed_mid_recompute_has_its_work_redone_and_the_pointer_ends_on_a_complete_run(
    processes: Processes,
) -> None:
    firm_ids = seed(firms=KILL_FIRMS)
    worker = processes.worker(concurrency=1)
    with transaction.atomic():
        data_changed(years=[YEAR])

    holder = wait_for(
        lambda: (h := lock_holder(YEAR)) and h.writing and h,
        what="a recompute to hold the year's lock and write its run",
    )
    [child] = worker.pool()
    os.kill(child, signal.SIGKILL)
    wait_for(lambda: not backend_alive(holder.pid), what="PostgreSQL to end the dead backend")

    state = wait_for(caught_up, what="the redelivered recompute to switch the pointer", timeout=120)
    run = state.current_run
    assert run.status == RankingRun.Status.SUCCEEDED
    assert run.generation == state.generation == 1
    assert run.firm_count == len(firm_ids)
    assert FirmScore.objects.filter(run=run).count() == run.firm_count
    # The killed attempt rolled back whole: the only run is the redone one, complete.
    assert runs_complete() == [(run.pk, "succeeded", len(firm_ids), len(firm_ids))]
    assert worker.proc.poll() is None and child not in worker.pool()


def test_readers_of_the_top_100_never_see_a_partial_or_mixed_ranking_during_20_recomputes(
    processes: Processes,
) -> None:
    firm_ids = seed(firms=READER_FIRMS)
    analyst = factories.analyst_create()
    processes.worker(concurrency=2)  # the run's follow-up analysis does not hold up the next
    with transaction.atomic():
        data_changed(years=[YEAR])
    wait_for(caught_up, what="the first run", timeout=120)

    stop = threading.Event()
    reads: list[tuple[int, ...]] = []
    problems: list[str] = []

    def read() -> None:
        try:
            while not stop.is_set():
                # The app's path: follow the pointer, then list the run.
                run = current_run(year=YEAR)
                top = list(ranking_for(user=analyst, run=run)[:100].values_list("run_id", "rank"))
                written = FirmScore.objects.filter(run=run).count()
                # One statement following the pointer: a single snapshot.
                with connection.cursor() as cursor:
                    cursor.execute(TOP_100_SQL, [YEAR])
                    raw = cursor.fetchall()
                for label, rows in (("selector", top), ("sql", raw)):
                    if [r for _, r in rows] != list(range(1, 101)):
                        problems.append(
                            f"{label}: ranks {[r for _, r in rows][:5]}... ({len(rows)})"
                        )
                    if len({run_id for run_id, _ in rows}) != 1:
                        problems.append(f"{label}: runs {sorted({i for i, _ in rows})}")
                if written != run.firm_count:
                    problems.append(f"run {run.pk}: {written} of {run.firm_count} scores")
                reads.append((run.pk, raw[0][0]))
                time.sleep(0.02)
        except Exception as exc:  # a failed read is a finding too
            problems.append(repr(exc))
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(20):
            commit_change(firm_id=firm_ids[i], export_markets=1000 + i)
            wait_for(
                lambda i=i: caught_up(generation=2 + i),
                what=f"the run of change {i + 1}",
                timeout=120,
            )
    finally:
        stop.set()
        reader.join(timeout=30)

    assert not reader.is_alive()
    assert problems == []
    assert len(reads) >= 50
    assert len({run_id for run_id, _ in reads}) >= 2
    final = year_state().current_run
    assert final.generation == 21
    assert export_markets_in(final, firm_ids[:20]) == {firm_ids[i]: 1000 + i for i in range(20)}


def test_50_concurrent_commits_cost_at_most_2_extra_runs_and_the_last_reflects_all_50(
    processes: Processes,
) -> None:
    firm_ids = seed(firms=BURST_FIRMS)
    processes.worker(concurrency=1)
    processes.worker(concurrency=1)
    with transaction.atomic():
        data_changed(years=[YEAR])
    first = wait_for(caught_up, what="the first run", timeout=120).current_run

    barrier = threading.Barrier(50)
    errors: list[str] = []

    def commit(k: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            commit_change(firm_id=firm_ids[k], export_markets=2000 + k)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=commit, args=(k,)) for k in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    # Quiet: the current run covers the last generation and no recompute holds the year
    # (any later pass finds nothing to do and writes no run).
    state = wait_for(
        lambda: lock_holder(YEAR) is None and caught_up(generation=51),
        what="a run covering all 50 commits",
        timeout=120,
    )
    burst_runs = RankingRun.objects.filter(year=YEAR, pk__gt=first.pk)
    assert 1 <= burst_runs.count() <= 3
    assert state.current_run.generation == 51
    assert export_markets_in(state.current_run, firm_ids[:50]) == {
        firm_ids[k]: 2000 + k for k in range(50)
    }
    assert all(status == "succeeded" and n == written for _, status, n, written in runs_complete())


def test_a_redis_restart_during_a_burst_loses_messages_but_the_beat_catches_up(
    redis_server: RedisServer, processes: Processes
) -> None:
    firm_ids = seed(firms=RESTART_FIRMS)
    every_2_s = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="sweep", task="rankings.sweep", interval=every_2_s)
    workers = [processes.worker(redis_url=redis_server.url, concurrency=2)]
    processes.beat(redis_url=redis_server.url)

    # A web process commits 20 changes through that Redis. Redis goes down after the 10th
    # (queued and running recomputes are lost: the worker cancels what it was running) and
    # comes back empty once all 20 are committed: the last messages were never sent.
    writer = processes.spawn(
        "writer", ["-c", WRITER, "0.05", ",".join(map(str, firm_ids[:20]))], redis_server.url
    )
    wait_for(lambda: generation() >= 10, what="the first 10 commits")
    redis_server.stop()
    assert writer.proc.wait(timeout=120) == 0, writer.log_tail()
    assert generation() == 20
    assert writer.log.read_text().count("the sweeper will catch up") >= 1
    wait_for(lambda: lock_holder(YEAR) is None, what="the cancelled recompute to end")
    assert caught_up(generation=20) is None  # behind, and no message left to fix it
    redis_server.start()

    def supervised_catch_up() -> YearState | None:
        # kombu can die of its own race when Redis vanishes in the middle of an ack
        # (AttributeError in _connparams); the deployment restarts a dead worker
        # (docker-compose: restart unless-stopped), and so does this test.
        if workers[-1].proc.poll() is not None:
            workers.append(processes.worker(redis_url=redis_server.url, concurrency=2, wait=False))
        return caught_up(generation=20)

    state = wait_for(supervised_catch_up, what="the beat to catch the year up", timeout=120)
    assert export_markets_in(state.current_run, firm_ids[:20]) == {
        firm_ids[k]: 3000 + k for k in range(20)
    }
    assert all(status == "succeeded" and n == written for _, status, n, written in runs_complete())
