"""Location quotients, CMP flags and ECO stars on small cases computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusters.mapping import (
    RESULT_COLUMNS,
    ClusterInputError,
    grouped_quantiles,
    location_quotients,
    map_clusters,
)

COLUMNS = ["region", "sector", "group", "employment", "establishments"]


def regions(*rows: tuple[str, str, str, int, int]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


def national(*rows: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["sector", "group", "employment"])


def row(result: pd.DataFrame, region: str, sector: str) -> pd.Series:
    found = result[(result["region"] == region) & (result["sector"] == sector)]
    assert len(found) == 1
    return found.iloc[0]


def flags(result: pd.DataFrame, region: str, sector: str) -> set[str]:
    cell = row(result, region, sector)
    return {name for name in ("qualifying", "significant", "strong", "strong10") if cell[name]}


TWO_REGIONS = regions(
    ("A", "x", "g", 30, 3),
    ("A", "y", "g", 70, 7),
    ("B", "x", "g", 10, 1),
    ("B", "y", "g", 90, 9),
)


# One sector "s" against a filler "o": every region employs 100, nationally s is 20%,
# so LQ(s) = share of s in the region / 0.2 = [0.25, 0.5, 0.75, 1.5, 3.0, 0].
FLAG_CASE = regions(
    ("R1", "s", "g", 5, 1),
    ("R1", "o", "g", 95, 10),
    ("R2", "s", "g", 10, 2),
    ("R2", "o", "g", 90, 10),
    ("R3", "s", "g", 15, 3),
    ("R3", "o", "g", 85, 10),
    ("R4", "s", "g", 30, 4),
    ("R4", "o", "g", 70, 10),
    ("R5", "s", "g", 60, 5),
    ("R5", "o", "g", 40, 10),
    ("R6", "s", "g", 0, 0),
    ("R6", "o", "g", 100, 10),
)


def test_lq_is_the_sectors_regional_share_over_its_national_share() -> None:
    result = map_clusters(regions=TWO_REGIONS)

    # A: (30/100) / (40/200) = 1.5; B: (10/100) / (40/200) = 0.5; y: 0.7/0.8 and 0.9/0.8.
    assert row(result, "A", "x")["lq"] == pytest.approx(1.5, rel=1e-12)
    assert row(result, "B", "x")["lq"] == pytest.approx(0.5, rel=1e-12)
    assert row(result, "A", "y")["lq"] == pytest.approx(0.875, rel=1e-12)
    assert row(result, "B", "y")["lq"] == pytest.approx(1.125, rel=1e-12)


def test_lq_compares_a_sector_within_its_group_not_with_total_employment() -> None:
    data = regions(
        ("A", "t1", "traded", 10, 1),
        ("A", "t2", "traded", 30, 1),
        ("A", "l1", "local", 60, 1),
        ("B", "t1", "traded", 30, 1),
        ("B", "t2", "traded", 30, 1),
        ("B", "l1", "local", 40, 1),
    )

    result = map_clusters(regions=data)

    # (10/40) / (40/100) = 0.625; against all employment it would be (10/100)/(40/200) = 0.5.
    assert row(result, "A", "t1")["lq"] == pytest.approx(0.625, rel=1e-12)
    assert row(result, "B", "t1")["lq"] == pytest.approx(1.25, rel=1e-12)
    # The only local sector is its group's whole employment everywhere.
    assert row(result, "A", "l1")["lq"] == 1.0


def test_national_file_gives_the_denominator_including_sectors_absent_from_the_regions() -> None:
    totals = national(("x", "g", 50), ("y", "g", 150), ("z", "g", 50))

    result = map_clusters(regions=TWO_REGIONS, national=totals)

    # National group total 250: A,x = 0.3 / (50/250) = 1.5; B,y = 0.9 / (150/250) = 1.5.
    assert row(result, "A", "x")["lq"] == pytest.approx(1.5, rel=1e-12)
    assert row(result, "B", "y")["lq"] == pytest.approx(1.5, rel=1e-12)
    assert "z" not in set(result["sector"])


def test_without_a_national_file_national_employment_is_the_sum_over_regions() -> None:
    summed = national(("x", "g", 40), ("y", "g", 160))

    assert map_clusters(regions=TWO_REGIONS).equals(
        map_clusters(regions=TWO_REGIONS, national=summed)
    )


def test_location_quotients_returns_the_lq_series_indexed_like_the_input() -> None:
    data = TWO_REGIONS.set_axis([10, 11, 12, 13])

    lq = location_quotients(regions=data)

    assert lq.index.tolist() == [10, 11, 12, 13]
    assert lq.to_numpy() == pytest.approx([1.5, 0.875, 0.5, 1.125], rel=1e-12)


def test_a_row_without_employment_has_lq_zero_and_no_flag_or_star() -> None:
    data = regions(
        ("A", "x", "g", 30, 3),
        ("A", "y", "g", 70, 7),
        ("B", "x", "g", 0, 0),
        ("B", "y", "g", 0, 0),
    )

    result = map_clusters(regions=data)

    # B has no employment in the group at all: 0/0, reported as 0 rather than NaN.
    assert row(result, "B", "x")["lq"] == 0.0
    assert row(result, "B", "y")["lq"] == 0.0
    assert flags(result, "B", "x") == set()
    assert row(result, "B", "x")["stars"] == 0


def test_qualifying_significant_strong_and_strong10_follow_the_cmp_percentile_rules() -> None:
    result = map_clusters(regions=FLAG_CASE)

    lq = [row(result, f"R{i}", "s")["lq"] for i in range(1, 7)]
    assert lq == pytest.approx([0.25, 0.5, 0.75, 1.5, 3.0, 0.0], rel=1e-12)
    # Over R1..R5: P25/P50/P75/P90 of LQ = 0.5, 0.75, 1.5, 2.4; P25 employment 10,
    # P25 establishments 2.
    assert flags(result, "R1", "s") == set()  # too small (5 <= 10)
    assert flags(result, "R2", "s") == set()  # employment = P25 is not above it
    assert flags(result, "R3", "s") == {"qualifying"}  # 0.75 is not above the median
    assert flags(result, "R4", "s") == {"qualifying", "significant", "strong"}
    assert flags(result, "R5", "s") == {"qualifying", "significant", "strong", "strong10"}
    assert flags(result, "R6", "s") == set()


def test_zero_employment_regions_are_left_out_of_the_percentile_distributions() -> None:
    without_r6 = FLAG_CASE[FLAG_CASE["region"] != "R6"]

    with_zero = map_clusters(regions=FLAG_CASE)
    without = map_clusters(regions=without_r6)

    # Counting R6's zero would lower the LQ median to 0.625 and make R3 significant.
    # (LQs themselves change without R6, since R6's filler employment changes the
    # national share; the flags of "s" do not.)
    for region in ("R1", "R2", "R3", "R4", "R5"):
        assert flags(with_zero, region, "s") == flags(without, region, "s")


def test_establishments_at_or_below_their_first_quartile_block_every_flag() -> None:
    data = FLAG_CASE.copy()
    data.loc[(data["region"] == "R5") & (data["sector"] == "s"), "establishments"] = 1

    result = map_clusters(regions=data)

    # Establishments now 1,2,3,4,1: P25 = 1, so R5 (1) fails despite the highest LQ.
    # R5 still counts in the LQ distribution, so P90 stays 2.4 and R4 is not strong10.
    assert flags(result, "R5", "s") == set()
    assert flags(result, "R4", "s") == {"qualifying", "significant", "strong"}


def test_strong_needs_an_lq_of_at_least_one_even_in_the_top_quarter() -> None:
    data = regions(
        ("R1", "s", "g", 10, 1),
        ("R1", "o", "g", 90, 9),
        ("R2", "s", "g", 20, 2),
        ("R2", "o", "g", 80, 9),
        ("R3", "s", "g", 30, 3),
        ("R3", "o", "g", 70, 9),
        ("R4", "s", "g", 40, 4),
        ("R4", "o", "g", 60, 9),
    )
    # Nationally half of the group is "s" (regions outside the data): LQs 0.2 .. 0.8.
    totals = national(("s", "g", 500), ("o", "g", 500))

    result = map_clusters(regions=data, national=totals)

    assert row(result, "R4", "s")["lq"] == pytest.approx(0.8, rel=1e-12)
    assert flags(result, "R4", "s") == {"qualifying", "significant"}
    assert flags(result, "R3", "s") == {"qualifying", "significant"}


def test_a_sector_present_in_a_single_region_gets_no_flag() -> None:
    data = regions(("A", "x", "g", 10, 1), ("A", "y", "g", 10, 1), ("B", "y", "g", 10, 1))

    result = map_clusters(regions=data)

    # Its employment is its own first quartile, and not above it.
    assert row(result, "A", "x")["lq"] == pytest.approx(1.5, rel=1e-12)
    assert flags(result, "A", "x") == set()


STAR_CASE = regions(
    ("R1", "s", "g", 100, 5),
    ("R1", "o", "g", 900, 5),
    ("R1", "h", "h", 9000, 5),
    ("R2", "s", "g", 10, 5),
    ("R2", "o", "g", 10, 5),
    ("R2", "h", "h", 980, 5),
    ("R3", "s", "g", 20, 5),
    ("R3", "o", "g", 180, 5),
    ("R3", "h", "h", 0, 0),
    ("R4", "s", "g", 10, 5),
    ("R4", "o", "g", 90, 5),
    ("R4", "h", "h", 900, 5),
    ("R5", "s", "g", 10, 5),
    ("R5", "o", "g", 90, 5),
    ("R5", "h", "h", 900, 5),
)


def stars_of(result: pd.DataFrame, region: str, sector: str) -> tuple[bool, bool, bool, int]:
    cell = row(result, region, sector)
    return (
        bool(cell["size_star"]),
        bool(cell["specialisation_star"]),
        bool(cell["focus_star"]),
        int(cell["stars"]),
    )


def test_each_star_is_awarded_on_its_own_criterion_and_stars_counts_them() -> None:
    result = map_clusters(regions=STAR_CASE)

    # s employment 100,10,20,10,10: P90 = 68, only R1 has the size star.
    assert stars_of(result, "R1", "s") == (True, False, False, 1)
    # R2: half of its group is s while nationally 150/1420 is: LQ 4.73 >= 2.
    assert row(result, "R2", "s")["lq"] == pytest.approx(0.5 / (150 / 1420), rel=1e-12)
    assert stars_of(result, "R2", "s") == (False, True, False, 1)
    # Share of the region's total employment 1%,1%,10%,1%,1%: P90 = 6.4%, only R3.
    # (Within the group R2 has the largest share: focus uses the whole region.)
    assert stars_of(result, "R3", "s") == (False, False, True, 1)
    assert stars_of(result, "R4", "s") == (False, False, False, 0)


def test_a_region_can_collect_all_three_stars() -> None:
    result = map_clusters(regions=FLAG_CASE)

    assert stars_of(result, "R5", "s") == (True, True, True, 3)
    assert stars_of(result, "R4", "s") == (False, False, False, 0)


def test_regions_tied_at_the_top_both_get_the_size_star() -> None:
    data = regions(
        ("A", "x", "g", 50, 1),
        ("B", "x", "g", 50, 1),
        ("C", "x", "g", 10, 1),
        ("D", "x", "g", 10, 1),
    )

    result = map_clusters(regions=data)

    # Top 10% means at or above P90, and P90 of 10,10,50,50 is 50.
    assert result["size_star"].tolist() == [True, True, False, False]


def test_the_result_keeps_input_order_and_has_the_documented_columns() -> None:
    result = map_clusters(regions=TWO_REGIONS)

    assert list(result.columns) == list(RESULT_COLUMNS)
    assert list(result.columns) == [
        "region",
        "sector",
        "group",
        "employment",
        "establishments",
        "lq",
        "qualifying",
        "significant",
        "strong",
        "strong10",
        "size_star",
        "specialisation_star",
        "focus_star",
        "stars",
    ]
    assert result[["region", "sector"]].values.tolist() == [
        ["A", "x"],
        ["A", "y"],
        ["B", "x"],
        ["B", "y"],
    ]
    assert result["stars"].dtype == np.int64


def test_a_region_sector_pair_given_twice_is_refused() -> None:
    data = regions(("A", "x", "g", 1, 1), ("A", "y", "g", 1, 1), ("A", "x", "g", 2, 1))

    with pytest.raises(ClusterInputError) as error:
        map_clusters(regions=data)

    assert str(error.value) == "regions row 2: duplicate region/sector A/x (first on row 0)"


def test_a_sector_in_two_groups_is_refused() -> None:
    data = regions(("A", "x", "g", 1, 1), ("B", "x", "h", 1, 1))

    with pytest.raises(ClusterInputError) as error:
        map_clusters(regions=data)

    assert str(error.value) == "regions row 1: sector x is in group h here but in group g on row 0"


def test_boolean_counts_are_refused_rather_than_read_as_one_and_zero() -> None:
    data = regions(("A", "x", "g", 1, 1)).astype({"establishments": bool})

    with pytest.raises(ClusterInputError) as error:
        map_clusters(regions=data)

    assert str(error.value) == "regions row 0: establishments is not a number: True"


# No deadline: the suite shares CPUs with other jobs; the property, not the speed, is tested.
@settings(deadline=None)
@given(
    groups=st.lists(
        st.lists(
            st.one_of(
                st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
                st.integers(min_value=0, max_value=5).map(float),
            ),
            min_size=1,
            max_size=12,
        ),
        min_size=1,
        max_size=6,
    ),
    q=st.floats(min_value=0.0, max_value=1.0),
)
def test_grouped_quantiles_equal_numpy_quantile_exactly(
    groups: list[list[float]], q: float
) -> None:
    values = np.concatenate([np.asarray(g) for g in groups])
    codes = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    shuffle = np.random.default_rng(0).permutation(len(values))
    quantiles = (0.25, 0.5, 0.75, 0.9, q)

    got = grouped_quantiles(
        values=values[shuffle], codes=codes[shuffle], n_groups=len(groups), quantiles=quantiles
    )

    for code, group in enumerate(groups):
        expected = np.quantile(np.asarray(group), quantiles)
        # Exact float equality; only the sign of a zero may differ, since 0.0 and -0.0
        # tie in a sort and either may come first.
        assert np.array_equal(got[:, code], expected)


def test_grouped_quantiles_give_nan_for_a_group_without_values() -> None:
    got = grouped_quantiles(
        values=np.array([1.0, 3.0]), codes=np.array([0, 0]), n_groups=2, quantiles=(0.5,)
    )

    assert got[0, 0] == 2.0
    assert np.isnan(got[0, 1])


def test_grouped_quantiles_follow_numpy_where_pandas_groupby_quantile_does_not() -> None:
    values = np.array(
        [
            529.8789225122408,
            199.76021617894932,
            65.13997461902389,
            228.73673741843018,
            93.1869604157834,
            235.11892075861172,
            539.4378286557974,
        ]
    )
    pandas_p75 = pd.Series(values).groupby(np.zeros(7)).quantile(0.75).iloc[0]

    got = grouped_quantiles(values=values, codes=np.zeros(7), n_groups=1, quantiles=(0.75,))

    # pandas interpolates from below, numpy from above when the weight is >= 0.5: one ulp.
    assert np.quantile(values, 0.75) == 382.49892163542626
    assert pandas_p75 == 382.4989216354263
    assert got[0, 0] == 382.49892163542626


def random_regions(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        (f"R{r:02d}", f"S{s}", "traded" if s < 4 else "local", int(employment), int(firms))
        for r in range(20)
        for s in range(6)
        for employment, firms in [
            (rng.integers(0, 5000) * (rng.random() < 0.9), rng.integers(1, 60))
        ]
    ]
    return regions(*rows)


@pytest.mark.parametrize("seed", [1, 2])
def test_results_do_not_depend_on_row_order(seed: int) -> None:
    data = random_regions(seed)
    shuffled = data.sample(frac=1.0, random_state=seed)

    straight = map_clusters(regions=data).sort_values(["region", "sector"], ignore_index=True)
    mixed = map_clusters(regions=shuffled).sort_values(["region", "sector"], ignore_index=True)

    pd.testing.assert_frame_equal(straight, mixed)


@pytest.mark.parametrize("seed", [1, 2])
def test_doubling_every_count_changes_nothing_but_the_counts(seed: int) -> None:
    data = random_regions(seed)
    doubled = data.assign(
        employment=data["employment"] * 2, establishments=data["establishments"] * 2
    )

    base = map_clusters(regions=data)
    scaled = map_clusters(regions=doubled)

    # Doubling is exact in binary floating point, so even ties stay ties.
    assert scaled["lq"].equals(base["lq"])
    columns = ["qualifying", "significant", "strong", "strong10", "stars"]
    assert scaled[columns].equals(base[columns])
    assert not (base["strong10"] & ~base["strong"]).any()
    assert int(base["strong"].sum()) > 0
