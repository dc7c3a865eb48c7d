"""Celery tasks of the upload pipeline: thin, idempotent, ids only."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import translation


@shared_task(
    name="firms.import_validate", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=5
)
def import_validate_task(job_id: int) -> str | None:
    from firms.imports import import_job_validate

    with translation.override("fa"):
        job = import_job_validate(job_id=job_id)
    return job.status if job else None
