"""The uncertainty and sensitivity analysis of a run: a worker job after each run.

The run is already published when this starts (readers follow the year's pointer), so the
analysis never delays a ranking: it only fills the run's rank-band columns and stores the
sensitivity indices. A redelivered task for a finished analysis does nothing; an analysis
of a run that is no longer current, or whose year's data changed since (the generation
moved on: a new run follows), is skipped, since its bands would never be shown. The
rebuilt nominal ranking must equal the run's ranks, or nothing is written.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from rankings.analysis_compute import (
    AnalysisResult,
    analysis_compute,
    analysis_input,
    analysis_settings,
)
from rankings.frames import figures_load, firms_load
from rankings.models import FirmScore, RankingRun, RunAnalysis, YearState
from smerank.bulk import frame_update

logger = logging.getLogger(__name__)

# A "running" analysis older than this was lost with its worker (the task is redelivered
# after the visibility timeout); it may be claimed again.
STALE_AFTER = dt.timedelta(seconds=settings.CELERY_VISIBILITY_TIMEOUT)


class AnalysisMismatch(RuntimeError):
    """The rebuilt nominal ranking is not the run's ranking: the bands would be wrong."""


def run_analysis_compute(*, run_id: int, overrides: dict[str, Any] | None = None) -> RunAnalysis:
    """Compute, store and return the analysis of run `run_id`; idempotent.

    `overrides` replace keys of the methodology's "uncertainty" settings (tests and the
    benchmark use it; the worker passes none).
    """
    run = RankingRun.objects.select_related("methodology").get(pk=run_id)
    analysis, _ = RunAnalysis.objects.get_or_create(run=run)
    if not _claim(analysis):
        analysis.refresh_from_db()
        logger.info("analysis of run %s: already %s", run_id, analysis.status)
        return analysis
    started = time.perf_counter()
    try:
        stale = _stale_reason(run)
        if stale:
            return _finish(analysis, status=RunAnalysis.Status.SUPERSEDED, reason=stale)
        timings: dict[str, float] = {}
        t = time.perf_counter()
        figures, firms = figures_load(year=run.year), firms_load()
        timings["load"] = time.perf_counter() - t
        spec = run.methodology.spec
        engine_input = analysis_input(figures=figures, firms=firms, year=run.year, spec=spec)
        del figures
        choices = analysis_settings(spec=spec, overrides=overrides)
        result = analysis_compute(engine_input=engine_input, settings=choices)
        timings.update(result.timings)
        t = time.perf_counter()
        try:
            _check_nominal(run, result)
        except AnalysisMismatch:
            # Data committed while this ran (the generation moved on): a new run follows.
            stale = _stale_reason(run)
            if stale:
                return _finish(analysis, status=RunAnalysis.Status.SUPERSEDED, reason=stale)
            raise
        with transaction.atomic():
            _bands_write(run, result)
            timings["write"] = time.perf_counter() - t
            return _finish(
                analysis,
                status=RunAnalysis.Status.SUCCEEDED,
                params=result.params,
                sensitivity=result.sensitivity,
                timings=timings,
                seconds=time.perf_counter() - started,
            )
    except Exception as exc:  # any failure is recorded; retrying the same input is futile
        logger.exception("analysis of run %s failed", run_id)
        return _finish(
            analysis,
            status=RunAnalysis.Status.FAILED,
            reason=f"{type(exc).__name__}: {exc}"[:2000],
            seconds=time.perf_counter() - started,
        )


def _claim(analysis: RunAnalysis) -> bool:
    """Queued (or lost while running) -> running, in one conditional UPDATE."""
    now = timezone.now()
    claimable = Q(status=RunAnalysis.Status.QUEUED) | Q(
        status=RunAnalysis.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = (
        RunAnalysis.objects.filter(claimable, pk=analysis.pk).update(
            status=RunAnalysis.Status.RUNNING,
            started_at=now,
            attempts=F("attempts") + 1,
            failure_reason="",
        )
        == 1
    )
    return claimed


def _stale_reason(run: RankingRun) -> str:
    state = YearState.objects.filter(year=run.year).values("current_run_id", "generation").first()
    if run.status != RankingRun.Status.SUCCEEDED:
        return "the run did not succeed"
    if state is None or state["current_run_id"] != run.pk:
        return "the run is no longer its year's current run"
    if state["generation"] > run.generation:
        return "the year's data changed after this run; a new run will follow"
    return ""


def _check_nominal(run: RankingRun, result: AnalysisResult) -> None:
    ranks = dict(
        FirmScore.objects.filter(run=run, rank__isnull=False).values_list("firm_id", "rank")
    )
    stored = pd.Series(ranks, dtype="float64").reindex(result.bands.index)
    nominal = result.bands["nominal_rank"].astype("float64")
    if len(ranks) != len(result.bands) or not np.array_equal(
        stored.to_numpy(), nominal.to_numpy(), equal_nan=True
    ):
        raise AnalysisMismatch("the rebuilt nominal ranking differs from the run's ranking")


def _bands_write(run: RankingRun, result: AnalysisResult) -> None:
    bands = result.bands
    frame = pd.DataFrame(
        {
            "run_id": run.pk,
            "firm_id": bands.index.to_numpy(),
            "rank_median": bands["rank_median"].to_numpy(),
            "rank_low": bands["rank_low"].astype("Int64").array,
            "rank_high": bands["rank_high"].astype("Int64").array,
            "top_probability": bands["top_probability"].round(6).to_numpy(),
        }
    )
    frame_update(model=FirmScore, frame=frame, keys=["run_id", "firm_id"])


def _finish(
    analysis: RunAnalysis,
    *,
    status: str,
    reason: str = "",
    params: dict[str, Any] | None = None,
    sensitivity: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
    seconds: float | None = None,
) -> RunAnalysis:
    fields: dict[str, Any] = {
        "status": status,
        "failure_reason": reason,
        "finished_at": timezone.now(),
        "seconds": seconds,
    }
    if params is not None:
        fields["params"] = params
    if sensitivity is not None:
        fields["sensitivity"] = sensitivity
    if timings is not None:
        fields["timings"] = {k: round(v, 4) for k, v in timings.items()}
    RunAnalysis.objects.filter(pk=analysis.pk).update(**fields)
    analysis.refresh_from_db()
    if status != RunAnalysis.Status.SUCCEEDED:
        logger.info("analysis of run %s: %s (%s)", analysis.run_id, status, reason)
    return analysis
