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


from django.conf import settings  # noqa: E402 - appended with the task that needs it


# The analysis takes about a minute at 100,000 firms; its limits stay below the broker's
# visibility timeout so Redis never redelivers a task that is still running.
@shared_task(
    name="rankings.uncertainty",
    time_limit=max(120, settings.CELERY_VISIBILITY_TIMEOUT - 60),
    soft_time_limit=max(60, settings.CELERY_VISIBILITY_TIMEOUT - 120),
)
def uncertainty_task(run_id: int) -> str:
    """Rank bands and sensitivity of a run (after it is published)."""
    from rankings.analysis import run_analysis_compute

    return run_analysis_compute(run_id=run_id).status
