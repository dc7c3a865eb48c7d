"""Weighted means over the framework's Parent links."""

import numpy as np
import pytest

from rankings.engine import EngineError
from rankings.engine.aggregate import aggregate_level

W = np.array([[1.0], [3.0]])


def agg(rows, method, weights=W):
    return aggregate_level(
        np.array(rows, dtype=float),
        weights,
        method,
        child_codes=("x", "y"),
        parent_codes=("P",),
        units=[f"U{i + 1}" for i in range(len(rows))],
    )[:, 0]


def test_arithmetic_mean_is_weighted():
    assert agg([[10.0, 20.0]], "arithmetic").tolist() == [17.5]  # (10 + 3 * 20) / 4


def test_arithmetic_mean_drops_a_missing_child_and_renormalises_the_weights():
    assert agg([[np.nan, 20.0]], "arithmetic").tolist() == [20.0]


def test_all_children_missing_gives_a_missing_aggregate():
    assert np.isnan(agg([[np.nan, np.nan]], "arithmetic")[0])


def test_geometric_mean_is_weighted():
    # exp((log 2 + 3 log 32) / 4) = 2^(16/4) = 16
    assert agg([[2.0, 32.0]], "geometric")[0] == pytest.approx(16.0, rel=1e-14)


def test_geometric_mean_drops_missing_children():
    assert agg([[np.nan, 32.0]], "geometric")[0] == pytest.approx(32.0, rel=1e-14)


def test_geometric_mean_over_a_zero_is_a_clear_error():
    with pytest.raises(EngineError) as err:
        agg([[5.0, 1.0], [0.0, 2.0]], "geometric")
    assert str(err.value) == (
        "geometric mean needs values > 0, but 'x' (in 'P') is 0 for unit 'U2'; "
        "use a normalisation with a positive range, e.g. minmax 1-100"
    )


def test_harmonic_mean_is_weighted():
    # 4 / (1/2 + 3/6) = 4
    assert agg([[2.0, 6.0]], "harmonic")[0] == pytest.approx(4.0, rel=1e-15)


def test_harmonic_mean_over_a_zero_is_a_clear_error():
    with pytest.raises(EngineError) as err:
        agg([[0.0, 6.0]], "harmonic")
    assert str(err.value).startswith("harmonic mean needs non-zero values, but 'x' (in 'P') is 0")


def test_each_parent_uses_only_its_own_children():
    weights = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    out = aggregate_level(np.array([[1.0, 3.0, 7.0]]), weights, "arithmetic")
    assert out.tolist() == [[2.0, 7.0]]
