"""Imputation of missing values, overall and by group; and denomination."""

import numpy as np

from rankings.engine.denominate import denominate
from rankings.engine.impute import impute

X = np.array([[1.0], [np.nan], [3.0], [10.0], [np.nan], [np.nan]])
GROUPS = np.array(["a", "a", "a", "b", "b", None], dtype=object)


def test_mean_imputation_fills_with_the_column_mean():
    out, filled = impute(values=X, method="mean")
    assert out[:, 0].tolist() == [1.0, 14 / 3, 3.0, 10.0, 14 / 3, 14 / 3]
    assert filled[:, 0].tolist() == [False, True, False, False, True, True]


def test_median_imputation_fills_with_the_column_median():
    out, _ = impute(values=X, method="median")
    assert out[:, 0].tolist() == [1.0, 3.0, 3.0, 10.0, 3.0, 3.0]


def test_group_mean_uses_the_units_own_group_and_skips_a_missing_group():
    out, filled = impute(values=X, method="group_mean", groups=GROUPS)
    assert out[:5, 0].tolist() == [1.0, 2.0, 3.0, 10.0, 10.0]
    assert np.isnan(out[5, 0])
    assert filled[:, 0].tolist() == [False, True, False, False, True, False]


def test_group_median_uses_the_groups_median():
    values = np.array([[1.0], [2.0], [9.0], [np.nan], [4.0], [np.nan]])
    groups = np.array(["a", "a", "a", "a", "b", "b"], dtype=object)
    out, _ = impute(values=values, method="group_median", groups=groups)
    assert out[:, 0].tolist() == [1.0, 2.0, 9.0, 2.0, 4.0, 4.0]


def test_a_group_with_no_data_stays_missing():
    values = np.array([[np.nan], [np.nan], [5.0]])
    groups = np.array(["a", "a", "b"], dtype=object)
    out, filled = impute(values=values, method="group_mean", groups=groups)
    assert np.isnan(out[:2, 0]).all()
    assert not filled[:2, 0].any()


def test_no_imputation_leaves_missing_values():
    out, filled = impute(values=X, method="none")
    assert np.array_equal(out, X, equal_nan=True)
    assert not filled.any()


def test_denominate_divides_only_indicators_that_name_a_denominator():
    values = np.array([[10.0, 10.0], [20.0, 20.0], [6.0, 6.0]])
    out = denominate(
        values=values,
        indicators=("x", "y"),
        denominator_of={"x": "pop", "y": None},
        denominators={"pop": np.array([2.0, 4.0, np.nan])},
    )
    assert out[:2, 0].tolist() == [5.0, 5.0]
    assert np.isnan(out[2, 0])
    assert out[:, 1].tolist() == [10.0, 20.0, 6.0]


def test_a_zero_denominator_gives_a_missing_value():
    out = denominate(
        values=np.array([[3.0]]),
        indicators=("x",),
        denominator_of={"x": "pop"},
        denominators={"pop": np.array([0.0])},
    )
    assert np.isnan(out[0, 0])
