import pytest

from rankings.methodology import (
    SpecError,
    engine_meta,
    spec_default,
    spec_indicators,
    spec_pillars,
    spec_validate,
)


def test_the_default_spec_has_the_five_ministry_pillars_with_equal_weights() -> None:
    spec = spec_validate(spec_default())
    assert spec_pillars(spec) == [
        "competitiveness",
        "exports",
        "innovation",
        "standards",
        "finance",
    ]
    assert {p["weight"] for p in spec["pillars"]} == {1}
    assert spec["eligibility"] == {"employees_min": 10, "employees_max": 150, "sales_max": None}
    assert len(spec_indicators(spec)) == 16


def test_the_engine_metadata_has_three_levels_and_the_debt_ratio_points_down() -> None:
    meta = engine_meta(spec_default()).set_index("iCode")
    assert meta.loc["debt_ratio", "Direction"] == -1
    assert meta.loc["finance", "Parent"] == "index"
    assert meta.loc["index", "Level"] == 3
    assert set(meta[meta["Type"] == "Group"].index) == {"division", "province"}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.update(pillars=[]), "the methodology needs at least one pillar"),
        (
            lambda s: s["pillars"][0].update(code="luck"),
            "unknown pillar 'luck'; expected one of "
            "competitiveness, exports, innovation, standards, finance",
        ),
        (
            lambda s: s["pillars"][1]["indicators"].append({"code": "sales_log"}),
            "indicator sales_log appears in more than one pillar",
        ),
        (
            lambda s: s["pillars"][0]["indicators"].append({"code": "vibes"}),
            "unknown indicator 'vibes' in pillar competitiveness",
        ),
        (
            lambda s: s["pillars"][0].update(weight=-1),
            "pillar competitiveness: the weight must be a number >= 0",
        ),
        (
            lambda s: s["eligibility"].update(employees_min=200),
            "eligibility: the employee band must be whole numbers with min <= max",
        ),
        (
            lambda s: s["eligibility"].update(sales_max=0),
            "eligibility: the sales cap must be a positive whole number or empty",
        ),
        (
            lambda s: s["engine"].update(normalise={"method": "magic"}),
            "engine: unknown normalise method 'magic'; expected one of minmax, zscore, prank, rank, "
            "dist2max, goalposts, none",
        ),
    ],
)
def test_an_invalid_spec_is_refused_with_a_clear_message(mutate, message: str) -> None:
    spec = spec_default()
    mutate(spec)
    with pytest.raises(SpecError) as err:
        spec_validate(spec)
    assert str(err.value) == message
