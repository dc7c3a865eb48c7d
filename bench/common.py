"""What the benchmark scripts share: PostgreSQL connections, CPU time of a process by
pid, peak memory, and a description of the machine for the reports."""

from __future__ import annotations

import contextlib
import os
import platform
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

TICK = os.sysconf("SC_CLK_TCK")


def pg_connect(base: str, dbname: str = "postgres") -> Any:
    """An autocommit psycopg2 connection to `dbname` on the server of the URL `base`."""
    import psycopg2

    url = urlparse(base)
    conn = psycopg2.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname=dbname,
    )
    conn.autocommit = True
    return conn


def pg_recreate(base: str, name: str) -> None:
    """Drop (closing its sessions) and create the database `name`."""
    conn = pg_connect(base)
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM) in MB."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def machine(pg_base: str) -> dict[str, str]:
    """CPU, memory, Python, OS and the PostgreSQL server with the settings that matter."""
    models = [
        line.split(":", 1)[1].strip()
        for line in Path("/proc/cpuinfo").read_text().splitlines()
        if line.startswith("model name")
    ]
    total = next(x for x in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in x)
    info = {
        "nproc": str(os.cpu_count()),
        "cpu": models[0] if models else platform.processor(),
        "ram": f"{int(total.split()[1]) / 1024**2:.1f} GiB",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "postgres": "-",
    }
    with contextlib.suppress(Exception):
        conn = pg_connect(pg_base)
        with conn.cursor() as cursor:
            cursor.execute("SELECT version()")
            info["postgres"] = cursor.fetchone()[0].split(" on ")[0]
            settings = []
            for name in ("shared_buffers", "synchronous_commit", "fsync"):
                cursor.execute(f"SHOW {name}")
                settings.append(f"{name} {cursor.fetchone()[0]}")
            info["postgres"] += " (" + ", ".join(settings) + ")"
        conn.close()
    return info


def django_backend_pid() -> int:
    """The pid of the PostgreSQL backend serving Django's default connection (its CPU
    time is the server's share of the work)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]
