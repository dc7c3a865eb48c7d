import math

import numpy as np
import pandas as pd
import pytest

from rankings.indicators import INDICATORS, indicators_compute


def figures(**overrides: object) -> pd.DataFrame:
    base = {
        "firm_id": [1, 1, 2],
        "year": [1402, 1403, 1403],
        "employees": [40, 50, 20],
        "sales": [1000, 1500, 400],
        "exports": [100, 300, 0],
        "export_countries": [2, 4, 0],
        "rd_spend": [10, 30, None],
        "net_profit": [50, -75, 20],
        "total_assets": [800, 1000, 0],
        "total_debt": [200, 600, 50],
        "certifications": ["ISO9001", "ISO9001;INSO;HACCP", ""],
        "new_products": [0, 2, 1],
        "tech_level": [2, 3, 1],
        "knowledge_based": [True, True, False],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_every_declared_indicator_is_computed() -> None:
    out = indicators_compute(figures=figures(), year=1403)
    assert list(out.columns) == list(INDICATORS)
    assert list(out.index) == [1, 2]


def test_ratios_are_computed_against_this_years_sales_and_assets() -> None:
    out = indicators_compute(figures=figures(), year=1403).loc[1]
    assert out["sales_log"] == pytest.approx(math.log1p(1500))
    assert out["sales_per_employee"] == pytest.approx(30)
    assert out["profit_margin"] == pytest.approx(-0.05)
    assert out["export_share"] == pytest.approx(0.2)
    assert out["rd_intensity"] == pytest.approx(0.02)
    assert out["debt_ratio"] == pytest.approx(0.6)
    assert out["return_on_assets"] == pytest.approx(-0.075)


def test_growth_uses_the_previous_year_and_export_growth_is_relative_to_last_sales() -> None:
    out = indicators_compute(figures=figures(), year=1403).loc[1]
    assert out["sales_growth"] == pytest.approx(0.5)
    assert out["employment_growth"] == pytest.approx(0.25)
    assert out["export_growth"] == pytest.approx((300 - 100) / 1000)


def test_a_firm_without_a_previous_year_has_missing_growth() -> None:
    out = indicators_compute(figures=figures(), year=1403).loc[2]
    assert np.isnan(out["sales_growth"]) and np.isnan(out["export_growth"])


def test_zero_or_missing_denominators_give_missing_not_infinite_values() -> None:
    out = indicators_compute(figures=figures(), year=1403).loc[2]
    assert np.isnan(out["debt_ratio"])  # total assets are zero
    assert np.isnan(out["rd_intensity"])  # R&D spend is missing
    assert not np.isinf(indicators_compute(figures=figures(), year=1403).to_numpy()).any()


def test_certifications_are_counted_and_the_national_mark_is_flagged() -> None:
    out = indicators_compute(figures=figures(), year=1403)
    assert out.loc[1, "certifications"] == 3 and out.loc[1, "national_standard"] == 1
    assert out.loc[2, "certifications"] == 0 and out.loc[2, "national_standard"] == 0
    assert out.loc[1, "knowledge_based"] == 1 and out.loc[2, "knowledge_based"] == 0


def test_debt_ratio_is_the_only_indicator_where_less_is_better() -> None:
    assert [code for code, (_, _, d) in INDICATORS.items() if d == -1] == ["debt_ratio"]
