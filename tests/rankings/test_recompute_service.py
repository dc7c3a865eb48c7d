from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from firms.models import FirmYear
from rankings.methodology import spec_default
from rankings.models import FirmScore, Methodology, RankingRun, YearState
from rankings.services import (
    data_changed,
    methodology_create,
    ranking_recompute,
    years_behind,
)
from tests.factories import FirmFactory, FirmYearFactory, ParkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms_with_data() -> list:
    park = ParkFactory()
    firms = FirmFactory.create_batch(12, park=park)
    for i, firm in enumerate(firms):
        FirmYearFactory(
            firm=firm, year=1402, sales=1000 + 100 * i, employees=20 + i, exports=10 * i
        )
        FirmYearFactory(
            firm=firm,
            year=1403,
            sales=1200 + 150 * i,
            employees=22 + i,
            exports=50 * i,
            net_profit=10 * i - 30,
        )
    return firms


def test_a_data_change_bumps_the_generation_and_enqueues_after_commit(
    firms_with_data, django_capture_on_commit_callbacks
) -> None:
    with mock.patch("rankings.tasks.recompute_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            data_changed(years=[1403, 1403, 1402])
        assert YearState.objects.get(year=1403).generation == 1
        assert sorted(c.args[0] for c in delay.call_args_list) == [1402, 1403]
        assert len(callbacks) == 2


def test_a_rolled_back_change_enqueues_nothing(firms_with_data) -> None:
    with mock.patch("rankings.tasks.recompute_task.delay") as delay:
        with pytest.raises(RuntimeError), transaction.atomic():
            data_changed(years=[1403])
            raise RuntimeError("upload failed")
        assert delay.call_count == 0
    assert not YearState.objects.filter(year=1403, generation__gt=0).exists()


def test_recompute_writes_a_run_with_every_firm_and_switches_the_pointer(firms_with_data) -> None:
    data_changed(years=[1403])
    run = ranking_recompute(year=1403)
    assert run.status == RankingRun.Status.SUCCEEDED
    assert run.firm_count == 12 and run.eligible_count == 12
    assert YearState.objects.get(year=1403).current_run == run
    scores = FirmScore.objects.filter(run=run)
    assert scores.count() == 12
    assert sorted(scores.values_list("rank", flat=True)) == list(range(1, 13))
    top = scores.get(rank=1)
    assert set(top.pillars) == {"competitiveness", "exports", "innovation", "standards", "finance"}
    assert set(top.indicators_norm) >= {"sales_log", "debt_ratio"}
    assert set(run.timings) >= {"load", "compute", "write", "total"}
    assert run.methodology.is_active and run.generation == 1


def test_recompute_is_idempotent_when_nothing_changed(firms_with_data) -> None:
    data_changed(years=[1403])
    first = ranking_recompute(year=1403)
    assert ranking_recompute(year=1403) is None
    data_changed(years=[1403])  # a commit that changed no figure
    assert ranking_recompute(year=1403) is None
    assert RankingRun.objects.count() == 1
    assert YearState.objects.get(year=1403).current_run == first
    assert years_behind() == []


def test_a_second_run_records_each_firms_rank_change(firms_with_data) -> None:
    data_changed(years=[1403])
    first = ranking_recompute(year=1403)
    last = FirmScore.objects.get(run=first, rank=12).firm
    FirmYear.objects.filter(firm=last, year=1403).update(
        sales=90_000, exports=60_000, net_profit=20_000, rd_spend=5_000, tech_level=5
    )
    data_changed(years=[1403])
    second = ranking_recompute(year=1403)
    moved = FirmScore.objects.get(run=second, firm=last)
    assert moved.previous_rank == 12
    assert moved.rank < 12 and moved.rank_change == 12 - moved.rank
    assert YearState.objects.get(year=1403).current_run == second


def test_a_held_year_lock_makes_a_second_recompute_return_at_once(firms_with_data) -> None:
    from rankings.locks import year_lock

    data_changed(years=[1403])
    with year_lock(1403) as held:
        assert held
        with year_lock(1403) as second:
            assert second is False
    assert ranking_recompute(year=1403) is not None


def test_a_failing_computation_is_recorded_and_the_old_run_stays_current(firms_with_data) -> None:
    data_changed(years=[1403])
    good = ranking_recompute(year=1403)
    FirmYear.objects.filter(year=1403).update(tech_level=0)
    data_changed(years=[1403])
    with mock.patch("rankings.services.year_ranking_compute", side_effect=ValueError("boom")):
        assert ranking_recompute(year=1403) is None
    failed = RankingRun.objects.exclude(pk=good.pk).get()
    assert failed.status == "failed" and failed.failure_reason == "boom"
    assert YearState.objects.get(year=1403).current_run == good
    assert YearState.objects.get(year=1403).failed_attempts == 1
    assert years_behind() == [1403]


def test_a_used_methodology_cannot_be_edited(firms_with_data) -> None:
    data_changed(years=[1403])
    run = ranking_recompute(year=1403)
    methodology = run.methodology
    methodology.spec = {**methodology.spec, "top_n": 10}
    with pytest.raises(ValidationError):
        methodology.save()


def test_a_new_active_version_deactivates_the_old_and_triggers_a_recompute(
    firms_with_data, django_capture_on_commit_callbacks
) -> None:
    spec = spec_default()
    spec["pillars"][0]["weight"] = 2
    with (
        mock.patch("rankings.tasks.recompute_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        new = methodology_create(
            name="heavier competitiveness", spec=spec, author=None, activate=True
        )
    assert list(Methodology.objects.filter(is_active=True)) == [new]
    assert new.version == 2
    assert sorted(c.args[0] for c in delay.call_args_list) == [1402, 1403]


def test_two_active_methodologies_are_impossible(db) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Methodology.objects.create(version=9, name="x", spec=spec_default(), is_active=True)
