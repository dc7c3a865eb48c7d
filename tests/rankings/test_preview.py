import copy

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from firms.models import AuditEvent, FirmYear
from rankings.compute import year_ranking_compute
from rankings.frames import figures_load, firms_load
from rankings.models import FirmScore, Methodology, RankingRun
from rankings.preview import (
    PreviewError,
    methodology_preview,
    preview_cache_clear,
    preview_year,
    spearman,
)
from tests.factories import FirmFactory
from tests.rankings.dashboard_fixtures import figures_for, ranked

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_kept_frames():
    preview_cache_clear()


def active_spec() -> dict:
    return copy.deepcopy(Methodology.objects.get(is_active=True).spec)


def with_pillar_weight(spec: dict, code: str, weight: float) -> dict:
    for pillar in spec["pillars"]:
        if pillar["code"] == code:
            pillar["weight"] = weight
    return spec


def test_the_active_spec_changes_nothing_and_correlates_perfectly(world) -> None:
    run = ranked(world, extra=30)
    preview = methodology_preview(spec=active_spec(), year=1403)
    assert preview.run == run and preview.year == 1403 and preview.top_n == 100
    assert preview.entering == [] and preview.leaving == []
    assert preview.rises == [] and preview.falls == []
    assert preview.staying_count == 32 and preview.common_count == 32
    assert preview.spearman == pytest.approx(1.0)
    assert preview.eligible_count == preview.current_eligible_count == 32
    assert [f.new_rank for f in preview.top] == list(range(1, 11))
    assert all(f.change == 0 for f in preview.top)


def test_the_preview_ranks_exactly_as_the_worker_would(world) -> None:
    ranked(world, extra=30)
    spec = with_pillar_weight(active_spec(), "exports", 5)
    spec["top_n"] = 10
    preview = methodology_preview(spec=spec, year=1403)
    expected = year_ranking_compute(
        figures=figures_load(year=1403), firms=firms_load(), year=1403, spec=spec
    ).top(10)
    assert [f.firm_id for f in preview.top] == list(expected.index)
    assert [f.new_rank for f in preview.top] == [int(r) for r in expected["rank"]]


def test_entering_and_leaving_firms_are_those_that_cross_the_top_n(world) -> None:
    run = ranked(world, extra=30)
    spec = with_pillar_weight(active_spec(), "exports", 8)
    spec["top_n"] = 10
    preview = methodology_preview(spec=spec, year=1403)
    old_top = set(
        FirmScore.objects.filter(run=run, rank__lte=100).values_list("firm_id", flat=True)
    )
    new_top = {f.firm_id for f in preview.top}
    # The current run publishes 100 (every firm here); the candidate only 10.
    assert {f.firm_id for f in preview.entering} == new_top - old_top == set()
    assert {f.firm_id for f in preview.leaving} == old_top - new_top
    assert len(preview.leaving) == 22 and preview.staying_count == 10
    assert [f.old_rank for f in preview.leaving] == sorted(f.old_rank for f in preview.leaving)


def test_firms_leaving_the_sme_band_leave_the_list_unranked_and_named(world) -> None:
    run = ranked(world, extra=30)
    big = list(
        FirmYear.objects.filter(year=1403, employees__gt=40).values_list("firm_id", flat=True)
    )
    spec = active_spec()
    spec["eligibility"]["employees_max"] = 40
    preview = methodology_preview(spec=spec, year=1403)
    leaving = {f.firm_id: f for f in preview.leaving}
    assert set(leaving) == set(big)
    first = leaving[big[0]]
    assert first.new_rank is None and first.change is None
    assert first.old_rank == FirmScore.objects.get(run=run, firm_id=big[0]).rank
    assert first.name_fa and first.province_fa
    assert preview.eligible_count == 32 - len(big)
    assert preview.eligible_change == -len(big)


def test_movers_are_looked_for_within_the_top_lists_only(world) -> None:
    run = ranked(world, extra=30)
    spec = with_pillar_weight(active_spec(), "exports", 8)
    spec["top_n"] = 5
    methodology = run.methodology
    methodology_spec = copy.deepcopy(methodology.spec)
    methodology_spec["top_n"] = 5
    Methodology.objects.filter(pk=methodology.pk).update(spec=methodology_spec)
    preview = methodology_preview(spec=spec, year=1403)
    watched = {f.firm_id for f in preview.entering + preview.leaving + preview.top[:5]}
    old_top = set(FirmScore.objects.filter(run=run, rank__lte=5).values_list("firm_id", flat=True))
    for mover in preview.rises + preview.falls:
        assert mover.firm_id in watched | old_top
        assert mover.change == mover.old_rank - mover.new_rank != 0
    assert [m.change for m in preview.rises] == sorted(
        (m.change for m in preview.rises), reverse=True
    )
    assert [m.change for m in preview.falls] == sorted(m.change for m in preview.falls)


def test_the_spearman_correlation_is_that_of_the_current_and_candidate_ranks(world) -> None:
    run = ranked(world, extra=30)
    spec = with_pillar_weight(active_spec(), "innovation", 6)
    preview = methodology_preview(spec=spec, year=1403)
    old = pd.Series(dict(FirmScore.objects.filter(run=run).values_list("firm_id", "rank")))
    new = year_ranking_compute(
        figures=figures_load(year=1403), firms=firms_load(), year=1403, spec=spec
    ).scores["rank"]
    both = pd.DataFrame({"old": old, "new": new}).dropna()
    expected = np.corrcoef(both["old"].rank(), both["new"].rank())[0, 1]
    assert preview.spearman == pytest.approx(expected)
    assert -1 <= preview.spearman < 1
    assert preview.common_count == len(both) == 32


def test_a_preview_writes_nothing(world) -> None:
    ranked(world, extra=10)
    before = (
        Methodology.objects.count(),
        RankingRun.objects.count(),
        FirmScore.objects.count(),
        AuditEvent.objects.count(),
    )
    spec = with_pillar_weight(active_spec(), "finance", 3)
    with CaptureQueriesContext(connection) as ctx:
        methodology_preview(spec=spec, year=1403)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert len(ctx.captured_queries) <= 8  # a handful of reads, whatever the number of firms
    after = (
        Methodology.objects.count(),
        RankingRun.objects.count(),
        FirmScore.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_a_year_without_a_current_run_shows_every_top_firm_as_new(world) -> None:
    ranked(world, extra=10, year=1402)
    figures_for([world.firm, *FirmFactory.create_batch(4, park=world.park)], year=1403)
    preview = methodology_preview(spec=active_spec(), year=1403)
    assert preview.run is None and preview.spearman is None
    assert preview.current_eligible_count is None and preview.eligible_change is None
    assert len(preview.entering) == 5 and preview.leaving == [] and preview.staying_count == 0
    assert all(f.old_rank is None for f in preview.entering)


def test_a_method_the_engine_cannot_compute_raises_a_preview_error(world) -> None:
    ranked(world, extra=10)
    spec = active_spec()
    spec["engine"]["aggregate"] = {"method": "geometric"}  # of min-max scores that reach 0
    with pytest.raises(PreviewError, match="geometric"):
        methodology_preview(spec=spec, year=1403)


def test_the_preview_year_is_the_latest_ranked_year_else_the_latest_with_data(world) -> None:
    assert preview_year() is None
    figures_for([world.firm], year=1401)
    assert preview_year() == 1401
    ranked(world, extra=3, year=1400)
    assert preview_year() == 1400


def test_spearman_of_equal_reversed_and_tied_orders() -> None:
    a = pd.Series([1, 2, 3, 4, 5])
    assert spearman(a, a) == pytest.approx(1.0)
    assert spearman(a, a[::-1].reset_index(drop=True)) == pytest.approx(-1.0)
    # Ties get average ranks: b's ranks are 1.5, 1.5, 3, 4, 5.
    b = pd.Series([1, 1, 3, 4, 5])
    assert spearman(a, b) == pytest.approx(0.9746794, abs=1e-6)
    assert spearman(a.head(1), b.head(1)) is None
    assert spearman(a, pd.Series([7, 7, 7, 7, 7])) is None


def test_a_second_preview_reuses_the_loaded_data_until_the_data_changes(world) -> None:
    ranked(world, extra=10)
    spec = active_spec()
    methodology_preview(spec=spec, year=1403)
    with CaptureQueriesContext(connection) as again:
        methodology_preview(spec=with_pillar_weight(spec, "exports", 2), year=1403)
    assert not [
        q for q in again.captured_queries if "firms_firmyear" in q["sql"] and "JOIN" in q["sql"]
    ]
    fy = FirmYear.objects.filter(year=1403).order_by("firm_id").first()
    fy.employees = 400  # now too big to be an SME
    fy.save()
    changed = methodology_preview(spec=spec, year=1403)
    assert fy.firm_id in {f.firm_id for f in changed.leaving}
