"""From firms to province x division statistics, proposed clusters and cluster members."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusters.membership import cluster_members, discover_clusters, region_sector_stats


def firms_frame(*rows: tuple[int, str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["firm_id", "province", "isic_class", "employees"])


TWO_PROVINCES = firms_frame(
    (1, "P1", "2511", 10),
    (2, "P1", "2512", 20),
    (3, "P1", "1011", 70),
    (4, "P2", "2511", 10),
    (5, "P2", "1010", 90),
)


def cell(stats: pd.DataFrame, province: str, division: str) -> pd.Series:
    found = stats[(stats["province"] == province) & (stats["division"] == division)]
    assert len(found) == 1
    return found.iloc[0]


def test_firms_are_summed_into_province_by_division_cells() -> None:
    stats = region_sector_stats(firms=TWO_PROVINCES)

    assert stats[["province", "division", "group", "employment", "establishments"]].to_dict(
        "records"
    ) == [
        {"province": "P1", "division": "10", "group": "all", "employment": 70, "establishments": 1},
        {"province": "P1", "division": "25", "group": "all", "employment": 30, "establishments": 2},
        {"province": "P2", "division": "10", "group": "all", "employment": 90, "establishments": 1},
        {"province": "P2", "division": "25", "group": "all", "employment": 10, "establishments": 1},
    ]


def test_by_default_the_lq_compares_a_division_with_all_employment() -> None:
    stats = region_sector_stats(firms=TWO_PROVINCES)

    # Division 25 is 30% of P1 and 20% of the nation: LQ 1.5; in P2 10% / 20% = 0.5.
    assert cell(stats, "P1", "25")["lq"] == pytest.approx(1.5, rel=1e-12)
    assert cell(stats, "P2", "25")["lq"] == pytest.approx(0.5, rel=1e-12)
    assert {"strong", "strong10", "stars", "size_star"} <= set(stats.columns)


def test_with_a_section_map_a_division_is_compared_within_its_isic_section() -> None:
    firms = pd.concat([TWO_PROVINCES, firms_frame((6, "P1", "0111", 100))], ignore_index=True)
    sections = {"01": "A", "10": "C", "25": "C"}

    all_group = region_sector_stats(firms=firms)
    by_section = region_sector_stats(firms=firms, division_section=sections)

    # Against all employment P1's farm halves the share of division 25: (30/200)/(40/300).
    assert cell(all_group, "P1", "25")["lq"] == pytest.approx(1.125, rel=1e-12)
    # Within manufacturing (section C) the farm does not count: 0.3 / 0.2.
    assert cell(by_section, "P1", "25")["group"] == "C"
    assert cell(by_section, "P1", "25")["lq"] == pytest.approx(1.5, rel=1e-12)
    # Why "all" is the default: a division alone in its section always has LQ 1.
    assert cell(by_section, "P1", "01")["lq"] == 1.0


def test_a_division_missing_from_the_section_map_is_named() -> None:
    with pytest.raises(ValueError) as error:
        region_sector_stats(firms=TWO_PROVINCES, division_section={"25": "C"})

    assert str(error.value) == "division_section has no section for division(s) ['10']"


@pytest.mark.parametrize(
    ("firms", "message"),
    [
        (
            TWO_PROVINCES.drop(columns="employees"),
            "firms: missing column(s) employees",
        ),
        (
            pd.concat([TWO_PROVINCES, TWO_PROVINCES.iloc[[0]]], ignore_index=True),
            "firms: one row per firm expected (filter a single year first); firm_id 1 repeats",
        ),
        (
            TWO_PROVINCES.assign(isic_class=["2511", "251", "1011", "2511", "1010"]),
            "firms: isic_class must be a 4-digit string; 1 rows are not, first '251' (firm_id 2)",
        ),
        (
            TWO_PROVINCES.assign(isic_class=[2511, 2512, 1011, 2511, 1010]),
            "firms: isic_class must be a 4-digit string; 5 rows are not, first 2511 (firm_id 1)",
        ),
        (
            TWO_PROVINCES.assign(employees=[10, None, 70, -1, 90]),
            "firms: employees must be a number >= 0; 2 rows are not, first firm_id 2",
        ),
        (
            TWO_PROVINCES.assign(province=["P1", "P1", None, "P2", "P2"]),
            "firms: province is missing for firm_id 3",
        ),
    ],
)
def test_invalid_firms_are_refused_with_a_clear_message(firms: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError) as error:
        region_sector_stats(firms=firms)

    assert str(error.value) == message


LOCATED_FIRMS = pd.DataFrame(
    [
        (1, "P1", None, "2511"),
        (2, "P1", "K1", "2512"),
        (3, "P2", "K2", "2520"),
        (4, "P2", None, "1011"),
        (5, "P3", "K3", "2511"),
    ],
    columns=["firm_id", "province", "park", "isic_class"],
)


def clusters_frame(*rows: tuple[str, str | None, str | None, str | None]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["cluster_id", "isic_prefix", "province", "park"])


def members_of(members: pd.DataFrame, cluster_id: str) -> list[int]:
    return members.loc[members["cluster_id"] == cluster_id, "firm_id"].tolist()


def test_a_division_prefix_in_a_province_takes_every_class_of_the_division_there() -> None:
    members = cluster_members(
        firms=LOCATED_FIRMS, clusters=clusters_frame(("metal", "25", "P1", None))
    )

    assert members.to_dict("records") == [
        {"cluster_id": "metal", "firm_id": 1},
        {"cluster_id": "metal", "firm_id": 2},
    ]


def test_a_cluster_without_location_takes_its_activity_anywhere() -> None:
    members = cluster_members(
        firms=LOCATED_FIRMS, clusters=clusters_frame(("bolts", "2511", None, None))
    )

    assert members_of(members, "bolts") == [1, 5]


def test_a_park_cluster_takes_only_the_parks_firms_of_its_group() -> None:
    members = cluster_members(
        firms=LOCATED_FIRMS, clusters=clusters_frame(("tanks", "252", None, "K2"))
    )

    assert members_of(members, "tanks") == [3]


def test_prefixes_and_places_of_a_cluster_combine_over_its_rows() -> None:
    clusters = clusters_frame(
        ("mixed", "251", None, None),
        ("mixed", "101", None, None),
        ("mixed", None, "P2", None),
        ("mixed", None, None, "K1"),
    )

    members = cluster_members(firms=LOCATED_FIRMS, clusters=clusters)

    # 251x or 101x, and in province P2 or park K1: firm 2 by park, firm 4 by province;
    # firms 1 (P1, no park) and 5 (P3, park K3) have the activity but not the place.
    assert members_of(members, "mixed") == [2, 4]


def test_a_cluster_without_any_prefix_has_no_members() -> None:
    members = cluster_members(
        firms=LOCATED_FIRMS, clusters=clusters_frame(("place-only", None, "P1", None))
    )

    assert members.empty
    assert list(members.columns) == ["cluster_id", "firm_id"]


def test_members_are_sorted_and_unique_across_overlapping_prefixes() -> None:
    clusters = clusters_frame(
        ("z", "25", None, None),
        ("z", "251", None, None),
        ("z", "2511", None, None),
        ("a", "10", None, None),
    )

    members = cluster_members(firms=LOCATED_FIRMS, clusters=clusters)

    assert members.values.tolist() == [["a", 4], ["z", 1], ["z", 2], ["z", 3], ["z", 5]]


def test_firms_without_a_park_column_match_by_province_only() -> None:
    firms = LOCATED_FIRMS.drop(columns="park")
    clusters = clusters_frame(("k1", "25", None, "K1"), ("p2", "25", "P2", None))

    members = cluster_members(firms=firms, clusters=clusters)

    assert members.values.tolist() == [["p2", 3]]


def test_an_integer_prefix_is_refused_because_leading_zeros_would_be_lost() -> None:
    clusters = pd.DataFrame(
        [("bad", 25, None, None)], columns=["cluster_id", "isic_prefix", "province", "park"]
    )

    with pytest.raises(ValueError) as error:
        cluster_members(firms=LOCATED_FIRMS, clusters=clusters)

    assert str(error.value) == (
        "clusters: isic_prefix must be a 2-4 digit string (division, group or class); "
        "cluster bad has 25"
    )


def concentrated_firms() -> pd.DataFrame:
    # P1 holds five metal firms (division 25); every other province one metal firm and
    # two food firms (division 10).
    rows = [(1, "P1", "2511", 10), (2, "P1", "2511", 10), (3, "P1", "2511", 10)]
    rows += [(4, "P1", "2599", 10), (5, "P1", "2599", 10), (6, "P1", "1010", 50)]
    firm_id = 7
    for province in ("P2", "P3", "P4"):
        rows += [(firm_id, province, "2511", 10)]
        rows += [(firm_id + 1, province, "1010", 45), (firm_id + 2, province, "1010", 45)]
        firm_id += 3
    return firms_frame(*rows)


def test_discovery_proposes_one_cluster_per_strong_cell() -> None:
    stats = region_sector_stats(firms=concentrated_firms())

    proposed = discover_clusters(stats=stats)

    # Metal: LQ 2.5 in P1 vs 0.5 elsewhere. Food: 1.125 in P2-P4 vs 0.625 in P1.
    assert proposed["cluster_id"].tolist() == ["P1-25", "P2-10", "P3-10", "P4-10"]
    first = proposed.iloc[0]
    assert (first["province"], first["division"], first["isic_prefix"]) == ("P1", "25", "25")
    assert first["park"] is None
    assert (first["employment"], first["establishments"]) == (50, 5)
    assert first["lq"] == pytest.approx(2.5, rel=1e-12)
    assert list(proposed.columns) == [
        "cluster_id",
        "province",
        "division",
        "isic_prefix",
        "park",
        "employment",
        "establishments",
        "lq",
        "strong10",
        "stars",
    ]


def test_proposed_clusters_feed_straight_into_membership() -> None:
    firms = concentrated_firms()
    proposed = discover_clusters(stats=region_sector_stats(firms=firms))

    members = cluster_members(firms=firms, clusters=proposed)

    assert members_of(members, "P1-25") == [1, 2, 3, 4, 5]
    assert members_of(members, "P2-10") == [8, 9]


def test_discovery_can_use_the_stricter_strong10_flag() -> None:
    stats = pd.DataFrame(
        {
            "province": ["01", "02"],
            "division": ["25", "10"],
            "employment": [100, 50],
            "establishments": [9, 4],
            "lq": [3.0, 1.2],
            "strong": [True, True],
            "strong10": [True, False],
            "stars": [2, 0],
        }
    )

    assert discover_clusters(stats=stats)["cluster_id"].tolist() == ["01-25", "02-10"]
    assert discover_clusters(stats=stats, flag="strong10")["cluster_id"].tolist() == ["01-25"]
    with pytest.raises(ValueError) as error:
        discover_clusters(stats=stats, flag="qualifying")
    assert str(error.value) == "flag must be one of strong, strong10, not 'qualifying'"


def test_integer_province_and_park_ids_work_and_keep_their_type() -> None:
    firms = pd.DataFrame(
        {
            "firm_id": [1, 2, 3, 4],
            "province": [11, 11, 12, 12],
            "park": [101, None, 201, None],
            "isic_class": ["2511", "2511", "2511", "1010"],
            "employees": [5, 5, 5, 5],
        }
    )
    clusters = clusters_frame(
        ("c", "25", None, None), ("c", None, 12, None), ("c", None, None, 101)
    )

    stats = region_sector_stats(firms=firms)
    members = cluster_members(firms=firms, clusters=clusters)

    assert stats["province"].tolist() == [11, 12, 12]
    assert stats["province"].dtype == "int64"
    # Firm 1 by park 101 (a float column, since firm 2 has no park), firm 3 by province 12.
    assert members_of(members, "c") == [1, 3]


def reference_members(firms: pd.DataFrame, clusters: pd.DataFrame) -> list[tuple[str, int]]:
    """The membership rule written as plainly as possible, one firm and cluster at a time."""
    pairs = set()
    for cluster_id, rows in clusters.groupby("cluster_id"):
        prefixes = set(rows["isic_prefix"].dropna())
        provinces = set(rows["province"].dropna())
        parks = set(rows["park"].dropna())
        for firm in firms.itertuples():
            activity = any(firm.isic_class.startswith(prefix) for prefix in prefixes)
            place = (not provinces and not parks) or (
                firm.province in provinces or firm.park in parks
            )
            if activity and place:
                pairs.add((cluster_id, firm.firm_id))
    return sorted(pairs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_membership_equals_the_plain_rule_on_random_registers(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    firms = pd.DataFrame(
        {
            "firm_id": rng.permutation(n) + 1000,
            "province": rng.choice(["P1", "P2", "P3"], n),
            "park": rng.choice(np.array(["K1", "K2", "K3", None], dtype=object), n),
            "isic_class": [f"{c:04d}" for c in rng.choice([111, 1010, 2511, 2512, 2599, 2610], n)],
        }
    )
    rows = []
    for number in range(12):
        cluster_id = f"c{number:02d}"
        for prefix in rng.choice(["01", "011", "10", "25", "251", "2512", "26", "99"], 2):
            rows.append((cluster_id, str(prefix), None, None))
        if number % 3 == 1:
            rows.append((cluster_id, None, str(rng.choice(["P1", "P2", "P3"])), None))
        if number % 4 == 2:
            rows.append((cluster_id, None, None, str(rng.choice(["K1", "K2"]))))
    clusters = clusters_frame(*rows)

    members = cluster_members(firms=firms, clusters=clusters)

    expected = reference_members(firms, clusters)
    assert [tuple(pair) for pair in members.itertuples(index=False)] == expected
    assert len(expected) > 300  # a rich case, not an empty one passing trivially


def test_an_empty_register_gives_empty_statistics_proposals_and_members() -> None:
    empty = firms_frame()

    stats = region_sector_stats(firms=empty)

    assert len(stats) == 0
    assert len(discover_clusters(stats=stats)) == 0
    assert len(cluster_members(firms=empty, clusters=clusters_frame(("a", "25", None, None)))) == 0
