"""The uncertainty analysis of a run: rank bands in FirmScore, sensitivity in RunAnalysis."""

from unittest import mock

import pytest

from firms.models import FirmYear
from rankings.analysis import run_analysis_compute
from rankings.methodology import SpecError, spec_default, spec_uncertainty, spec_validate
from rankings.models import FirmScore, RunAnalysis, YearState
from rankings.services import data_changed, ranking_recompute
from rankings.tasks import uncertainty_task
from tests.factories import FirmFactory, FirmYearFactory

pytestmark = pytest.mark.django_db

# No uncertain choice left: the methodology's own normalisation, aggregation and limit.
FIXED = {
    "weight_spread": 0,
    "normalisations": [{"method": "minmax", "range": [0, 100]}],
    "aggregations": ["arithmetic"],
    "winmax": [5],
}
QUICK = {"replications": 40, "sensitivity_samples": 8}


@pytest.fixture
def ranked(world):
    """124 firms with figures for 1403 (two too small to be ranked), ranked once."""
    firms = [world.firm, world.other_firm, *FirmFactory.create_batch(122, park=world.other_park)]
    for i, firm in enumerate(firms):
        FirmYearFactory(
            firm=firm,
            year=1403,
            sales=5_000 + 97 * i,
            exports=(31 * i) % 700,
            employees=3 if i in (7, 8) else 15 + i % 100,
            net_profit=(i % 7) * 40 - 60,
            rd_spend=(i % 5) * 100,
            tech_level=i % 6,
        )
    data_changed(years=[1403])
    return ranking_recompute(year=1403)


def bands(run) -> list[tuple]:
    return list(
        FirmScore.objects.filter(run=run)
        .order_by("firm_id")
        .values_list("rank", "rank_low", "rank_median", "rank_high", "top_probability")
    )


def test_with_no_uncertainty_every_band_collapses_to_the_nominal_rank(ranked) -> None:
    analysis = run_analysis_compute(run_id=ranked.pk, overrides=FIXED)
    assert analysis.status == RunAnalysis.Status.SUCCEEDED
    rows = [r for r in bands(ranked) if r[0] is not None]
    assert len(rows) == 122
    for rank, low, median, high, probability in rows:
        assert low == rank and high == rank and median == rank
        assert probability == (1.0 if rank <= 100 else 0.0)
    # Nothing uncertain, nothing to apportion.
    assert analysis.sensitivity == {}


def test_the_analysis_stores_bands_for_ranked_firms_and_sensitivity_per_choice(ranked) -> None:
    analysis = run_analysis_compute(run_id=ranked.pk, overrides=QUICK)
    assert analysis.status == "succeeded" and analysis.failure_reason == ""
    assert analysis.attempts == 1 and analysis.seconds > 0
    assert analysis.params["replications"] == 40 and analysis.params["firms"] == 122
    assert analysis.params["sensitivity_runs"] == 8 * (4 + 2)
    assert set(analysis.sensitivity) == {"weights", "normalisation", "aggregation", "winmax"}
    assert set(analysis.sensitivity["weights"]) == {"first_order", "total"}
    assert set(analysis.timings) >= {"load", "uncertainty", "sensitivity", "write"}
    ranked_rows = [r for r in bands(ranked) if r[0] is not None]
    assert all(low <= median <= high for _r, low, median, high, _p in ranked_rows)
    assert all(0.0 <= p <= 1.0 for *_rest, p in ranked_rows)
    assert any(low < high for _r, low, _m, high, _p in ranked_rows)
    # The two firms outside the SME band have no rank and no band.
    unranked = [r for r in bands(ranked) if r[0] is None]
    assert unranked == [(None, None, None, None, None)] * 2


def test_the_most_important_choice_is_the_one_with_the_largest_total_index(ranked) -> None:
    analysis = run_analysis_compute(run_id=ranked.pk, overrides=QUICK)
    rows = analysis.sensitivity_rows()
    totals = [r["total"] for r in rows if r["total"] is not None]
    assert totals == sorted(totals, reverse=True)
    assert analysis.most_important()["choice"] == rows[0]["choice"]


def test_the_analysis_is_seeded_so_a_second_analysis_gives_the_same_bands(ranked) -> None:
    run_analysis_compute(run_id=ranked.pk, overrides=QUICK)
    first = bands(ranked)
    RunAnalysis.objects.filter(run=ranked).delete()
    FirmScore.objects.filter(run=ranked).update(rank_low=None, rank_high=None)
    run_analysis_compute(run_id=ranked.pk, overrides=QUICK)
    assert bands(ranked) == first


def test_a_redelivered_task_for_a_finished_analysis_does_nothing(ranked) -> None:
    first = run_analysis_compute(run_id=ranked.pk, overrides=QUICK)
    before = bands(ranked)
    with mock.patch("rankings.analysis.analysis_compute") as compute:
        again = run_analysis_compute(run_id=ranked.pk, overrides=FIXED)
    assert compute.call_count == 0
    assert again.pk == first.pk and again.attempts == 1 and again.status == "succeeded"
    assert bands(ranked) == before


def test_an_analysis_another_worker_is_running_is_not_started_twice(ranked) -> None:
    from django.utils import timezone

    RunAnalysis.objects.create(run=ranked, status="running", started_at=timezone.now())
    with mock.patch("rankings.analysis.analysis_compute") as compute:
        analysis = run_analysis_compute(run_id=ranked.pk)
    assert compute.call_count == 0 and analysis.status == "running"


def test_an_analysis_lost_with_its_worker_is_claimed_again_after_the_timeout(ranked) -> None:
    import datetime as dt

    from django.utils import timezone

    long_ago = timezone.now() - dt.timedelta(days=1)
    RunAnalysis.objects.create(run=ranked, status="running", started_at=long_ago, attempts=1)
    analysis = run_analysis_compute(run_id=ranked.pk, overrides=FIXED)
    assert analysis.status == "succeeded" and analysis.attempts == 2


def test_a_run_that_is_no_longer_current_is_skipped(ranked) -> None:
    FirmYear.objects.filter(year=1403, firm__park__code="ISF-01").update(sales=90_000)
    data_changed(years=[1403])
    newer = ranking_recompute(year=1403)
    assert YearState.objects.get(year=1403).current_run == newer
    with mock.patch("rankings.analysis.analysis_compute") as compute:
        analysis = run_analysis_compute(run_id=ranked.pk)
    assert compute.call_count == 0
    assert analysis.status == "superseded"
    assert analysis.failure_reason == "the run is no longer its year's current run"
    assert all(r[1] is None for r in bands(ranked))


def test_a_run_whose_data_changed_since_is_skipped_before_any_computation(ranked) -> None:
    FirmYear.objects.filter(year=1403).update(exports=0)
    data_changed(years=[1403])  # the recompute has not run yet
    analysis = run_analysis_compute(run_id=ranked.pk)
    assert analysis.status == "superseded"
    assert "data changed" in analysis.failure_reason


def test_a_failure_is_recorded_with_its_reason_and_leaves_no_band(ranked) -> None:
    with mock.patch("rankings.analysis.analysis_compute", side_effect=ValueError("boom")):
        analysis = run_analysis_compute(run_id=ranked.pk)
    assert analysis.status == "failed"
    assert analysis.failure_reason == "ValueError: boom"
    assert analysis.finished_at is not None
    assert all(r[1] is None for r in bands(ranked))


def test_a_rebuilt_ranking_that_differs_from_the_run_fails_rather_than_store_wrong_bands(
    ranked,
) -> None:
    FirmScore.objects.filter(run=ranked, rank=1).update(rank=2)
    analysis = run_analysis_compute(run_id=ranked.pk, overrides=FIXED)
    assert analysis.status == "failed"
    assert "differs from the run's ranking" in analysis.failure_reason


def test_the_task_runs_the_analysis_and_returns_its_status(ranked) -> None:
    with mock.patch("rankings.analysis.analysis_settings", wraps=_quick_settings):
        assert uncertainty_task(ranked.pk) == "succeeded"
    assert RunAnalysis.objects.get(run=ranked).status == "succeeded"


def _quick_settings(*, spec, overrides=None):
    from rankings.analysis_compute import analysis_settings

    return analysis_settings(spec=spec, overrides={**QUICK, **(overrides or {})})


def test_a_new_run_enqueues_its_analysis_after_commit(
    world, django_capture_on_commit_callbacks
) -> None:
    for i, firm in enumerate([world.firm, *FirmFactory.create_batch(11, park=world.park)]):
        FirmYearFactory(firm=firm, year=1403, sales=5_000 + 300 * i, employees=20 + i, exports=0)
    data_changed(years=[1403])
    with (
        mock.patch("rankings.tasks.uncertainty_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = ranking_recompute(year=1403)
    assert [c.args for c in delay.call_args_list] == [(run.pk,)]


def test_the_methodology_may_set_the_uncertainty_and_bad_settings_are_refused() -> None:
    spec = spec_default()
    assert spec_uncertainty(spec)["replications"] == 200
    assert spec_uncertainty(spec)["weight_spread"] == 0.25
    spec["uncertainty"] = {"replications": 500, "seed": 7}
    assert spec_validate(spec) is spec
    assert spec_uncertainty(spec)["replications"] == 500
    for bad, message in [
        ({"replications": 0}, "replications must be a whole number from 1 to 2000"),
        ({"weight_spread": 1.5}, "weight_spread must be in [0, 1)"),
        ({"aggregations": ["median"]}, "unknown aggregate method 'median'"),
        ({"speed": "fast"}, "unknown key(s) speed"),
        ({"sensitivity_samples": 1}, "sensitivity_samples must be a whole number from 2"),
    ]:
        spec["uncertainty"] = bad
        with pytest.raises(
            SpecError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
        ):
            spec_validate(spec)
