"""Monte Carlo uncertainty of the ranking, and variance-based sensitivity."""

import numpy as np
import pandas as pd
import pytest

from rankings.engine import (
    EngineError,
    Method,
    NormaliseSpec,
    UncertaintySpec,
    build_index,
    run_sensitivity,
    run_uncertainty,
)

METHOD = Method.from_dict(
    {
        "impute": {"method": "median"},
        "treat": {"method": "winsorise_then_log", "winmax": 3},
        "normalise": {"method": "minmax", "range": [1, 100]},
    }
)


def synthetic(n: int = 60, seed: int = 7):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"uCode": [f"F{i:03d}" for i in range(n)]})
    rows = []
    for j in range(6):
        x = rng.lognormal(2.0, 0.3 + 0.3 * j, n)
        x[rng.random(n) < 0.05] = np.nan
        data[f"i{j}"] = x
        rows.append([f"i{j}", 1, f"P{j % 3}", -1 if j == 4 else 1, 1.0, "Indicator"])
    rows += [[f"P{p}", 2, "Idx", 1, 1.0, "Aggregate"] for p in range(3)]
    rows += [["Idx", 3, None, 1, 1.0, "Aggregate"]]
    meta = pd.DataFrame(rows, columns=["iCode", "Level", "Parent", "Direction", "Weight", "Type"])
    return data, meta


DATA, META = synthetic()
FIXED = UncertaintySpec(
    replications=20,
    weight_spread=0.0,
    normalisations=(METHOD.normalise,),
    aggregations=("arithmetic",),
    winmax=(3,),
)


def test_with_zero_uncertainty_the_band_collapses_to_the_nominal_rank():
    summary = run_uncertainty(data=DATA, meta=META, method=METHOD, spec=FIXED).summary
    nominal = summary["nominal_rank"].astype(float)
    for column in ["median_rank", "rank_p05", "rank_p95"]:
        assert summary[column].tolist() == nominal.tolist()
    assert set(summary["p_top_k"]) == {1.0}  # K = 100 exceeds the 60 units


def test_the_nominal_rank_is_the_rank_of_build_index():
    summary = run_uncertainty(data=DATA, meta=META, method=METHOD, spec=FIXED).summary
    ranks = build_index(data=DATA, meta=META, method=METHOD).ranks["Rank"]
    assert summary["nominal_rank"].tolist() == ranks.tolist()


def test_a_seed_makes_the_analysis_reproducible():
    spec = UncertaintySpec(replications=30, seed=11, top_k=10)
    first = run_uncertainty(data=DATA, meta=META, method=METHOD, spec=spec)
    again = run_uncertainty(data=DATA, meta=META, method=METHOD, spec=spec)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    pd.testing.assert_frame_equal(first.replications, again.replications)


def test_the_band_orders_5_50_and_95_percent_ranks_and_the_top_k_share_is_a_probability():
    spec = UncertaintySpec(replications=50, seed=3, top_k=10)
    result = run_uncertainty(data=DATA, meta=META, method=METHOD, spec=spec, keep_ranks=True)
    s = result.summary
    assert (s["rank_p05"] <= s["median_rank"]).all()
    assert (s["median_rank"] <= s["rank_p95"]).all()
    assert s["p_top_k"].between(0, 1).all()
    assert result.ranks.shape == (60, 50)
    assert s["p_top_k"].tolist() == pytest.approx((result.ranks <= 10).mean(axis=1).tolist())
    assert s["median_rank"].tolist() == np.median(result.ranks, axis=1).tolist()


def test_replications_draw_from_every_option():
    spec = UncertaintySpec(replications=60, seed=5)
    reps = run_uncertainty(data=DATA, meta=META, method=METHOD, spec=spec).replications
    assert set(reps["normalise"]) == {"minmax", "rank"}
    assert set(reps["aggregate"]) == {"arithmetic", "geometric"}
    assert set(reps["winmax"]) == {1, 2, 3, 4, 5}


def test_geometric_aggregation_with_a_zero_lower_bound_is_rejected_up_front():
    spec = UncertaintySpec(normalisations=(NormaliseSpec(method="minmax", range=(0.0, 100.0)),))
    with pytest.raises(EngineError) as err:
        run_uncertainty(data=DATA, meta=META, method=METHOD, spec=spec)
    assert str(err.value) == (
        "geometric aggregation needs positive normalised values, but normalisation 'minmax' "
        "gives 0; use e.g. minmax with range [1, 100]"
    )


def test_the_uncertainty_spec_parses_json_and_rejects_unknown_choices():
    spec = UncertaintySpec.from_dict(
        {"replications": 10, "normalisations": [{"method": "zscore", "mean": 10, "sd": 2}]}
    )
    assert spec.normalisations == (NormaliseSpec(method="zscore", mean=10.0, sd=2.0),)
    with pytest.raises(EngineError) as err:
        UncertaintySpec.from_dict({"aggregations": ["median"]})
    assert str(err.value) == (
        "unknown aggregate method 'median'; expected one of arithmetic, geometric, harmonic"
    )
    with pytest.raises(EngineError) as err:
        UncertaintySpec.from_dict({"replicates": 5})
    assert str(err.value) == "unknown key(s) in uncertainty: replicates"


def test_sensitivity_uses_n_times_k_plus_2_runs_and_the_standard_estimators():
    spec = UncertaintySpec(replications=16, seed=2)
    result = run_sensitivity(data=DATA, meta=META, method=METHOD, spec=spec)
    assert list(result.indices.index) == ["weights", "normalisation", "aggregation", "winmax"]
    assert result.runs == 16 * (4 + 2)
    v = np.var(np.concatenate([result.y_a, result.y_b]), ddof=1)
    assert result.variance == pytest.approx(v, rel=1e-12)
    y_ab = result.y_ab["aggregation"]
    s = np.mean(result.y_b * (y_ab - result.y_a)) / v
    st = np.mean((result.y_a - y_ab) ** 2) / (2 * v)
    assert result.indices.loc["aggregation", "first_order"] == pytest.approx(s, rel=1e-12)
    assert result.indices.loc["aggregation", "total"] == pytest.approx(st, rel=1e-12)


def test_a_choice_whose_options_agree_has_zero_sensitivity():
    same = NormaliseSpec(method="minmax", range=(1.0, 100.0))
    spec = UncertaintySpec(
        replications=12, seed=4, normalisations=(same, same), aggregations=("arithmetic",)
    )
    result = run_sensitivity(data=DATA, meta=META, method=METHOD, spec=spec)
    assert result.indices.loc["normalisation"].tolist() == [0.0, 0.0]
    assert result.indices.loc["weights", "total"] > 0


def test_sensitivity_without_any_uncertain_choice_is_an_error():
    with pytest.raises(EngineError) as err:
        run_sensitivity(data=DATA, meta=META, method=METHOD, spec=FIXED)
    assert str(err.value) == (
        "no uncertain choice: every choice has one option and no weight spread"
    )
