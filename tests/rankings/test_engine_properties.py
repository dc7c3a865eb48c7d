"""Hypothesis properties of ranks, aggregation, weights and normalisation."""

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rankings.engine import Method, NormaliseSpec, build_index
from rankings.engine.normalise import normalise
from rankings.engine.rank import min_rank

SETTINGS = settings(max_examples=100, deadline=None)
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False)


@st.composite
def index_inputs(draw):
    """A random 2-pillar index: n units, k indicators, random directions and weights."""
    n = draw(st.integers(3, 25))
    k = draw(st.integers(2, 6))
    cols = {f"i{j}": draw(st.lists(values, min_size=n, max_size=n)) for j in range(k)}
    for j in range(k):
        # minmax needs some spread in each indicator
        assume(max(cols[f"i{j}"]) > min(cols[f"i{j}"]))
    data = pd.DataFrame({"uCode": [f"U{i}" for i in range(n)], **cols})
    directions = draw(st.lists(st.sampled_from([1, -1]), min_size=k, max_size=k))
    weights = draw(st.lists(st.floats(0.1, 10), min_size=k + 2, max_size=k + 2))
    rows = [
        [f"i{j}", 1, "P1" if j % 2 == 0 else "P2", directions[j], weights[j], "Indicator"]
        for j in range(k)
    ]
    rows += [["P1", 2, "Idx", 1, weights[k], "Aggregate"]]
    rows += [["P2", 2, "Idx", 1, weights[k + 1], "Aggregate"]]
    rows += [["Idx", 3, None, 1, 1, "Aggregate"]]
    meta = pd.DataFrame(rows, columns=["iCode", "Level", "Parent", "Direction", "Weight", "Type"])
    return data, meta


@SETTINGS
@given(scores=st.lists(st.sampled_from([0.0, 1.5, 2.0, 7.25, np.nan]), min_size=1, max_size=40))
def test_ranks_form_a_min_tie_ranking(scores):
    x = np.array(scores)
    ranks = min_rank(x, descending=True)
    for i, s in enumerate(x):
        if np.isnan(s):
            assert np.isnan(ranks[i])
        else:
            assert ranks[i] == 1 + np.count_nonzero(x[~np.isnan(x)] > s)


@SETTINGS
@given(inputs=index_inputs(), unit=st.integers(0, 24), bump=st.floats(0.0, 1e6))
def test_raising_a_positive_indicator_never_lowers_the_units_arithmetic_score(inputs, unit, bump):
    data, meta = inputs
    unit %= len(data)
    positive = meta[(meta["Type"] == "Indicator") & (meta["Direction"] == 1)]["iCode"]
    assume(len(positive) > 0)
    code = positive.iloc[0]
    before = build_index(data=data, meta=meta, method=Method()).scores.iloc[unit]
    raised = data.copy()
    raised.loc[unit, code] += bump
    after = build_index(data=raised, meta=meta, method=Method()).scores.iloc[unit]
    assert after >= before - 1e-9 * max(1.0, abs(before))


@SETTINGS
@given(inputs=index_inputs(), factor=st.floats(0.01, 100))
def test_scaling_all_weights_leaves_scores_unchanged(inputs, factor):
    data, meta = inputs
    nodes = meta[meta["Parent"].notna()]
    scaled = {code: w * factor for code, w in zip(nodes["iCode"], nodes["Weight"], strict=True)}
    base = build_index(data=data, meta=meta, method=Method()).scores
    other = build_index(data=data, meta=meta, method=Method.from_dict({"weights": scaled})).scores
    np.testing.assert_allclose(other.to_numpy(), base.to_numpy(), rtol=1e-9, atol=1e-9)


@SETTINGS
@given(
    column=st.lists(st.one_of(values, st.just(np.nan)), min_size=2, max_size=50),
    lower=st.floats(-1e3, 1e3),
    width=st.floats(1e-3, 1e3),
    direction=st.sampled_from([1.0, -1.0]),
)
def test_normalised_minmax_values_lie_in_the_range(column, lower, width, direction):
    upper = lower + width
    assume(lower < upper)
    x = np.array(column)[:, np.newaxis]
    out = normalise(
        values=x,
        directions=np.array([direction]),
        spec=NormaliseSpec(method="minmax", range=(lower, upper)),
    )[:, 0]
    finite = out[~np.isnan(out)]
    assert ((finite >= lower) & (finite <= upper)).all()
    present = x[~np.isnan(x)]
    no_spread = present.size == 0 or present.max() == present.min()
    assert np.array_equal(np.isnan(out), np.isnan(x[:, 0]) | no_spread)
