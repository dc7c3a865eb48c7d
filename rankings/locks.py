"""Single flight per fiscal year: at most one recompute of a year runs at a time.

PostgreSQL: a transaction-level advisory lock, released by COMMIT, ROLLBACK or a dead
backend (a SIGKILLed worker frees it). SQLite has no advisory locks, so a lease on the
year's row is taken with a conditional UPDATE and expires after the task time limit,
which also frees it after a crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from rankings.models import YearState

ADVISORY_NAMESPACE = 7301


@contextmanager
def year_lock(year: int) -> Iterator[bool]:
    """Yields True when this process holds the year's lock (inside a transaction on
    PostgreSQL), False when another process is computing that year."""
    YearState.objects.get_or_create(year=year)
    if connection.vendor == "postgresql":
        # Advisory locks are re-entrant within a session: like the SQLite lease, a nested
        # attempt while this connection is inside year_lock for the year gets False.
        inside = transaction.get_connection().__dict__.setdefault("_year_locks_inside", set())
        if year in inside:
            yield False
            return
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)", [ADVISORY_NAMESPACE, year]
                )
                acquired = bool(cursor.fetchone()[0])
            if acquired:
                inside.add(year)
            try:
                yield acquired
            finally:
                inside.discard(year)
        return
    now = timezone.now()
    lease = now + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = YearState.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), year=year
    ).update(lease_until=lease)
    try:
        yield claimed == 1
    finally:
        if claimed == 1:
            # Only our own lease: one that expired and was re-taken is someone else's.
            YearState.objects.filter(year=year, lease_until=lease).update(lease_until=None)
