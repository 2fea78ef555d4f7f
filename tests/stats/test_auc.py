"""ROC AUC (Mann-Whitney) for the backtest."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersale.stats import roc_auc


def test_it_counts_ties_as_half_by_hand():
    # Positives score 0.9, 0.5, 0.5; negatives 0.5, 0.2.
    # 0.9 beats both negatives (2); each 0.5 ties one (half) and beats the 0.2 (1): 2 + 1.5 + 1.5 = 5 of 6.
    assert roc_auc([0.9, 0.5, 0.5, 0.5, 0.2], [1, 1, 1, 0, 0]) == pytest.approx(5 / 6)


def test_it_is_one_for_a_perfect_ranking_zero_reversed_and_half_for_no_information():
    labels = np.array([True, True, False, False])
    assert roc_auc([4, 3, 2, 1], labels) == 1.0
    assert roc_auc([1, 2, 3, 4], labels) == 0.0
    assert roc_auc([7, 7, 7, 7], labels) == 0.5


def test_it_is_undefined_with_one_class_only():
    assert np.isnan(roc_auc([1.0, 2.0], [True, True]))
    assert np.isnan(roc_auc([], []))


@pytest.mark.parametrize(("score", "positive", "message"), [
    ([1.0, 2.0], [1], "same length"),
    ([1.0, np.nan], [1, 0], "non-finite"),
    ([1.0, 2.0], [2, 0], "booleans or 0/1"),
])
def test_it_refuses_bad_input(score, positive, message):
    with pytest.raises(ValueError, match=message):
        roc_auc(score, positive)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=2, max_size=40))
def test_it_agrees_with_counting_every_pair(rows):
    score = np.array([s for s, _ in rows], dtype=float)
    positive = np.array([p for _, p in rows])
    pos, neg = score[positive], score[~positive]
    if pos.size == 0 or neg.size == 0:
        assert np.isnan(roc_auc(score, positive))
        return
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    assert roc_auc(score, positive) == pytest.approx(wins / (pos.size * neg.size))
