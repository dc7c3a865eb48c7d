"""Celery tasks of the ranking pipeline. Thin: ids in, a service call, nothing else."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import translation


@shared_task(
    name="rankings.recompute",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def recompute_task(year: int) -> int | None:
    from rankings.services import ranking_recompute

    with translation.override("fa"):
        run = ranking_recompute(year=year)
    return run.pk if run else None


@shared_task(name="rankings.sweep")
def recompute_sweep_task() -> list[int]:
    """Re-enqueue every year whose current run is behind its data (lost messages)."""
    from rankings.services import years_behind

    years = years_behind()
    for year in years:
        recompute_task.delay(year)
    return years
