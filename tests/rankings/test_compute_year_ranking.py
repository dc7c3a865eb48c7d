import numpy as np
import pandas as pd

from rankings.compute import year_ranking_compute
from rankings.methodology import spec_default
from tests.rankings.rank_data import frames


def test_firms_outside_the_employee_band_are_not_ranked_and_say_why() -> None:
    figures, firms = frames()
    figures.loc[(figures.firm_id == 1) & (figures.year == 1403), "employees"] = 5
    figures.loc[(figures.firm_id == 2) & (figures.year == 1403), "employees"] = 400
    result = year_ranking_compute(figures=figures, firms=firms, year=1403, spec=spec_default())
    s = result.scores
    assert s.loc[1, "ineligible_reason"] == "too_few_employees"
    assert s.loc[2, "ineligible_reason"] == "too_many_employees"
    assert s.loc[[1, 2], "rank"].isna().all() and s.loc[[1, 2], "score"].isna().all()
    assert result.eligible_count == 38


def test_the_sales_cap_excludes_large_firms() -> None:
    figures, firms = frames()
    spec = spec_default()
    spec["eligibility"]["sales_max"] = 3000
    result = year_ranking_compute(figures=figures, firms=firms, year=1403, spec=spec)
    over = figures[(figures.year == 1403) & (figures.sales > 3000)].firm_id
    assert (result.scores.loc[over, "ineligible_reason"] == "sales_above_cap").all()


def test_ranks_are_dense_from_one_and_follow_the_scores() -> None:
    figures, firms = frames()
    s = year_ranking_compute(figures=figures, firms=firms, year=1403, spec=spec_default()).scores
    ordered = s.sort_values("rank")
    assert ordered["rank"].iloc[0] == 1
    assert ordered["score"].is_monotonic_decreasing
    assert sorted(s["rank"].astype(int)) == list(range(1, 41))


def test_group_ranks_restart_at_one_within_each_province_park_and_sector() -> None:
    figures, firms = frames()
    s = year_ranking_compute(figures=figures, firms=firms, year=1403, spec=spec_default()).scores
    s = s.join(firms)
    for column, key in (
        ("rank_province", "province_id"),
        ("rank_park", "park_id"),
        ("rank_sector", "division"),
    ):
        for _, group in s.groupby(key):
            assert sorted(group[column].astype(int)) == list(range(1, len(group) + 1))
            best = group.sort_values("score", ascending=False).iloc[0]
            assert best[column] == 1


def test_a_firm_best_on_every_indicator_ranks_first() -> None:
    figures, firms = frames()
    best = (figures.firm_id == 7) & (figures.year == 1403)
    figures.loc[best, ["sales", "exports", "rd_spend", "net_profit", "total_assets"]] = [
        9e5,
        4e5,
        4e4,
        2e5,
        9e5,
    ]
    figures.loc[best, ["export_countries", "new_products", "tech_level", "total_debt"]] = [
        30,
        20,
        5,
        0,
    ]
    figures.loc[best, "certifications"] = "ISO9001;ISO14001;INSO;CE"
    figures.loc[figures.firm_id == 7, "knowledge_based"] = True
    s = year_ranking_compute(figures=figures, firms=firms, year=1403, spec=spec_default()).scores
    assert s.loc[7, "rank"] == 1


def test_pillar_scores_average_to_the_index_with_equal_weights() -> None:
    figures, firms = frames()
    result = year_ranking_compute(figures=figures, firms=firms, year=1403, spec=spec_default())
    s = result.scores
    np.testing.assert_allclose(s[result.pillars].mean(axis=1), s["score"], rtol=1e-9)


def test_missing_growth_is_imputed_so_new_firms_are_still_ranked() -> None:
    figures, firms = frames()
    figures = figures[~((figures.firm_id == 5) & (figures.year == 1402))]
    result = year_ranking_compute(figures=figures, firms=firms, year=1403, spec=spec_default())
    assert np.isnan(result.raw.loc[5, "sales_growth"])
    assert not np.isnan(result.normalised.loc[5, "sales_growth"])
    assert pd.notna(result.scores.loc[5, "rank"])
