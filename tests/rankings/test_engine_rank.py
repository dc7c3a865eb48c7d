"""Min-tie ranking, overall and within groups."""

import numpy as np

from rankings.engine.rank import min_rank


def test_highest_score_ranks_first_and_ties_share_the_lowest_rank_number():
    out = min_rank(np.array([5.0, 7.0, 7.0, 1.0]), descending=True)
    assert out.tolist() == [3.0, 1.0, 1.0, 4.0]


def test_missing_scores_get_no_rank():
    out = min_rank(np.array([5.0, np.nan, 1.0]), descending=True)
    assert out[[0, 2]].tolist() == [1.0, 2.0]
    assert np.isnan(out[1])


def test_ranks_within_groups_restart_at_one():
    scores = np.array([5.0, 9.0, 3.0, 9.0, 8.0])
    groups = np.array([0, 1, 0, 1, 1])
    assert min_rank(scores, descending=True, groups=groups).tolist() == [1, 1, 2, 1, 3]


def test_a_unit_without_a_group_gets_no_group_rank():
    out = min_rank(np.array([5.0, 6.0]), descending=True, groups=np.array([0, -1]))
    assert out[0] == 1.0
    assert np.isnan(out[1])
