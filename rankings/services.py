"""Writes of the ranking pipeline: data-change signals, recomputes, methodology, editions."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import numpy as np
import pandas as pd
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from rankings.compute import YearRanking, year_ranking_compute
from rankings.frames import figures_load, fingerprint, firms_load
from rankings.locks import year_lock
from rankings.methodology import spec_validate
from rankings.models import Edition, FirmScore, Methodology, RankingRun, YearState
from smerank.bulk import frame_insert, json_column

logger = logging.getLogger(__name__)

MAX_FAILED_ATTEMPTS = 5
# A burst of commits is absorbed by the loop below; this bounds it if data never stops.
MAX_PASSES = 5


def data_changed(*, years: list[int]) -> None:
    """Record that the figures of `years` changed; call inside the data transaction.

    The generation bump commits with the data, so the intent to recompute is durable even
    if the message below is lost; the beat sweeper re-sends it.
    """
    for year in sorted(set(years)):
        state, _ = YearState.objects.get_or_create(year=year)
        YearState.objects.filter(pk=state.pk).update(
            generation=F("generation") + 1, failed_attempts=0, dirty_since=timezone.now()
        )
        transaction.on_commit(lambda year=year: _recompute_send(year))


def _recompute_send(year: int) -> None:
    """Enqueue the recompute, after the commit. An unreachable broker must not turn a
    committed change into an error for its caller: the generation is already bumped, and
    the beat sweeper re-sends the message once the broker is back."""
    from rankings.tasks import recompute_task

    try:
        recompute_task.delay(year)
    except KombuOperationalError:
        logger.warning(
            "recompute %s not enqueued (broker unreachable); the sweeper will catch up",
            year,
            exc_info=True,
        )


def methodology_active() -> Methodology:
    return Methodology.objects.get(is_active=True)


@transaction.atomic
def methodology_create(
    *, name: str, spec: dict[str, Any], author: User | None, notes: str = "", activate: bool
) -> Methodology:
    """A new methodology version (versions are never edited once used)."""
    spec_validate(spec)
    last = Methodology.objects.select_for_update().order_by("-version").first()
    version = (last.version + 1) if last else 1
    if activate:
        Methodology.objects.filter(is_active=True).update(is_active=False)
    methodology = Methodology.objects.create(
        version=version, name=name, spec=spec, author=author, notes=notes, is_active=activate
    )
    if activate:
        _all_years_changed()
    return methodology


@transaction.atomic
def methodology_activate(*, methodology: Methodology) -> Methodology:
    Methodology.objects.filter(is_active=True).exclude(pk=methodology.pk).update(is_active=False)
    Methodology.objects.filter(pk=methodology.pk).update(is_active=True)
    _all_years_changed()
    methodology.refresh_from_db()
    return methodology


def _all_years_changed() -> None:
    from firms.models import FirmYear

    years = list(FirmYear.objects.order_by().values_list("year", flat=True).distinct())
    data_changed(years=years)


def ranking_recompute(*, year: int) -> RankingRun | None:
    """Recompute `year` until its current run covers its latest data generation.

    Returns the last run written, or None when another worker holds the year or nothing
    changed. Safe to call any number of times (idempotent).
    """
    last_run = None
    for _ in range(MAX_PASSES):
        with year_lock(year) as acquired:
            if not acquired:
                logger.info("recompute %s: another worker holds the year", year)
                return last_run
            run, generation = _recompute_once(year=year)
        last_run = run or last_run
        state = YearState.objects.get(year=year)
        if state.generation == generation:
            return last_run
    return last_run


def _recompute_once(*, year: int) -> tuple[RankingRun | None, int]:
    state = YearState.objects.select_related("current_run").get(year=year)
    generation = state.generation
    current = state.current_run
    methodology = methodology_active()
    if (
        current is not None
        and current.generation >= generation
        and current.methodology_id == methodology.pk
    ):
        return None, generation

    timings: dict[str, float] = {}
    started = time.perf_counter()
    figures = figures_load(year=year)
    firms = firms_load()
    timings["load"] = time.perf_counter() - started
    fp = fingerprint(figures=figures, firms=firms, methodology_version=methodology.version)
    # A changed official cluster definition changes membership, so it counts as a change.
    from clusters.services import cluster_definitions_digest

    fp = hashlib.sha256(f"{fp}:{cluster_definitions_digest()}".encode()).hexdigest()
    if current is not None and current.data_fingerprint == fp:
        # Same data and method (e.g. the same file committed twice): just catch up.
        RankingRun.objects.filter(pk=current.pk).update(generation=generation)
        return None, generation

    t = time.perf_counter()
    try:
        result = year_ranking_compute(
            figures=figures, firms=firms, year=year, spec=methodology.spec
        )
    except ValueError as exc:
        _run_failed(year=year, methodology=methodology, generation=generation, error=exc)
        return None, generation
    timings["compute"] = time.perf_counter() - t

    t = time.perf_counter()
    clusters = _clusters_prepare(
        figures=figures,
        firms=firms,
        result=result,
        year=year,
        top_n=methodology.spec.get("top_n", 100),
    )
    timings["clusters"] = time.perf_counter() - t

    t = time.perf_counter()
    with transaction.atomic():
        run = RankingRun.objects.create(
            year=year,
            methodology=methodology,
            generation=generation,
            data_fingerprint=fp,
            firm_count=len(result.scores),
            eligible_count=result.eligible_count,
            treatment=_treatment_records(result),
            summary=_summary(result),
        )
        previous = _previous_ranks(current)
        rows = _score_rows(run, result, previous)
        if clusters is not None:
            # `.array`, not `.to_numpy()`: pandas 3 turns Int64 with NA into float64, which
            # COPY refuses for an integer column ("39.0").
            rows["rank_cluster"] = (
                clusters.rank_cluster.reindex(rows["firm_id"]).astype("Int64").array
            )
        frame_insert(model=FirmScore, frame=rows)
        if clusters is not None:
            from clusters.services import cluster_run_write

            cluster_run_write(run=run, data=clusters)
        timings["write"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - started
        RankingRun.objects.filter(pk=run.pk).update(
            status=RankingRun.Status.SUCCEEDED, finished_at=timezone.now(), timings=timings
        )
        # The switch: readers follow this pointer, so they see the old run or the new one.
        YearState.objects.filter(year=year).update(current_run=run, failed_attempts=0)
    run.refresh_from_db()
    logger.info(
        "recompute %s: run %s, %s firms, %.2f s", year, run.pk, run.firm_count, timings["total"]
    )
    transaction.on_commit(lambda: _enqueue_followups(run.pk))
    return run, generation


def _clusters_prepare(**kwargs: Any) -> Any:
    """The cluster map and membership of this run; they switch atomically with it."""
    from clusters.services import cluster_run_prepare

    return cluster_run_prepare(**kwargs)


def _enqueue_followups(run_id: int) -> None:
    try:
        from rankings.tasks import uncertainty_task
    except ImportError:
        return
    try:
        uncertainty_task.delay(run_id)
    except KombuOperationalError:
        # The run is committed and current; a broker outage must not fail the recompute.
        logger.warning("analysis of run %s not enqueued (broker unreachable)", run_id)


def _run_failed(*, year: int, methodology: Methodology, generation: int, error: Exception) -> None:
    RankingRun.objects.create(
        year=year,
        methodology=methodology,
        generation=generation,
        status=RankingRun.Status.FAILED,
        failure_reason=str(error)[:2000],
        finished_at=timezone.now(),
    )
    YearState.objects.filter(year=year).update(failed_attempts=F("failed_attempts") + 1)
    logger.warning("recompute %s failed: %s", year, error)


def _previous_ranks(current: RankingRun | None) -> pd.Series:
    if current is None:
        return pd.Series(dtype="float64")
    rows = FirmScore.objects.filter(run=current, rank__isnull=False).values_list("firm_id", "rank")
    return pd.Series(dict(rows), dtype="float64")


def _score_rows(run: RankingRun, result: YearRanking, previous: pd.Series) -> pd.DataFrame:
    s = result.scores
    rows = pd.DataFrame(index=s.index)
    rows["run_id"] = run.pk
    rows["firm_id"] = s.index
    rows["eligible"] = s["eligible"].astype(bool)
    rows["ineligible_reason"] = s["ineligible_reason"].astype(str)
    rows["score"] = s["score"]
    for col in ["rank", "rank_province", "rank_park", "rank_sector"]:
        rows[col] = s[col].astype("Int64")
    prev = previous.reindex(s.index)
    rows["previous_rank"] = prev.astype("Int64")
    rows["rank_change"] = (prev - s["rank"]).astype("Int64")
    rows["pillars"] = json_column(s[result.pillars])
    rows["indicators_raw"] = json_column(result.raw.replace([np.inf, -np.inf], np.nan))
    rows["indicators_norm"] = json_column(result.normalised)
    return rows.reset_index(drop=True)


def _treatment_records(result: YearRanking) -> list[dict[str, Any]]:
    if result.treatment.empty:
        return []
    frame = result.treatment.replace([np.inf, -np.inf], np.nan).astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def _summary(result: YearRanking) -> dict[str, Any]:
    """Small facts the dashboards show without reading every score."""
    eligible = result.scores[result.scores["eligible"]]
    scores = eligible["score"].dropna()
    hist, edges = np.histogram(scores, bins=20, range=(0, 100)) if len(scores) else ([], [])
    return {
        "score_mean": float(scores.mean()) if len(scores) else None,
        "score_median": float(scores.median()) if len(scores) else None,
        "pillar_means": {p: _float(eligible[p].mean()) for p in result.pillars},
        "pillar_medians": {p: _float(eligible[p].median()) for p in result.pillars},
        "histogram": {"counts": [int(c) for c in hist], "edges": [float(e) for e in edges]},
        "ineligible": result.scores["ineligible_reason"]
        .value_counts()
        .drop("", errors="ignore")
        .astype(int)
        .to_dict(),
    }


def _float(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def years_behind() -> list[int]:
    """Years whose current run does not yet cover their latest data (for the sweeper)."""
    return list(
        YearState.objects.filter(failed_attempts__lt=MAX_FAILED_ATTEMPTS)
        .exclude(current_run__generation__gte=F("generation"))
        .values_list("year", flat=True)
    )


@transaction.atomic
def edition_publish(*, run: RankingRun, title: str, user: User | None, notes: str = "") -> Edition:
    """Publish a successful run as an edition the public can see."""
    if run.status != RankingRun.Status.SUCCEEDED:
        raise ValueError("Only a successful run can be published.")
    edition = Edition.objects.create(
        run=run, year=run.year, title=title, notes=notes, published_by=user
    )
    from firms.services import audit_record

    audit_record(
        actor=user, action="edition.publish", obj=edition, detail={"run": run.pk, "title": title}
    )
    return edition
