"""The upload pipeline: store the file, validate it in the worker, preview, commit.

A file goes in whole or not at all: validation stores nothing but the report, and the
commit writes every firm and firm-year in one transaction (or nothing).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from typing import IO, Any

import pandas as pd
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from firms import parsing
from firms.imports_diff import FIRM_FIELDS, YEAR_FIELDS, ImportDiff, import_diff
from firms.imports_write import firm_years_upsert, firms_upsert
from firms.models import Firm, FirmYear, ImportJob, Park, Sector
from firms.services import audit_record
from smerank.bulk import text_in

logger = logging.getLogger(__name__)
MAX_STORED_ERRORS = 2000


class UploadRejected(ValueError):
    """An upload refused before it is stored (too large, empty)."""

    def __init__(self, error: parsing.FileRejected) -> None:
        self.error = error
        super().__init__(error.message_en)


def upload_limits() -> parsing.Limits:
    return dataclasses.replace(
        parsing.DEFAULT_LIMITS,
        max_upload_bytes=settings.UPLOAD_MAX_BYTES,
        max_rows=settings.UPLOAD_MAX_ROWS,
    )


def valid_isic_classes() -> frozenset[str]:
    return frozenset(Sector.objects.filter(level="class").values_list("code", flat=True))


@transaction.atomic
def import_job_create(
    *,
    park: Park,
    uploader: User | None,
    stream: IO[bytes],
    name: str,
    ip_address: str | None = None,
) -> ImportJob:
    """Store an uploaded file (never past the size cap) and queue its validation."""
    limit = settings.UPLOAD_MAX_BYTES
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise UploadRejected(
                parsing.FileRejected(
                    "file_too_large",
                    {"size_mb": round(size / 2**20, 1), "max_mb": round(limit / 2**20, 1)},
                )
            )
        digest.update(chunk)
        chunks.append(chunk)
    if size == 0:
        raise UploadRejected(parsing.FileRejected("empty_file"))
    job = ImportJob(
        park=park,
        uploader=uploader,
        original_name=name[:255],
        size_bytes=size,
        sha256=digest.hexdigest(),
    )
    job.file.save(str(job.uuid), ContentFile(b"".join(chunks)), save=False)
    job.save()
    audit_record(
        actor=uploader,
        action="import.upload",
        obj=job,
        ip_address=ip_address,
        detail={"sha256": job.sha256, "size": size, "park": park.code, "name": job.original_name},
    )
    from firms.tasks import import_validate_task

    import_validate_task.delay_on_commit(job.pk)
    return job


def _progress(job: ImportJob, value: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(progress=value)


def _parse(job: ImportJob) -> parsing.ValidationResult:
    with job.file.open("rb") as handle:
        data = handle.read()
    return parsing.parse_file(data=data, valid_isic=valid_isic_classes(), limits=upload_limits())


def _current(national_ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    firm_rows = Firm.objects.filter(national_id__in=text_in(national_ids)).values(
        "id", "national_id", "park_id", "isic_id", *[f for f in FIRM_FIELDS if f != "isic"]
    )
    firms = pd.DataFrame(
        list(firm_rows),
        columns=[
            "id",
            "national_id",
            "park_id",
            "isic_id",
            *[f for f in FIRM_FIELDS if f != "isic"],
        ],
    )
    firms = firms.rename(columns={"isic_id": "isic"})
    year_rows = FirmYear.objects.filter(firm__national_id__in=text_in(national_ids)).values(
        "firm__national_id", "year", *YEAR_FIELDS
    )
    years = pd.DataFrame(list(year_rows), columns=["firm__national_id", "year", *YEAR_FIELDS])
    years = years.rename(columns={"firm__national_id": "national_id"})
    return firms, years


def _other_park_errors(rows: pd.DataFrame, firms: pd.DataFrame, park: Park) -> list[dict[str, Any]]:
    elsewhere = firms[firms["park_id"] != park.pk]
    bad = rows[rows["national_id"].isin(elsewhere["national_id"])]
    parks = dict(
        Park.objects.filter(pk__in=elsewhere["park_id"].unique().tolist()).values_list("pk", "code")
    )
    other = elsewhere.set_index("national_id")["park_id"]
    return [
        parsing.CellError.build(
            row=int(r.row),
            column="national_id",
            header="national_id",
            header_fa="شناسه ملی",
            value=r.national_id,
            code="other_park",
            params={"park": parks.get(int(other[r.national_id]), "?")},
        ).as_dict()
        for r in bad.itertuples(index=False)
    ]


def import_job_validate(*, job_id: int) -> ImportJob | None:
    """Validate a stored upload and build its preview. Idempotent: only an `uploaded`
    job is claimed, so a redelivered task does nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.UPLOADED).update(
        status=ImportJob.Status.VALIDATING, progress=5
    )
    if claimed != 1:
        return None
    job = ImportJob.objects.select_related("park").get(pk=job_id)
    try:
        result = _parse(job)
    except parsing.FileRejected as exc:
        return _finish_invalid(job, [{"row": None, "column": None, **exc.as_dict()}], 0, exc)
    _progress(job, 60)
    job.rows_total, job.file_type = result.total_rows, result.file_type
    job.warnings = [dataclasses.asdict(w) for w in result.warnings]
    errors = [e.as_dict() for e in result.errors]
    rows = result.rows
    firms, years = (
        _current(rows["national_id"].unique().tolist())
        if len(rows)
        else (pd.DataFrame(columns=["national_id", "park_id"]), pd.DataFrame())
    )
    errors += _other_park_errors(rows, firms, job.park)
    if errors:
        rejected = len({e["row"] for e in errors if e.get("row")} | set())
        return _finish_invalid(
            job,
            errors,
            result.total_rows - rejected,
            None,
            error_count=max(result.error_count, len(errors)),
        )
    diff = import_diff(rows=rows, present=set(result.columns), firms=firms, years=years)
    _finish_ready(job, result, diff)
    return job


def _finish_invalid(
    job: ImportJob,
    errors: list[dict[str, Any]],
    valid: int,
    file_error: Exception | None,
    error_count: int | None = None,
) -> ImportJob:
    job.status = ImportJob.Status.INVALID
    job.errors = errors[:MAX_STORED_ERRORS]
    job.rows_valid = valid
    job.rows_invalid = job.rows_total - valid if job.rows_total else 0
    job.preview = {"error_count": error_count if error_count is not None else len(errors)}
    job.progress, job.validated_at = 100, timezone.now()
    job.save()
    audit_record(
        actor=job.uploader,
        action="import.rejected",
        obj=job,
        detail={
            "sha256": job.sha256,
            "errors": job.preview["error_count"],
            "file_error": getattr(file_error, "code", None),
        },
    )
    return job


def _finish_ready(job: ImportJob, result: parsing.ValidationResult, diff: ImportDiff) -> None:
    job.status = ImportJob.Status.READY
    job.rows_valid, job.rows_invalid = result.accepted_rows, 0
    job.firms_new, job.years_new = diff.new_firms, diff.new_years
    job.years_changed, job.years_unchanged = diff.changed_years, diff.unchanged_years
    earlier = (
        ImportJob.objects.filter(
            park=job.park, sha256=job.sha256, status=ImportJob.Status.COMMITTED
        )
        .exclude(pk=job.pk)
        .order_by("-committed_at")
        .first()
    )
    job.preview = {
        "years": diff.years,
        "changes": diff.changes,
        "new_firms": diff.new_firm_rows,
        "firms_changed": diff.changed_firms,
        "columns": sorted(result.columns),
        "same_file_as": earlier.pk if earlier else None,
    }
    job.progress, job.validated_at = 100, timezone.now()
    job.save()


class CommitRefused(ValueError):
    pass


def import_job_commit(*, job: ImportJob, user: User | None) -> ImportJob:
    """Write the whole file in one transaction; enqueue the recompute after commit."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.COMMITTING, progress=10
    )
    if claimed != 1:
        job.refresh_from_db()
        if job.status == ImportJob.Status.COMMITTED:
            return job
        raise CommitRefused("Only a validated file that is ready can be committed.")
    job.refresh_from_db()
    try:
        result = _parse(job)
        with transaction.atomic():
            _park_lock(job.park_id)
            firms, years = _current(result.rows["national_id"].unique().tolist())
            if _other_park_errors(result.rows, firms, job.park):
                raise CommitRefused("A firm in this file was registered in another park meanwhile.")
            diff = import_diff(
                rows=result.rows, present=set(result.columns), firms=firms, years=years
            )
            if diff.changes_anything:
                ids = firms_upsert(rows=result.rows, present=set(result.columns), park=job.park)
                firm_years_upsert(
                    rows=result.rows, present=set(result.columns), firm_ids=ids, job=job
                )
                from firms.services import firm_years_changed

                firm_years_changed(years=diff.years)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.COMMITTED,
                progress=100,
                committed_at=timezone.now(),
                firms_new=diff.new_firms,
                years_new=diff.new_years,
                years_changed=diff.changed_years,
                years_unchanged=diff.unchanged_years,
            )
            audit_record(
                actor=user,
                action="import.commit",
                obj=job,
                detail={
                    "sha256": job.sha256,
                    "new_firms": diff.new_firms,
                    "new_years": diff.new_years,
                    "changed_years": diff.changed_years,
                },
            )
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, failure_reason=str(exc)[:1000]
        )
        logger.warning("import %s failed to commit: %s", job.pk, type(exc).__name__)
        raise
    job.refresh_from_db()
    return job


def _park_lock(park_id: int) -> None:
    """Serialise commits of one park (SQLite's write lock already does)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7302, park_id])
