"""Normalisation methods, each after multiplying by the indicator's Direction."""

import numpy as np
import pytest

from rankings.engine import EngineError, NormaliseSpec
from rankings.engine.normalise import normalise

COL = np.array([[2.0], [4.0], [6.0], [np.nan]])


def norm(values, method, direction=1, targets=None, **kw):
    return normalise(
        values=np.asarray(values, dtype=float),
        directions=np.array([direction] * np.asarray(values).shape[1], dtype=float),
        spec=NormaliseSpec(method=method, **kw),
        targets=None if targets is None else np.array(targets, dtype=float),
        indicators=("x",),
    )[:, 0]


def test_minmax_maps_the_smallest_value_to_the_lower_bound_and_the_largest_to_the_upper():
    assert norm(COL, "minmax")[:3].tolist() == [0.0, 50.0, 100.0]


def test_minmax_keeps_missing_values_missing():
    assert np.isnan(norm(COL, "minmax")[3])


def test_minmax_uses_the_given_range():
    assert norm(COL, "minmax", range=(1.0, 10.0))[:3].tolist() == [1.0, 5.5, 10.0]


def test_a_negative_direction_reverses_the_scale():
    assert norm(COL, "minmax", direction=-1)[:3].tolist() == [100.0, 50.0, 0.0]


def test_minmax_of_a_constant_indicator_is_missing_as_in_coinr():
    assert np.isnan(norm([[3.0], [3.0], [3.0]], "minmax")).all()


def test_zscore_uses_the_sample_standard_deviation():
    assert norm([[1.0], [2.0], [3.0]], "zscore").tolist() == [-1.0, 0.0, 1.0]


def test_zscore_rescales_to_the_requested_mean_and_sd():
    assert norm([[1.0], [2.0], [3.0]], "zscore", mean=10.0, sd=2.0).tolist() == [8.0, 10.0, 12.0]


def test_prank_gives_tied_values_the_lowest_rank_over_non_missing_values():
    out = norm([[10.0], [20.0], [20.0], [30.0], [np.nan]], "prank")
    assert out[:4].tolist() == [0.0, 1 / 3, 1 / 3, 1.0]
    assert np.isnan(out[4])


def test_rank_is_ascending_with_ties_taking_the_lowest_rank():
    assert norm([[10.0], [20.0], [20.0], [30.0]], "rank").tolist() == [1.0, 2.0, 2.0, 4.0]


def test_rank_after_a_negative_direction_puts_the_smallest_value_last():
    assert norm([[10.0], [20.0], [30.0]], "rank", direction=-1).tolist() == [3.0, 2.0, 1.0]


def test_dist2max_is_one_minus_the_share_of_the_range_below_the_maximum():
    assert norm(COL, "dist2max")[:3].tolist() == [0.0, 0.5, 1.0]


def test_goalposts_measure_from_the_worst_value_to_the_target_and_cap_at_one():
    out = norm(COL, "goalposts", targets=[5.0])
    assert out[:3].tolist() == pytest.approx([0.0, 2 / 3, 1.0], rel=1e-15)


def test_goalposts_without_cap_let_values_beyond_the_target_exceed_one():
    out = norm(COL, "goalposts", targets=[5.0], cap=False)
    assert out[2] == pytest.approx(4 / 3, rel=1e-15)


def test_goalposts_flip_the_target_for_a_negative_direction():
    # lower is better, target 3: (max - x) / (max - target) = (6 - x) / 3
    out = norm(COL, "goalposts", direction=-1, targets=[3.0])
    assert out[:3].tolist() == pytest.approx([1.0, 2 / 3, 0.0], rel=1e-15)


def test_goalposts_without_a_target_is_an_error():
    with pytest.raises(EngineError) as err:
        norm(COL, "goalposts", targets=[np.nan])
    assert str(err.value) == (
        "goalposts normalisation needs a Target for every indicator; missing for: x"
    )


def test_normalise_does_not_modify_its_input():
    values = COL.copy()
    norm(values, "minmax")
    assert np.array_equal(values, COL, equal_nan=True)
