"""Outlier treatment: skew/kurtosis, COINr-style winsorisation, log fallback."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rankings.engine.method import TreatSpec
from rankings.engine.treat import skew_kurtosis, treat, treat_values

SPEC = TreatSpec(method="winsorise_then_log", winmax=5, skew=2.0, kurtosis=3.5)


def spec(winmax: int) -> TreatSpec:
    return TreatSpec(method="winsorise_then_log", winmax=winmax)


def test_skew_and_kurtosis_use_the_bias_adjusted_sample_estimators():
    # x = 1,2,3,4,10: mean 4, m2 = 10, m3 = 36, m4 = 278.8 (hand computed)
    skew, kurt = skew_kurtosis(np.array([1.0, 2, 3, 4, 10]))
    assert skew == pytest.approx(1.2 * math.sqrt(2), rel=1e-12)  # sqrt(20)/3 * 36/10^1.5
    assert kurt == pytest.approx(3.152, rel=1e-12)  # (6 (2.788 - 3) + 6) * 4 / 6


def test_skew_and_kurtosis_ignore_missing_values():
    with_nan = skew_kurtosis(np.array([1.0, np.nan, 2, 3, 4, 10]))
    assert with_nan == skew_kurtosis(np.array([1.0, 2, 3, 4, 10]))


def test_an_indicator_that_passes_is_left_unchanged():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    result = treat_values(x, SPEC)
    assert result.action == "none"
    assert result.points_changed == 0
    assert np.array_equal(result.values, x)


def test_passing_needs_only_one_of_the_two_thresholds():
    # skew 2.03 fails, kurtosis 2.58 passes: COINr's test is an OR, so nothing is done
    x = np.array([*range(1, 11), 100.0, 100.0])
    skew, kurt = skew_kurtosis(x)
    assert skew > 2 and kurt < 3.5
    assert treat_values(x, SPEC).action == "none"


def test_winsorisation_sets_the_maximum_to_the_largest_remaining_value():
    x = np.array([*range(1, 11), 30.0, 100.0])
    result = treat_values(x, SPEC)
    assert result.action == "winsorised"
    assert result.points_changed == 1
    assert result.values.tolist() == [*range(1, 11), 30.0, 30.0]


def test_winsorisation_moves_the_minimum_up_when_skew_is_negative():
    x = np.array([*range(1, 11), -100.0])
    result = treat_values(x, SPEC)
    assert result.values.tolist() == [*range(1, 11), 1.0]
    assert result.points_changed == 1


def test_tied_maxima_move_together_and_each_counts_as_a_changed_point():
    # winmax 1: one step moves both 200s to 60; two points changed, then the loop stops
    x = np.array([*range(1, 21), 60.0, 200.0, 200.0])
    result = treat_values(x, spec(1))
    assert result.action == "winsorised"
    assert result.points_changed == 2
    assert result.values[-3:].tolist() == [60.0, 60.0, 60.0]


def test_a_point_moved_several_times_is_counted_once():
    # 40 -> 20 -> 10 -> 1: three steps change three distinct points, and with winmax 3 it passes
    x = np.array([0.0] * 12 + [1.0] * 15 + [10.0, 20.0, 40.0])
    result = treat_values(x, spec(3))
    assert result.action == "winsorised"
    assert result.points_changed == 3
    assert result.values[-3:].tolist() == [1.0, 1.0, 1.0]


def test_log_of_the_untreated_values_when_winsorisation_reaches_winmax():
    # with winmax 2 two points are moved but the indicator still fails: log(x - 0 + 0.4)
    x = np.array([0.0] * 12 + [1.0] * 15 + [10.0, 20.0, 40.0])
    result = treat_values(x, spec(2))
    assert result.action == "log"
    assert result.points_changed == x.size
    assert result.values[0] == pytest.approx(math.log(0.4), rel=1e-15)
    assert result.values[-1] == pytest.approx(math.log(40.4), rel=1e-15)
    assert result.skew_before == pytest.approx(4.010939613876532, rel=1e-12)


def test_winmax_zero_goes_straight_to_the_log_transform():
    x = np.array([*range(1, 11), 30.0, 100.0])
    result = treat_values(x, spec(0))
    assert result.action == "log"
    assert result.values[0] == pytest.approx(math.log(0.99), rel=1e-15)  # 1 - 1 + 0.01 * 99


def test_treat_keeps_missing_values_and_reports_every_indicator():
    values = np.array([[*range(1, 11), 30.0, 100.0, np.nan], [float(i) for i in range(13)]]).T
    out, report, changed = treat(values=values, indicators=("x", "y"), spec=SPEC)
    assert np.isnan(out[12, 0])
    assert out[11, 0] == 30.0
    assert report["iCode"].tolist() == ["x", "y"]
    assert report["action"].tolist() == ["winsorised", "none"]
    assert report["points_changed"].tolist() == [1, 0]
    assert changed[:, 0].tolist() == [False] * 11 + [True, False]
    assert not changed[:, 1].any()


def test_method_none_reports_skew_but_changes_nothing():
    values = np.array([[*range(1, 11), 30.0, 100.0]]).T
    out, report, _ = treat(values=values, indicators=("x",), spec=TreatSpec())
    assert np.array_equal(out, values)
    assert report.loc[0, "action"] == "none"
    assert report.loc[0, "skew_before"] == pytest.approx(3.0632410342394993, rel=1e-12)


def _coinr_winsorise(x: list[float], winmax: int, skew_t: float = 2, kurt_t: float = 3.5):
    """COINr's `winsorise()` transcribed literally, as an independent oracle."""
    x = list(x)

    def check(v):
        s, k = skew_kurtosis(np.array(v))
        return (abs(s) < skew_t) or (k < kurt_t) or math.isnan(s), s

    passing, s = check(x)
    imax, imin = [], []
    while not passing and len(imax) + len(imin) < winmax:
        if s >= 0:
            top = max(x)
            imax = [i for i, v in enumerate(x) if v == top]
            rest = [v for i, v in enumerate(x) if i not in imax]
            for i in imax:
                x[i] = max(rest)
        else:
            bottom = min(x)
            imin = [i for i, v in enumerate(x) if v == bottom]
            rest = [v for i, v in enumerate(x) if i not in imin]
            for i in imin:
                x[i] = min(rest)
        passing, s = check(x)
    return x, passing


@settings(max_examples=150, deadline=None)
@given(
    base=st.lists(st.integers(0, 6), min_size=60, max_size=200),
    outliers=st.lists(st.sampled_from([-500, -80, 40, 90, 300, 2000]), max_size=8),
    winmax=st.integers(1, 6),
)
def test_fast_winsorisation_matches_a_literal_transcription_of_coinr(base, outliers, winmax):
    x = np.array(base + outliers, dtype=float)
    expected, passes = _coinr_winsorise(x.tolist(), winmax)
    result = treat_values(x, spec(winmax))
    if result.action == "winsorised":
        assert passes
        assert result.values.tolist() == expected
        assert result.points_changed == sum(a != b for a, b in zip(x, expected, strict=True))
    elif result.action == "log":
        assert not passes
    else:
        assert expected == x.tolist()


def test_an_excluded_indicator_is_never_treated_even_when_it_fails_the_test() -> None:
    import numpy as np

    from rankings.engine.method import TreatSpec
    from rankings.engine.treat import treat

    flags = np.array([[1.0]] + [[0.0]] * 30)  # a rare yes/no flag: very skewed
    spec = TreatSpec(method="winsorise_then_log", exclude=("flag",))
    out, report, changed = treat(values=flags, indicators=["flag"], spec=spec)
    assert report.loc[0, "action"] == "none" and not changed.any()
    assert out[:, 0].tolist() == flags[:, 0].tolist()
    _, report, _ = treat(
        values=flags, indicators=["flag"], spec=TreatSpec(method="winsorise_then_log")
    )
    assert report.loc[0, "action"] != "none"


def test_exclude_must_list_codes() -> None:
    import pytest

    from rankings.engine import EngineError
    from rankings.engine.method import TreatSpec

    with pytest.raises(EngineError, match=r"treat\.exclude must be a list of indicator codes"):
        TreatSpec.from_dict({"method": "none", "exclude": "flag"})
