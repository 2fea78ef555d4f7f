"""Quiet tails and the peer regression that sets the expectation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import nbinom, poisson

from aftersale.stats import (
    estimate_dispersion,
    expected_from_peers,
    fit_poisson_glm,
    lower_tail_probability,
)


def test_it_gives_the_poisson_lower_tail():
    assert lower_tail_probability(0, 3.0) == pytest.approx(np.exp(-3.0))
    assert lower_tail_probability(2, 3.0) == pytest.approx(np.exp(-3.0) * (1 + 3 + 4.5))
    k, mu = np.array([0, 1, 5, 20]), np.array([0.5, 4.0, 12.0, 20.0])
    assert lower_tail_probability(k, mu) == pytest.approx(poisson.cdf(k, mu))


def test_it_gives_the_negative_binomial_lower_tail():
    k, mu, phi = np.array([0, 1, 5, 20]), np.array([0.5, 4.0, 12.0, 20.0]), 0.4
    size = 1 / phi
    assert lower_tail_probability(k, mu, phi) == pytest.approx(nbinom.cdf(k, size, size / (size + mu)))
    # Hand check: P(N = 0) = (size / (size + mu))^size.
    assert lower_tail_probability(0, 10.0, 0.5) == pytest.approx((2 / 12) ** 2)


def test_overdispersion_makes_silence_less_surprising():
    poisson_tail = lower_tail_probability(0, 8.0)
    assert lower_tail_probability(0, 8.0, 0.5) > poisson_tail * 100
    nearly_poisson = lower_tail_probability(3, 8.0, 1e-9)
    assert nearly_poisson == pytest.approx(float(lower_tail_probability(3, 8.0)), rel=1e-6)


def test_it_mixes_poisson_and_negative_binomial_accounts_in_one_call():
    got = lower_tail_probability([0, 0], [5.0, 5.0], [0.0, 1.0])
    assert got == pytest.approx([np.exp(-5.0), 1 / 6])


def test_its_edge_cases_are_certain():
    assert lower_tail_probability([0, 4], 0.0).tolist() == [1.0, 1.0]  # nothing expected: nothing is quiet
    assert lower_tail_probability(-1, 5.0) == 0.0
    assert lower_tail_probability(2.7, 3.0) == lower_tail_probability(2, 3.0)


@pytest.mark.parametrize(("args", "message"), [
    ((1, -1.0), "mu must not be negative"),
    ((1, 1.0, -0.1), "dispersion"),
    ((np.nan, 1.0), "k must be finite"),
])
def test_it_refuses_bad_tail_input(args, message):
    with pytest.raises(ValueError, match=message):
        lower_tail_probability(*args)


def _peers(n: int, seed: int):
    rng = np.random.default_rng(seed)
    assets = rng.integers(0, 30, n)
    age = rng.uniform(0, 10, n)
    exposure = rng.uniform(90, 365, n)
    X = np.column_stack([np.log1p(assets), age])
    coef = np.array([-5.0, 0.8, 0.1])
    mu = exposure * np.exp(coef[0] + X @ coef[1:])
    return X, rng.poisson(mu), exposure, coef, rng


def test_it_recovers_poisson_regression_coefficients():
    X, y, exposure, coef, _ = _peers(5000, 1)
    model = fit_poisson_glm(X, y, exposure=exposure)
    assert model.converged
    assert model.coef == pytest.approx(coef, abs=0.06)
    assert 0 < model.deviance < model.null_deviance


def test_an_intercept_only_fit_is_the_pooled_rate():
    y, exposure = np.array([0, 3, 5, 2]), np.array([10.0, 20.0, 30.0, 40.0])
    model = fit_poisson_glm(np.empty((4, 0)), y, exposure=exposure)
    assert np.exp(model.coef[0]) == pytest.approx(10 / 100)
    assert model.predict(np.empty((1, 0)), 50.0) == pytest.approx([5.0])
    assert model.deviance == pytest.approx(model.null_deviance)


def test_it_survives_collinear_covariates_and_all_zero_groups():
    X, y, exposure, _, _ = _peers(500, 2)
    doubled = np.column_stack([X, 2 * X[:, 0]])
    model = fit_poisson_glm(doubled, y, exposure=exposure)
    plain = fit_poisson_glm(X, y, exposure=exposure)
    assert model.predict(doubled, exposure) == pytest.approx(plain.predict(X, exposure), rel=1e-6)
    silent_group = np.column_stack([np.r_[np.ones(10), np.zeros(10)]])
    counts = np.r_[np.zeros(10), np.full(10, 4.0)]
    model = fit_poisson_glm(silent_group, counts)
    assert np.isfinite(model.coef).all()
    assert model.predict([[1.0]])[0] < 1e-3 and model.predict([[0.0]])[0] == pytest.approx(4.0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"X": [[1.0], [2.0]], "y": [1.0]}, "one count per row"),
    ({"X": [[1.0], [np.inf]], "y": [1.0, 2.0]}, "non-finite"),
    ({"X": [[1.0], [2.0]], "y": [1.0, -2.0]}, "non-negative counts"),
    ({"X": [[1.0], [2.0]], "y": [1.0, 2.0], "exposure": [1.0, 0.0]}, "exposure must be positive"),
])
def test_it_refuses_bad_regression_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit_poisson_glm(**kwargs)


def test_it_estimates_negative_binomial_dispersion():
    rng = np.random.default_rng(4)
    mu = rng.uniform(2, 20, 20000)
    phi = 0.3
    y = rng.negative_binomial(1 / phi, 1 / (1 + phi * mu))
    assert estimate_dispersion(y, mu) == pytest.approx(phi, rel=0.1)
    assert estimate_dispersion(rng.poisson(mu), mu) < 0.01


def test_leave_one_out_matches_refitting_without_the_account():
    X, y, exposure, _, _ = _peers(60, 5)
    y = y.astype(float)
    y[7] = 0.0  # a big, silent account
    X[7, 0] = np.log1p(29)
    peers = expected_from_peers(X, y, exposure=exposure)
    rest = np.arange(60) != 7
    refit = fit_poisson_glm(X[rest], y[rest], exposure=exposure[rest])
    exact = refit.predict(X[[7]], exposure[7])[0]
    in_sample = expected_from_peers(X, y, exposure=exposure, leave_one_out=False).expected[7]
    assert peers.expected[7] == pytest.approx(exact, rel=0.05)
    assert in_sample < peers.expected[7]


def test_it_flags_the_account_that_uses_a_lot_and_asks_for_nothing():
    """Thirty peers raise requests in proportion to their fleet; one big fleet raised none."""
    X, y, exposure, _, _ = _peers(30, 6)
    quiet = 0
    X[quiet, 0], exposure[quiet] = np.log1p(25), 365.0
    y = y.astype(float)
    y[quiet] = 0.0
    peers = expected_from_peers(X, y, exposure=exposure)
    tail = lower_tail_probability(y, peers.expected, peers.dispersion)
    assert peers.expected[quiet] > 5
    assert tail[quiet] < 0.01
    others = np.delete(tail, quiet)
    assert (others > 0.01).mean() > 0.9
    assert int(np.argmin(tail)) == quiet
