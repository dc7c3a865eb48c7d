"""A real `celery worker` process answers a task through Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.worker


@pytest.fixture
def worker():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: the real-worker test runs in the PostgreSQL+Redis pass")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "smerank",
            "worker",
            "-l",
            "warning",
            "-c",
            "1",
            "-Q",
            "ping-test",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


def test_a_real_worker_completes_a_task_sent_through_redis(worker) -> None:
    from celery import Celery

    client = Celery(broker=os.environ["REDIS_URL"], backend=os.environ["REDIS_URL"])
    result = client.send_task("smerank.ping", args=["۱۴۰۳"], queue="ping-test")
    deadline = time.monotonic() + 60
    while not result.ready() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert result.get(timeout=1) == "pong:۱۴۰۳"
