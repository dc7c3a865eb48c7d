"""The shortfall report's arithmetic: pure pandas, no database. Figures are worked by hand."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from rankings import insights
from rankings.methodology import spec_default
from rankings.shortfalls import (
    GAP_NAMES,
    ShortfallMethod,
    benchmarks_compute,
    firm_shortfalls,
    group_shortfalls,
    improvements,
    most_common,
    top_threshold,
    weakest_pillars,
)

# Three pillars, the third counting double: Σw = 4.
ARITH = ShortfallMethod(
    pillars=("competitiveness", "exports", "innovation"),
    weights={"competitiveness": 1.0, "exports": 1.0, "innovation": 2.0},
    aggregation="arithmetic",
    top_n=2,
)


def frame(rows: dict[int, tuple[float, float, float]], method=ARITH) -> pd.DataFrame:
    pillars = pd.DataFrame.from_dict(rows, orient="index", columns=list(method.pillars))
    w = pd.Series(method.weights)[list(method.pillars)]
    present = pillars.notna()
    score = (pillars.fillna(0) * w).sum(axis=1) / (present * w).sum(axis=1)
    out = pillars.assign(score=score, division="25")
    out["rank"] = out["score"].rank(ascending=False, method="min")
    return out


def no_gaps(index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(False, index=index, columns=list(GAP_NAMES))


def test_the_module_imports_no_django() -> None:
    code = (
        "import sys, rankings.shortfalls, rankings.analysis_compute; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_threshold_is_the_score_of_the_firm_in_place_top_n() -> None:
    assert top_threshold(pd.Series([50.0, 80.0, np.nan, 60.0, 35.0]), 2) == 60.0
    assert top_threshold(pd.Series([50.0, 60.0, 60.0]), 2) == 60.0
    assert top_threshold(pd.Series([50.0, np.nan]), 2) is None


def test_arithmetic_improvements_are_the_gap_times_total_weight_over_the_pillar_weight() -> None:
    # F1 80, F2 60 (= T, place 2), F3 (40, 60, 50) -> 50, F4 (90, 10, 20) -> 35.
    scores = frame({1: (80, 80, 80), 2: (70, 50, 60), 3: (40, 60, 50), 4: (90, 10, 20)})
    delta, impossible = improvements(
        pillars=scores[list(ARITH.pillars)], score=scores["score"], threshold=60.0, method=ARITH
    )
    # F3: (60 - 50) * 4 / 1 = 40 for the single-weight pillars, 10 * 4 / 2 = 20 for the double.
    assert delta.loc[3].tolist() == pytest.approx([40.0, 40.0, 20.0])
    # 60 + 40 = 100 exactly: reachable, not "impossible".
    assert not impossible.loc[3].any()
    # F4: 25 * 4 = 100 points on a pillar at 90 or 10 passes 100: impossible; 25 * 2 = 50 is not.
    assert impossible.loc[4].tolist() == [True, True, False]
    assert np.isnan(delta.loc[4, "competitiveness"]) and np.isnan(delta.loc[4, "exports"])
    assert delta.loc[4, "innovation"] == pytest.approx(50.0)
    # Firms at or above T need nothing.
    assert delta.loc[[1, 2]].isna().all().all() and not impossible.loc[[1, 2]].any().any()


def test_a_missing_pillar_is_left_out_and_the_weights_of_the_others_renormalised() -> None:
    scores = frame({5: (50, np.nan, 40)})  # (50 + 2 * 40) / 3 = 43.33
    delta, impossible = improvements(
        pillars=scores[list(ARITH.pillars)], score=scores["score"], threshold=60.0, method=ARITH
    )
    # Σw over the pillars present is 3: (60 - 43.33) * 3 = 50 and * 3 / 2 = 25.
    assert delta.loc[5, "competitiveness"] == pytest.approx(50.0)
    assert delta.loc[5, "innovation"] == pytest.approx(25.0)
    assert np.isnan(delta.loc[5, "exports"]) and not impossible.loc[5, "exports"]


GEO = ShortfallMethod(
    pillars=("competitiveness", "exports"),
    weights={"competitiveness": 1.0, "exports": 1.0},
    aggregation="geometric",
    top_n=1,
)


def test_geometric_improvements_are_solved_exactly() -> None:
    pillars = pd.DataFrame(
        {"competitiveness": [64.0, 25.0, 0.0], "exports": [100.0, 64.0, 81.0]}, index=[1, 2, 3]
    )
    score = np.sqrt(pillars["competitiveness"] * pillars["exports"])  # 80, 40, 0
    delta, impossible = improvements(pillars=pillars, score=score, threshold=80.0, method=GEO)
    # F2: sqrt(P * 64) = 80 -> P = 100, a rise of 75; sqrt(25 * P) = 80 -> P = 256 > 100.
    assert delta.loc[2, "competitiveness"] == pytest.approx(75.0)
    assert impossible.loc[2].tolist() == [False, True]
    # F3 has a zero pillar: raising it alone works (6400 / 81 = 79.01), raising the
    # other cannot lift a product that stays zero.
    assert delta.loc[3, "competitiveness"] == pytest.approx(6400 / 81)
    assert impossible.loc[3].tolist() == [False, True]


def test_the_geometric_solution_agrees_with_the_single_firm_gap_of_the_firm_page() -> None:
    pillars = {"competitiveness": 25.0, "exports": 64.0}
    gap = insights.top_gap(
        score=40.0,
        rank=2,
        pillars=pillars,
        weights=GEO.weights,
        threshold=80.0,
        top_n=1,
        aggregation="geometric",
    )
    delta, _ = improvements(
        pillars=pd.DataFrame([pillars], index=[2]),
        score=pd.Series([40.0], index=[2]),
        threshold=80.0,
        method=GEO,
    )
    by_code = {g.code: g for g in gap.gaps}
    assert delta.loc[2, "competitiveness"] == pytest.approx(
        by_code["competitiveness"].target - 25.0
    )


def test_vectorised_arithmetic_improvements_match_the_single_firm_gap_on_random_firms() -> None:
    rng = np.random.default_rng(3)
    spec = spec_default()
    spec["pillars"][1]["weight"] = 2
    method = ShortfallMethod.from_spec(spec)
    pillars = pd.DataFrame(
        rng.uniform(0, 100, size=(50, 5)), columns=list(method.pillars), index=range(50)
    )
    w = pd.Series(method.weights)
    score = (pillars * w).sum(axis=1) / w.sum()
    threshold = float(score.max())
    delta, impossible = improvements(
        pillars=pillars, score=score, threshold=threshold, method=method
    )
    for i in range(50):
        gap = insights.top_gap(
            score=float(score[i]),
            rank=None,
            pillars=pillars.loc[i].to_dict(),
            weights=method.weights,
            threshold=threshold,
            top_n=1,
        )
        for g in gap.gaps:
            if g.possible:
                assert delta.loc[i, g.code] == pytest.approx(g.target - g.current)
            else:
                assert impossible.loc[i, g.code] or score[i] >= threshold


def test_weakest_pillars_are_the_two_furthest_below_the_sector_median_and_only_those() -> None:
    gaps = pd.DataFrame(
        {"a": [-5.0, 3.0, -1.0], "b": [-9.0, 1.0, np.nan], "c": [2.0, 0.0, -1.0]}, index=[1, 2, 3]
    )
    out = weakest_pillars(gaps)
    assert out.loc[1].tolist() == ["b", "a"]
    assert out.loc[2].tolist() == [None, None]  # nothing below the median
    assert out.loc[3].tolist() == ["a", "c"]  # a tie keeps the pillar order


def test_most_common_gaps_are_the_largest_positive_shares_largest_first() -> None:
    shares = pd.DataFrame(
        {"no_exports": [0.5, 0.0], "no_rd": [0.7, 0.0], "high_debt": [0.5, 0.1], "no_x": [0.1, 0]}
    )
    out = most_common(shares)
    assert out.loc[0].tolist() == ["no_rd", "no_exports", "high_debt"]
    assert out.loc[1].tolist() == ["high_debt", None, None]


def test_a_firm_is_weak_in_a_pillar_in_the_national_bottom_quartile_ties_at_the_floor_included():
    method = ShortfallMethod(
        pillars=("exports", "finance"), weights={"exports": 1.0, "finance": 1.0}, top_n=1
    )
    # Exports: five firms with none (0) and three with some; finance equal for everyone.
    exports = [0, 0, 0, 0, 0, 20, 40, 60]
    scores = pd.DataFrame(
        {"exports": exports, "finance": [50.0] * 8, "division": "25"}, index=range(1, 9)
    )
    scores["score"] = (scores["exports"] + scores["finance"]) / 2
    scores["rank"] = scores["score"].rank(ascending=False, method="min")
    bench = benchmarks_compute(ranked=scores, method=method)
    assert bench.weak_at == {"exports": 0.0, "finance": 50.0}
    out = firm_shortfalls(scores=scores, gaps=no_gaps(scores.index), bench=bench, method=method)
    assert out["weak_exports"].tolist() == [True] * 5 + [False] * 3
    # A pillar on which every firm is equal makes nobody weak.
    assert not out["weak_finance"].any()


def test_firm_shortfalls_combine_ranks_peers_needs_and_concrete_gaps() -> None:
    scores = frame({1: (80, 80, 80), 2: (70, 50, 60), 3: (40, 60, 50), 4: (90, 10, 20)})
    scores.loc[4, "division"] = "10"
    gaps = no_gaps(scores.index)
    gaps.loc[3, ["no_exports", "no_rd"]] = True
    bench = benchmarks_compute(ranked=scores, method=ARITH)
    assert bench.threshold == 60.0
    out = firm_shortfalls(scores=scores, gaps=gaps, bench=bench, method=ARITH)
    assert out["in_top"].tolist() == [True, True, False, False]
    # Sector 25 medians (F1-F3): 70, 60, 60. F3 is 30 below on competitiveness, 10 on
    # innovation, level on exports.
    assert out.loc[3, ["gap_competitiveness", "gap_exports", "gap_innovation"]].tolist() == [
        -30.0,
        0.0,
        -10.0,
    ]
    assert out.loc[3, ["weakest_1", "weakest_2"]].tolist() == ["competitiveness", "innovation"]
    assert out.loc[3, "need_innovation"] == pytest.approx(20.0)
    assert out.loc[1, ["need_competitiveness", "need_innovation"]].isna().all()
    assert out.loc[4, "impossible_exports"] and not out.loc[1, "impossible_exports"]
    assert out.loc[3, "no_exports"] and not out.loc[4, "no_exports"]


def test_group_shares_count_each_firm_once_per_group_and_a_firm_may_be_in_several() -> None:
    firms = pd.DataFrame(
        {
            "in_top": [True, False, False, False],
            "weak_exports": [False, True, True, False],
            **{g: [False] * 4 for g in GAP_NAMES},
        },
        index=[1, 2, 3, 4],
    )
    firms.loc[[2, 3], "no_exports"] = True
    firms.loc[[3], "high_debt"] = True
    groups = pd.DataFrame({"firm_id": [1, 2, 3, 4, 3], "group": ["A", "A", "A", "B", "B"]})
    out = group_shortfalls(firms=firms, groups=groups, pillars=["exports"])
    assert out.index.tolist() == ["A", "B"]
    assert out.loc["A", ["firms", "in_top"]].tolist() == [3, 1]
    assert out.loc["A", "weak_exports"] == pytest.approx(2 / 3)
    assert out.loc["B", "no_exports"] == pytest.approx(0.5)
    assert out.loc["A", ["top_gap_1", "top_gap_2", "top_gap_3"]].tolist() == [
        "no_exports",
        "high_debt",
        None,
    ]


def test_with_fewer_ranked_firms_than_top_n_everyone_is_in_and_nothing_is_needed() -> None:
    scores = frame({1: (80, 80, 80), 2: (70, 50, 60)})
    method = ShortfallMethod(pillars=ARITH.pillars, weights=ARITH.weights, top_n=100)
    bench = benchmarks_compute(ranked=scores, method=method)
    out = firm_shortfalls(scores=scores, gaps=no_gaps(scores.index), bench=bench, method=method)
    assert bench.threshold is None
    assert out["in_top"].all()
    assert out.filter(like="need_").isna().all().all()
