"""The JRC's ASEM Sustainable Connectivity index, as built by COINr's example coin."""

from pathlib import Path

import pytest

from rankings.engine import Method, build_index
from rankings.engine.cli import read_data, read_meta

ASEM = Path(__file__).resolve().parents[1] / "data" / "coinr_asem"
METHOD = {
    "denominate": True,
    "impute": {"method": "group_mean", "group": "EurAsia_group"},
    "treat": {"method": "winsorise_then_log", "winmax": 5, "skew": 2, "kurtosis": 3.5},
    "normalise": {"method": "minmax", "range": [0, 100]},
    "aggregate": {"method": "arithmetic"},
}


@pytest.fixture(scope="module")
def asem():
    return build_index(
        data=read_data(ASEM / "ASEM_iData.csv"),
        meta=read_meta(ASEM / "ASEM_iMeta.csv"),
        method=Method.from_dict(METHOD),
    )


def test_switzerland_is_first_at_68_38(asem):
    assert asem.ranks["Rank"].idxmin() == "CHE"
    assert asem.ranks.loc["CHE", "Rank"] == 1
    assert round(asem.scores["CHE"], 2) == 68.38


def test_india_scores_39_79_and_ranks_45th(asem):
    assert round(asem.scores["IND"], 2) == 39.79
    assert asem.ranks.loc["IND", "Rank"] == 45


def test_all_51_countries_are_ranked_on_the_index_level(asem):
    assert asem.framework.root == "Index"
    assert len(asem.scores) == 51
    assert asem.ranks["Rank"].notna().all()
    assert sorted(asem.framework.aggregate_levels[-2]) == ["Conn", "Sust"]


def test_treatment_is_reported_for_each_of_the_49_indicators(asem):
    report = asem.treatment
    assert len(report) == 49
    assert set(report["action"]) <= {"none", "winsorised", "log"}
    treated = report[report["action"] != "none"]
    assert (treated["points_changed"] > 0).all()
    assert (report.loc[report["action"] == "none", "points_changed"] == 0).all()


def test_imputation_fills_every_gap_that_a_group_can_fill(asem):
    assert not asem.imputed.isna().to_numpy().any()
    assert int(asem.imputed_cells.to_numpy().sum()) == int(asem.denominated.isna().sum().sum())
