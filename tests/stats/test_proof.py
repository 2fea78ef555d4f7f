"""The backtest's measures: AUC with DeLong's interval, tenths and lift, isotonic calibration,
non-negative logistic weights."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersale.stats.proof import (
    auc_interval,
    fit_isotonic,
    fit_nonnegative_logistic,
    isotonic_predict,
    lift_top_tenth,
    tenth_of,
    tenths,
)


def _delong_by_pairs(pos: np.ndarray, neg: np.ndarray) -> float:
    """DeLong's variance from the definition: every positive against every negative."""
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return np.var(v10, ddof=1) / pos.size + np.var(v01, ddof=1) / neg.size


def test_it_gives_delongs_variance_as_the_pairwise_definition_does():
    rng = np.random.default_rng(3)
    score = np.round(rng.normal(size=300), 1)  # rounded: many ties
    positive = rng.random(300) < 1 / (1 + np.exp(-score))
    found = auc_interval(score, positive)
    half = 1.959964 * np.sqrt(_delong_by_pairs(score[positive], score[~positive]))
    assert found.high - found.auc == pytest.approx(half, rel=1e-5)
    assert found.auc - found.low == pytest.approx(half, rel=1e-5)
    assert (found.n, found.positives) == (300, int(positive.sum()))


def test_it_gives_an_interval_that_covers_the_true_auc_about_95_times_in_100():
    rng = np.random.default_rng(11)
    # Positives ~ N(1, 1), negatives ~ N(0, 1): the true AUC is Phi(1 / sqrt 2).
    true_auc = 0.7602499389065233
    covered = 0
    for _ in range(400):
        pos, neg = rng.normal(1.0, 1.0, 60), rng.normal(0.0, 1.0, 90)
        found = auc_interval(np.concatenate((pos, neg)), np.r_[np.ones(60, bool), np.zeros(90, bool)])
        covered += found.low <= true_auc <= found.high
    assert 0.91 <= covered / 400 <= 0.98


def test_it_has_no_interval_with_one_class():
    found = auc_interval([1.0, 2.0], [True, True])
    assert np.isnan(found.auc) and np.isnan(found.low)


def test_it_keeps_tied_scores_in_one_tenth_and_counts_everyone():
    score = np.array([5.0] * 30 + list(range(70)))
    which = tenth_of(score)
    assert len(set(which[:30].tolist())) == 1
    bins = tenths(score, score > 40)
    assert sum(b.n for b in bins) == 100
    assert bins[-1].rate == 1.0 and bins[0].rate == 0.0


def test_it_takes_the_top_tenths_lift_as_its_rate_over_the_overall_rate():
    score = np.arange(100, dtype=float)
    positive = np.zeros(100, bool)
    positive[90:] = True  # the top tenth all, nobody else
    assert lift_top_tenth(score, positive) == pytest.approx(10.0)
    assert lift_top_tenth(score, np.ones(100, bool)) == pytest.approx(1.0)


def test_it_takes_the_ties_at_its_cut_into_the_top_tenth():
    # Half the accounts share the top score (full marks): all of them are the top tenth.
    score = np.r_[np.ones(50), np.linspace(0, 0.9, 50)]
    positive = np.r_[np.arange(50) < 40, np.arange(50) < 10]  # 80% of the tied, 20% of the rest
    assert lift_top_tenth(score, positive) == pytest.approx(0.8 / 0.5)


def test_it_pools_adjacent_violators_as_worked_by_hand():
    model = fit_isotonic([1, 2, 3, 4], [0, 1, 0, 1])
    # 0 | (1, 0) pooled to 0.5 | 1
    assert model.x == (1.0, 2.0, 4.0)
    assert model.y == (0.0, 0.5, 1.0)
    assert isotonic_predict(model, [0.5, 1, 2.5, 3, 9]).tolist() == [0.0, 0.0, 0.5, 0.5, 1.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.booleans()), min_size=1, max_size=80))
def test_it_never_lowers_the_calibrated_probability_as_the_score_rises(rows):
    score = np.array([r[0] for r in rows], dtype=float)
    positive = np.array([r[1] for r in rows])
    model = fit_isotonic(score, positive)
    grid = isotonic_predict(model, np.linspace(-1, 101, 205))
    assert np.all(np.diff(grid) >= 0)
    assert np.all((grid >= 0) & (grid <= 1))
    # Least squares under order keeps the total: as many expected as observed.
    assert isotonic_predict(model, score).sum() == pytest.approx(positive.sum())


def test_it_recovers_known_weights_with_non_negative_logistic_weights():
    rng = np.random.default_rng(5)
    n = 40_000
    X = rng.random((n, 4))
    true = np.array([3.0, 0.0, 1.5, 0.5])
    y = rng.random(n) < 1 / (1 + np.exp(-(-2.5 + X @ true)))
    fit = fit_nonnegative_logistic(X, y, l2=0.1)
    assert fit.converged
    assert fit.coef == pytest.approx(true, abs=0.15)
    assert fit.intercept == pytest.approx(-2.5, abs=0.15)
    # Shares as weights: what an admin would be shown.
    assert (fit.coef / fit.coef.sum()) == pytest.approx(true / true.sum(), abs=0.03)


def test_it_gives_a_feature_that_hurts_weight_zero_not_a_negative_one():
    rng = np.random.default_rng(8)
    X = rng.random((5000, 2))
    y = rng.random(5000) < 1 / (1 + np.exp(-(2.0 * X[:, 0] - 2.0 * X[:, 1])))
    fit = fit_nonnegative_logistic(X, y)
    assert fit.coef[1] == 0.0
    assert fit.coef[0] > 1.0


def test_it_names_bad_input():
    with pytest.raises(ValueError, match="same length"):
        auc_interval([1, 2], [True])
    with pytest.raises(ValueError, match="n x k"):
        fit_nonnegative_logistic([1, 2], [0, 1])
