"""Check against the U.S. Cluster Mapping Project's 2016 state x cluster data.

The data set (50 states x 67 clusters, see its README) lives outside the repository; the
tests skip when it is absent. The README documents the published LQ definition (traded
clusters against all traded employment, local against local) and that 512 of the 2,550
traded rows are strong.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusters.cli import main
from clusters.mapping import map_clusters

DATA_DIR = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "us_cluster_mapping_2016_states"
)
STATES = DATA_DIR / "state_cluster_employment_2016.csv"
NATION = DATA_DIR / "us_national_cluster_employment_2016.csv"


@pytest.fixture(scope="module")
def cmp_input() -> tuple[pd.DataFrame, pd.DataFrame]:
    if not (STATES.is_file() and NATION.is_file()):
        pytest.skip(f"U.S. Cluster Mapping 2016 data not found in {DATA_DIR}")
    states = pd.read_csv(STATES, dtype={"state_fips": str})
    nation = pd.read_csv(NATION)
    group = {True: "traded", False: "local"}
    regions = pd.DataFrame(
        {
            "region": states["state_fips"],
            "sector": states["cluster_code"],
            "group": states["traded"].map(group),
            "employment": states["employment"],
            "establishments": states["establishments"],
        }
    )
    national = pd.DataFrame(
        {
            "sector": nation["cluster_code"],
            "group": nation["traded"].map(group),
            "employment": nation["us_employment"],
        }
    )
    return regions, national


@pytest.fixture(scope="module")
def mapped(cmp_input: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    regions, national = cmp_input
    return map_clusters(regions=regions, national=national)


def test_the_data_has_the_shape_and_national_totals_stated_in_its_readme(
    cmp_input: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    regions, national = cmp_input

    assert len(regions) == 3350
    assert regions["region"].nunique() == 50
    assert regions.groupby("group")["sector"].nunique().to_dict() == {"local": 16, "traded": 51}
    assert national.groupby("group")["employment"].sum().to_dict() == {
        "local": 81_486_213,
        "traded": 45_242_109,
    }


def test_lq_equals_the_cmp_formula_computed_row_by_row(
    cmp_input: tuple[pd.DataFrame, pd.DataFrame], mapped: pd.DataFrame
) -> None:
    regions, national = cmp_input
    state_group: dict[tuple[str, str], int] = defaultdict(int)
    for rec in regions.itertuples():
        state_group[rec.region, rec.group] += rec.employment
    us_cluster = dict(zip(national["sector"], national["employment"], strict=True))
    us_group: dict[str, int] = defaultdict(int)
    for rec in national.itertuples():
        us_group[rec.group] += rec.employment

    expected = [
        (rec.employment / state_group[rec.region, rec.group])
        / (us_cluster[rec.sector] / us_group[rec.group])
        for rec in regions.itertuples()
    ]

    assert mapped["lq"].to_numpy() == pytest.approx(np.array(expected), rel=1e-12, abs=0)


def test_flags_equal_the_cmp_rules_applied_cluster_by_cluster(mapped: pd.DataFrame) -> None:
    for _, cluster in mapped.groupby("sector"):
        present = cluster[cluster["employment"] > 0]
        emp25 = np.percentile(present["employment"], 25)
        est25 = np.percentile(present["establishments"], 25)
        lq25, lq50, lq75, lq90 = np.percentile(present["lq"], [25, 50, 75, 90])
        sized = (
            (cluster["employment"] > 0)
            & (cluster["employment"] > emp25)
            & (cluster["establishments"] > est25)
        )

        assert cluster["qualifying"].equals(sized & (cluster["lq"] > lq25))
        assert cluster["significant"].equals(sized & (cluster["lq"] > lq50))
        assert cluster["strong"].equals(sized & (cluster["lq"] >= lq75) & (cluster["lq"] >= 1))
        assert cluster["strong10"].equals(sized & (cluster["lq"] >= lq90) & (cluster["lq"] >= 1))


def test_512_of_the_2550_traded_rows_are_strong_as_published(mapped: pd.DataFrame) -> None:
    traded = mapped[mapped["group"] == "traded"]

    assert len(traded) == 2550
    assert int(traded["strong"].sum()) == 512
    # strong10 is the stricter cut of strong.
    assert not (traded["strong10"] & ~traded["strong"]).any()


def test_the_command_line_writes_the_same_strong_traded_rows(
    cmp_input: tuple[pd.DataFrame, pd.DataFrame], mapped: pd.DataFrame, tmp_path: Path
) -> None:
    regions, national = cmp_input
    regions.to_csv(tmp_path / "regions.csv", index=False)
    national.to_csv(tmp_path / "national.csv", index=False)
    out = tmp_path / "out.csv"

    code = main(
        [
            "--data",
            str(tmp_path / "regions.csv"),
            "--national",
            str(tmp_path / "national.csv"),
            "--out",
            str(out),
        ]
    )

    written = pd.read_csv(out, dtype={"region": str})
    assert code == 0
    assert int(written.loc[written["group"] == "traded", "strong"].sum()) == 512
    assert written["strong"].equals(mapped["strong"])
    assert written["lq"].to_numpy() == pytest.approx(mapped["lq"].to_numpy(), rel=1e-15)
