"""What a firm's scores say about it: pure computations, no database."""

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from rankings import insights
from rankings.engine.aggregate import aggregate_level
from rankings.methodology import spec_default

PILLARS = ["competitiveness", "exports", "innovation", "standards", "finance"]


def firm_pillars(**values: float) -> dict[str, float]:
    base = {"competitiveness": 50.0, "exports": 32.0, "innovation": 40.0, "standards": 45.0}
    return {**base, "finance": 55.0, **values}


def engine_index(pillars: dict[str, float], weights: dict[str, float], method: str) -> float:
    """The index as the engine aggregates it, to check the gap formula against."""
    codes = list(pillars)
    children = np.array([[pillars[c] for c in codes]])
    w = np.array([[weights[c]] for c in codes])
    return float(aggregate_level(children, w, method)[0, 0])


def test_the_module_imports_no_django() -> None:
    code = (
        "import sys, rankings.insights; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# --- the indicator table -------------------------------------------------------------


def test_indicator_rows_follow_the_spec_and_read_ratios_as_percentages_and_sales_as_money() -> None:
    raw = {"sales_log": math.log1p(200_000), "export_share": 0.1234, "tech_level": 3.0}
    rows = insights.indicator_rows(
        spec=spec_default(), raw=raw, normalised={"export_share": 41.0}, treatment=[]
    )
    by_code = {r.code: r for r in rows}
    assert [r.code for r in rows][:3] == ["sales_log", "sales_growth", "employment_growth"]
    assert len(rows) == 16
    assert by_code["sales_log"].shown == pytest.approx(200_000)
    assert by_code["sales_log"].kind == "money_log"
    assert by_code["export_share"].shown == pytest.approx(12.34)
    assert by_code["export_share"].kind == "percent"
    assert by_code["tech_level"].shown == 3.0
    assert by_code["export_share"].pillar_fa == "صادرات‌محوری"
    assert by_code["export_share"].label_fa == "سهم صادرات از فروش"


def test_a_value_missing_from_the_figures_but_normalised_was_imputed() -> None:
    rows = insights.indicator_rows(
        spec=spec_default(),
        raw={"rd_intensity": None, "new_products": float("nan"), "tech_level": 2.0},
        normalised={"rd_intensity": 12.5, "new_products": None, "tech_level": 40.0},
        treatment=[],
    )
    by_code = {r.code: r for r in rows}
    assert by_code["rd_intensity"].imputed is True
    assert by_code["new_products"].imputed is False  # nothing to show either way
    assert by_code["tech_level"].imputed is False


def test_each_indicator_carries_the_treatment_the_run_applied_to_it() -> None:
    treatment = [
        {"iCode": "sales_per_employee", "action": "log", "points_changed": 3327},
        {"iCode": "export_markets", "action": "winsorised", "points_changed": 4},
        {"iCode": "sales_log", "action": "none", "points_changed": 0},
    ]
    rows = insights.indicator_rows(spec=spec_default(), raw={}, normalised={}, treatment=treatment)
    by_code = {r.code: r for r in rows}
    assert (by_code["sales_per_employee"].treatment, by_code["export_markets"].treatment) == (
        "log",
        "winsorised",
    )
    assert by_code["export_markets"].points_changed == 4
    assert by_code["profit_margin"].treatment == "none"  # not in the report: untreated


# --- peers -----------------------------------------------------------------------------


def test_the_percentile_counts_peers_strictly_below_and_leaves_the_firm_itself_out() -> None:
    peers = pd.Series({1: 40.0, 2: 50.0, 3: 50.0, 4: 60.0, 5: np.nan, 9: 30.0})
    p = insights.peer_percentile(
        group="sector",
        name_fa="ساخت",
        name_en="Manufacture",
        firm_id=2,
        score=50.0,
        peer_scores=peers,
    )
    # Peers: 1, 3, 4 and 9 (5 has no score); below 50: firms 1 and 9. A tie is not below.
    assert (p.peers, p.below, p.percent) == (4, 2, 50.0)


def test_without_peers_there_is_no_percentile() -> None:
    p = insights.peer_percentile(
        group="province",
        name_fa="قم",
        name_en="Qom",
        firm_id=7,
        score=50.0,
        peer_scores=pd.Series({7: 50.0}),
    )
    assert (p.peers, p.below, p.percent) == (0, 0, None)


def test_pillar_medians_skip_missing_values_and_say_none_when_nothing_is_left() -> None:
    peers = pd.DataFrame(
        {"exports": [10.0, None, 30.0, 20.0], "finance": [None, None, None, None]},
        index=[1, 2, 3, 4],
    )
    medians = insights.pillar_medians(peers=peers, pillars=["exports", "finance", "innovation"])
    assert medians == {"exports": 20.0, "finance": None, "innovation": None}


def points_with(national: dict[str, float], sector: dict[str, float]) -> list:
    return insights.pillar_points(
        spec=spec_default(), pillars=firm_pillars(), national=national, sector=sector
    )


def test_strengths_and_weaknesses_are_the_pillars_furthest_above_and_below_the_medians() -> None:
    medians = dict.fromkeys(PILLARS, 45.0)
    standing = insights.pillar_standing(points=points_with(medians, medians))
    # Gaps: competitiveness +5, exports -13, innovation -5, standards 0, finance +10.
    assert [p.code for p in standing.strengths] == ["finance", "competitiveness"]
    assert [p.code for p in standing.weaknesses] == ["exports", "innovation"]
    assert standing.weaknesses[0].gap_national == -13.0
    assert standing.weaknesses[0].distance_national == 13.0


def test_the_order_weighs_the_national_and_the_sector_median_equally() -> None:
    national = dict.fromkeys(PILLARS, 45.0)
    # Exports are far below nationally but the sector is weak in exports too.
    sector = {**national, "exports": 10.0, "innovation": 60.0}
    standing = insights.pillar_standing(points=points_with(national, sector))
    assert standing.weaknesses[0].code == "innovation"  # (-5 - 20) / 2 < (-13 + 22) / 2
    assert "exports" not in [p.code for p in standing.weaknesses]


def test_with_three_pillars_one_is_a_strength_and_one_a_weakness() -> None:
    points = [
        insights.PillarPoint(code=c, label_fa=c, label_en=c, score=s, national=50.0)
        for c, s in [("a", 70.0), ("b", 50.0), ("c", 20.0)]
    ]
    standing = insights.pillar_standing(points=points)
    assert [p.code for p in standing.strengths] == ["a"]
    assert [p.code for p in standing.weaknesses] == ["c"]


# --- the gap to the top-N ----------------------------------------------------------


def test_the_brief_example_export_orientation_from_32_to_51_reaches_the_top_100() -> None:
    pillars = firm_pillars()  # mean 44.4
    gap = insights.top_gap(
        score=44.4,
        rank=180,
        pillars=pillars,
        weights=dict.fromkeys(PILLARS, 1.0),
        threshold=48.2,
        top_n=100,
    )
    exports = next(g for g in gap.gaps if g.code == "exports")
    assert not gap.in_top and gap.supported
    assert (exports.current_shown, exports.target_shown, exports.increase_shown) == (
        32.0,
        51.0,
        19.0,
    )
    assert exports.possible and exports.label_fa == "صادرات‌محوری"


@pytest.mark.parametrize("method", ["arithmetic", "geometric"])
def test_the_target_pillar_brings_the_engine_index_exactly_to_the_threshold(method: str) -> None:
    pillars = firm_pillars()
    weights = {"competitiveness": 2.0, "exports": 1.5, "innovation": 1.0, "standards": 0.5}
    weights["finance"] = 1.0
    score = engine_index(pillars, weights, method)
    threshold = score + 4.0
    gap = insights.top_gap(
        score=score,
        rank=300,
        pillars=pillars,
        weights=weights,
        threshold=threshold,
        top_n=100,
        aggregation=method,
    )
    assert len(gap.gaps) == 5
    for g in gap.gaps:
        moved = {**pillars, g.code: g.target}
        assert engine_index(moved, weights, method) == pytest.approx(threshold), g.code


def test_a_rise_past_the_best_possible_score_is_called_impossible_and_listed_last() -> None:
    gap = insights.top_gap(
        score=44.4,
        rank=2000,
        pillars=firm_pillars(),
        weights=dict.fromkeys(PILLARS, 1.0),
        threshold=52.0,  # +7.6 on the index: +38 on one pillar
        top_n=100,
    )
    possible = {g.code: g.possible for g in gap.gaps}
    assert possible == {
        "exports": True,  # 32 -> 70
        "innovation": True,  # 40 -> 78
        "standards": True,  # 45 -> 83
        "competitiveness": True,  # 50 -> 88
        "finance": True,  # 55 -> 93
    }
    gap = insights.top_gap(
        score=44.4,
        rank=2000,
        pillars=firm_pillars(),
        weights=dict.fromkeys(PILLARS, 1.0),
        threshold=56.0,  # +58 on one pillar: only exports and innovation can
        top_n=100,
    )
    assert [(g.code, g.possible) for g in gap.gaps] == [
        ("exports", True),
        ("innovation", True),
        ("competitiveness", False),
        ("standards", False),
        ("finance", False),
    ]
    assert [g.code for g in gap.gaps if g.possible] == ["exports", "innovation"]


def test_easier_gaps_come_first_when_weights_differ() -> None:
    weights = {**dict.fromkeys(PILLARS, 1.0), "finance": 3.0}
    gap = insights.top_gap(
        score=44.4, rank=500, pillars=firm_pillars(), weights=weights, threshold=46.0, top_n=100
    )
    assert gap.gaps[0].code == "finance"  # the heaviest pillar needs the smallest rise


def test_a_pillar_of_weight_zero_cannot_lift_the_firm() -> None:
    weights = {**dict.fromkeys(PILLARS, 1.0), "standards": 0.0}
    gap = insights.top_gap(
        score=45.25, rank=500, pillars=firm_pillars(), weights=weights, threshold=46.0, top_n=100
    )
    standards = next(g for g in gap.gaps if g.code == "standards")
    assert (standards.possible, standards.target, standards.target_shown) == (False, None, None)


def test_a_firm_in_the_top_n_gets_its_margin_and_no_gaps() -> None:
    gap = insights.top_gap(
        score=61.3,
        rank=42,
        pillars=firm_pillars(),
        weights=dict.fromkeys(PILLARS, 1.0),
        threshold=55.0,
        top_n=100,
    )
    assert gap.in_top and gap.gaps == []
    assert gap.margin == pytest.approx(6.3)


def test_a_harmonic_mean_is_not_inverted() -> None:
    gap = insights.top_gap(
        score=40.0,
        rank=500,
        pillars=firm_pillars(),
        weights=dict.fromkeys(PILLARS, 1.0),
        threshold=46.0,
        top_n=100,
        aggregation="harmonic",
    )
    assert not gap.supported and gap.gaps == []


def test_the_target_shown_is_rounded_up_so_it_never_falls_short() -> None:
    g = insights.PillarGap(
        code="exports", label_fa="", label_en="", current=32.04, target=51.01, possible=True
    )
    assert (g.current_shown, g.target_shown, g.increase_shown) == (32.0, 51.1, 19.1)


def test_the_spec_gives_weights_with_engine_overrides_the_aggregation_and_the_ceiling() -> None:
    spec = spec_default()
    spec["pillars"][1]["weight"] = 2
    spec["engine"]["weights"] = {"finance": 0.5}
    spec["engine"]["aggregate"] = {"method": "geometric"}
    spec["engine"]["normalise"] = {"method": "minmax", "range": [1, 10]}
    weights = insights.spec_pillar_weights(spec)
    assert weights == {
        "competitiveness": 1.0,
        "exports": 2.0,
        "innovation": 1.0,
        "standards": 1.0,
        "finance": 0.5,
    }
    assert insights.spec_aggregation(spec) == "geometric"
    assert insights.spec_ceiling(spec) == 10.0
    assert insights.spec_ceiling(
        {"pillars": [], "engine": {"normalise": {"method": "zscore"}}}
    ) == (100.0)


# --- the indicators behind a weak pillar -------------------------------------------


def test_no_exports_and_no_markets_are_named_before_a_fall_in_exports() -> None:
    findings = insights.pillar_findings(
        spec=spec_default(),
        pillar="exports",
        raw={"export_share": 0.0, "export_growth": -0.08, "export_markets": 0.0},
        normalised={"export_share": 0.0, "export_growth": 12.0, "export_markets": 0.0},
    )
    assert [(f.code, f.issue) for f in findings] == [
        ("export_share", "absent"),
        ("export_markets", "absent"),
        ("export_growth", "negative"),
    ]
    assert findings[2].shown == pytest.approx(-8.0)


def test_missing_r_and_d_is_estimated_and_a_healthy_indicator_is_not_a_finding() -> None:
    findings = insights.pillar_findings(
        spec=spec_default(),
        pillar="innovation",
        raw={"rd_intensity": None, "new_products": 4.0, "tech_level": 1.0, "knowledge_based": 1.0},
        normalised={"rd_intensity": 30.0, "new_products": 80.0, "tech_level": 20.0},
    )
    assert [(f.code, f.issue) for f in findings] == [
        ("rd_intensity", "missing"),
        ("tech_level", "low"),
    ]


def test_heavy_debt_is_named_as_high_and_a_loss_as_negative() -> None:
    findings = insights.pillar_findings(
        spec=spec_default(),
        pillar="finance",
        raw={"debt_ratio": 0.82, "return_on_assets": -0.04},
        normalised={"debt_ratio": 18.0, "return_on_assets": 20.0},
    )
    assert [(f.code, f.issue) for f in findings] == [
        ("return_on_assets", "negative"),
        ("debt_ratio", "high"),
    ]
    assert findings[1].shown == pytest.approx(82.0)


def test_no_certificate_is_named_for_standards() -> None:
    findings = insights.pillar_findings(
        spec=spec_default(),
        pillar="standards",
        raw={"certifications": 0.0, "national_standard": 0.0},
        normalised={"certifications": 0.0, "national_standard": 0.0},
    )
    assert [f.code for f in findings] == ["certifications", "national_standard"]
    assert {f.issue for f in findings} == {"absent"}


# --- eligibility ---------------------------------------------------------------------


def test_ineligibility_carries_the_band_the_firm_falls_outside() -> None:
    spec = spec_default()
    spec["eligibility"] = {"employees_min": 10, "employees_max": 150, "sales_max": 5_000_000}
    e = insights.ineligibility(reason="sales_above_cap", spec=spec, employees=80, sales=9_000_000)
    assert (e.reason, e.sales, e.sales_max, e.employees_min, e.employees_max) == (
        "sales_above_cap",
        9_000_000,
        5_000_000,
        10,
        150,
    )
