"""Metadata and method parsing, with their one-line errors."""

import pytest

from rankings.engine import EngineError, Method, parse_meta
from rankings.engine.method import NormaliseSpec, TreatSpec

from .engine_helpers import tiny_meta


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(EngineError) as err:
        fn(*args, **kwargs)
    return str(err.value)


def test_the_framework_lists_indicators_and_aggregates_level_by_level():
    fw = parse_meta(tiny_meta())
    assert fw.indicators == ("a", "b", "c")
    assert fw.aggregate_levels == (("P1", "P2"), ("Idx",))
    assert fw.children == {"P1": ("a", "b"), "P2": ("c",), "Idx": ("P1", "P2")}
    assert fw.root == "Idx"
    assert fw.groups == ("region",)
    assert fw.denominators == ("pop",)
    assert fw.direction == {"a": 1, "b": -1, "c": 1}
    assert fw.denominator == {"a": None, "b": "pop", "c": None}


def test_a_parent_that_is_not_an_icode_is_an_error():
    meta = tiny_meta({("c", "Parent"): "P9"})
    assert error_of(parse_meta, meta) == "Parent 'P9' of 'c' is not an iCode"


def test_a_parent_that_is_an_indicator_is_an_error():
    meta = tiny_meta({("c", "Parent"): "a"})
    assert error_of(parse_meta, meta) == "Parent 'a' of 'c' is not an Aggregate"


def test_a_cycle_of_parents_is_an_error():
    meta = tiny_meta({("P1", "Parent"): "P2", ("P2", "Parent"): "P1"})
    assert error_of(parse_meta, meta) == "cycle in Parent links: P1 -> P2 -> P1"


def test_a_parent_must_be_one_level_up():
    meta = tiny_meta({("c", "Parent"): "Idx"})
    assert error_of(parse_meta, meta) == (
        "'c' is at Level 1 but its Parent 'Idx' is at Level 3; "
        "a Parent must be exactly one level up"
    )


def test_two_top_aggregates_are_an_error():
    meta = tiny_meta({("P2", "Parent"): None, ("P2", "Level"): 3, ("c", "Level"): 2})
    assert error_of(parse_meta, meta) == "expected one top aggregate (no Parent), found: P2, Idx"


def test_an_unknown_type_is_an_error():
    meta = tiny_meta({("c", "Type"): "Indicatr"})
    assert error_of(parse_meta, meta) == (
        "iCode 'c' has Type 'Indicatr'; expected one of Indicator, Aggregate, Group, "
        "Denominator, Other"
    )


def test_a_direction_other_than_plus_or_minus_one_is_an_error():
    meta = tiny_meta({("a", "Direction"): 0})
    assert error_of(parse_meta, meta) == "indicator 'a' has Direction 0; expected 1 or -1"


def test_missing_metadata_columns_are_named():
    meta = tiny_meta().drop(columns=["Weight", "Type"])
    assert error_of(parse_meta, meta) == "metadata is missing column(s): Weight, Type"


def test_weights_can_be_overridden_per_icode():
    fw = parse_meta(tiny_meta()).with_weights({"a": 3.0})
    assert fw.weight["a"] == 3.0
    assert fw.weight["b"] == 1.0


def test_a_weight_for_an_unknown_icode_is_an_error():
    fw = parse_meta(tiny_meta())
    assert error_of(fw.with_weights, {"zz": 1.0}) == "weight given for 'zz', which is not an iCode"


def test_an_empty_method_means_the_documented_defaults():
    m = Method.from_dict({})
    assert m.denominate is False
    assert m.impute.method == "none"
    assert m.treat == TreatSpec(method="none", winmax=5, skew=2.0, kurtosis=3.5)
    assert m.normalise == NormaliseSpec(method="minmax", range=(0.0, 100.0))
    assert m.aggregate.method == "arithmetic"
    assert dict(m.weights) == {}


def test_a_method_round_trips_through_its_dict_form():
    m = Method.from_dict(
        {
            "denominate": True,
            "impute": {"method": "group_median", "group": "region"},
            "treat": {"method": "winsorise_then_log", "winmax": 3},
            "normalise": {"method": "zscore", "mean": 10, "sd": 2},
            "aggregate": {"method": "geometric"},
            "weights": {"a": 2},
        }
    )
    assert Method.from_dict(m.to_dict()) == m


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"impute": {"method": "knn"}},
            "unknown impute method 'knn'; expected one of none, mean, median, group_mean, "
            "group_median",
        ),
        (
            {"treat": {"method": "boxcox"}},
            "unknown treat method 'boxcox'; expected one of none, winsorise_then_log",
        ),
        (
            {"normalise": {"method": "minmaxx"}},
            "unknown normalise method 'minmaxx'; expected one of minmax, zscore, prank, rank, "
            "dist2max, goalposts, none",
        ),
        (
            {"aggregate": {"method": "median"}},
            "unknown aggregate method 'median'; expected one of arithmetic, geometric, harmonic",
        ),
        ({"normalize": {}}, "unknown key(s) in method: normalize"),
        ({"impute": {"method": "group_mean"}}, "impute method 'group_mean' needs a 'group' column"),
        ({"treat": {"winmax": -1}}, "treat.winmax must be a whole number >= 0, got -1"),
        (
            {"normalise": {"range": [100, 0]}},
            "normalise.range lower must be below upper, got [100, 0]",
        ),
        ({"weights": {"a": -1}}, "weights.a must be >= 0, got -1"),
    ],
)
def test_invalid_methods_raise_one_clear_line(spec, message):
    assert error_of(Method.from_dict, spec) == message


def test_engine_errors_are_value_errors():
    assert issubclass(EngineError, ValueError)
