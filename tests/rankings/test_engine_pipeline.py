"""The whole pipeline on a tiny hand-computed index."""

import numpy as np
import pandas as pd
import pytest

from rankings.engine import EngineError

from .engine_helpers import run, tiny_data


def test_default_method_gives_the_hand_computed_scores():
    # a: [0, 50, 100, 100]; b reversed: [100, 88.9, 66.7, 0]; c: [0, 50, 25, 100]
    result = run()
    assert result.normalised["b"].tolist() == pytest.approx([100, 800 / 9, 200 / 3, 0], rel=1e-14)
    assert result.aggregated["P1"].tolist() == pytest.approx([50, 625 / 9, 250 / 3, 50], rel=1e-14)
    assert result.scores.tolist() == pytest.approx([25, 1075 / 18, 325 / 6, 75], rel=1e-14)
    assert result.ranks["Rank"].tolist() == [4, 2, 3, 1]


def test_ranks_within_each_group_column():
    assert run().ranks["Rank_region"].tolist() == [2, 1, 2, 1]


def test_denomination_divides_before_normalising_and_ties_share_a_rank():
    result = run(denominate=True)
    assert result.denominated["b"].tolist() == [2.0, 2.0, 2.0, 4.0]
    assert result.raw["b"].tolist() == [2.0, 4.0, 8.0, 20.0]
    assert result.scores.tolist() == [25.0, 62.5, 62.5, 75.0]
    assert result.ranks["Rank"].tolist() == [4, 2, 2, 1]


def test_every_stage_is_kept_and_shows_what_changed():
    data = tiny_data()
    data.loc[1, "a"] = np.nan
    result = run(data=data, impute={"method": "group_mean", "group": "region"})
    assert np.isnan(result.raw.loc["U2", "a"])
    assert result.imputed.loc["U2", "a"] == 0.0  # the other "north" unit
    assert result.imputed_cells.loc["U2", "a"]
    assert int(result.imputed_cells.to_numpy().sum()) == 1
    assert list(result.treatment["action"]) == ["none", "none", "none"]


def test_output_has_ucode_every_aggregate_and_rank():
    out = run().output()
    assert list(out.columns) == ["uCode", "P1", "P2", "Idx", "Rank"]
    assert out["uCode"].tolist() == ["U1", "U2", "U3", "U4"]


def test_a_weight_override_changes_the_index():
    # Pillar 2 counts three times: U1 = (50 + 0 * 3) / 4
    result = run(weights={"P2": 3})
    assert result.scores["U1"] == 12.5


def test_units_keep_their_names_and_groups():
    units = run().units
    assert units.loc["U3", "uName"] == "Three"
    assert units.loc["U3", "region"] == "south"


def test_a_unit_with_no_data_gets_no_score_and_no_rank():
    data = pd.concat(
        [tiny_data(), pd.DataFrame({"uCode": ["U5"], "region": ["south"], "pop": [1.0]})]
    )
    result = run(data=data)
    assert np.isnan(result.scores["U5"])
    assert result.ranks["Rank"].isna().tolist() == [False, False, False, False, True]


def test_duplicate_unit_codes_are_an_error():
    data = tiny_data()
    data.loc[3, "uCode"] = "U1"
    with pytest.raises(EngineError) as err:
        run(data=data)
    assert str(err.value) == "uCode 'U1' appears more than once in the data"


def test_an_infinite_value_is_an_error():
    data = tiny_data()
    data.loc[2, "c"] = np.inf
    with pytest.raises(EngineError) as err:
        run(data=data)
    assert str(err.value) == "column 'c' has an infinite value (uCode 'U3')"
