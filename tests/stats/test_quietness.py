"""Quiet tails, the zero-inflated negative-binomial peer model and the false-discovery control."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import check_grad
from scipy.stats import nbinom, poisson

from aftersale.stats import (
    benjamini_hochberg,
    fit_count_model,
    leave_one_out,
    lower_tail_probability,
    quiet_p_values,
)
from aftersale.stats.quietness import _per_account


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


def test_it_finds_silence_less_surprising_with_overdispersion():
    poisson_tail = lower_tail_probability(0, 8.0)
    assert lower_tail_probability(0, 8.0, 0.5) > poisson_tail * 100
    nearly_poisson = lower_tail_probability(3, 8.0, 1e-9)
    assert nearly_poisson == pytest.approx(float(lower_tail_probability(3, 8.0)), rel=1e-6)


def test_it_mixes_poisson_and_negative_binomial_accounts_in_one_call():
    got = lower_tail_probability([0, 0], [5.0, 5.0], [0.0, 1.0])
    assert got == pytest.approx([np.exp(-5.0), 1 / 6])


def test_it_is_certain_at_its_edge_cases():
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


TRUE = {"intercept": 1.0, "slopes": np.array([0.5, -0.2]), "phi": 0.3}


def _portfolio(n: int, seed: int, zero_share: float = 0.0, phi: float = TRUE["phi"]):
    """Accounts with machines (count) and machine age (years) over part of a year; counts NB around
    exp(1 + 0.5 machines - 0.2 age) per year, a share of them structural zeros."""
    rng = np.random.default_rng(seed)
    X = np.column_stack((rng.poisson(2.0, n), rng.uniform(0.0, 8.0, n)))
    exposure = rng.uniform(0.5, 1.0, n)
    mu = exposure * np.exp(TRUE["intercept"] + X @ TRUE["slopes"])
    y = rng.poisson(rng.gamma(1.0 / phi, phi * mu))
    y[rng.random(n) < zero_share] = 0
    return X, y, exposure


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_recovers_known_zinb_parameters_from_simulated_accounts(seed):
    X, y, exposure = _portfolio(4000, seed, zero_share=0.15)
    model = fit_count_model(X, y, exposure)
    assert model.converged and model.zero_inflated
    assert model.zero_share == pytest.approx(0.15, abs=0.03)
    assert model.dispersion == pytest.approx(TRUE["phi"], rel=0.2)
    intercept, slopes = model.original_coefficients()
    assert intercept == pytest.approx(TRUE["intercept"], abs=0.12)
    assert slopes == pytest.approx(TRUE["slopes"], abs=0.04)


def test_it_fits_plain_negative_binomial_without_excess_zeros():
    X, y, exposure = _portfolio(3000, 4)
    model = fit_count_model(X, y, exposure)
    assert model.converged and not model.zero_inflated
    assert model.zero_share == 0.0
    assert model.dispersion == pytest.approx(TRUE["phi"], rel=0.2)
    assert model.original_coefficients()[1] == pytest.approx(TRUE["slopes"], abs=0.05)


@pytest.mark.parametrize("zero_inflated", [True, False])
def test_it_has_an_analytic_gradient_that_matches_finite_differences(zero_inflated):
    X, y, exposure = _portfolio(300, 5, zero_share=0.2)
    design = np.column_stack((np.ones(300), (X - X.mean(0)) / X.std(0)))
    theta = np.array([0.8, 0.4, -0.3, np.log(0.4)] + ([-1.0] if zero_inflated else []))
    args = (design, np.log(exposure), y.astype(float), zero_inflated)
    error = check_grad(lambda t: _per_account(t, *args)[0].sum(), lambda t: _per_account(t, *args)[1].sum(0),
                       theta)
    assert error < 1e-4 * np.linalg.norm(_per_account(theta, *args)[1].sum(0)) + 1e-5


def test_it_leaves_one_out_close_to_refitting_without_the_account():
    X, y, exposure = _portfolio(80, 6)
    y[7], X[7, 0] = 0, 7  # a big, silent account
    model = fit_count_model(X, y, exposure, zero_inflated=False)
    mu = leave_one_out(model, X, y, exposure)
    rest = np.arange(80) != 7
    refit = fit_count_model(X[rest], y[rest], exposure[rest], zero_inflated=False)
    exact = refit.predict(X[[7]], exposure[7])[0]
    in_sample = model.predict(X[[7]], exposure[7])[0]
    assert in_sample < mu[7]
    assert mu[7] == pytest.approx(exact, rel=0.15)


def test_it_flags_a_planted_quiet_account_among_ordinary_ones():
    X, y, exposure = _portfolio(300, 7)
    X[0], exposure[0], y[0] = (6, 1.0), 1.0, 0  # six machines, a full year, nothing raised
    model = fit_count_model(X, y, exposure)
    p, expected = quiet_p_values(model, X, y, exposure)
    flags, cutoff = benjamini_hochberg(p, 0.10)
    assert expected[0] > 20
    assert flags[0] and cutoff is not None and p[0] <= cutoff
    assert flags.sum() <= 3


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), n=st.integers(60, 400), phi=st.sampled_from([0.1, 0.3, 1.0]))
def test_it_keeps_the_share_flagged_within_the_false_discovery_setting_with_no_quiet_account(seed, n, phi):
    """Every account behaves like its peers, so every flag is a false alarm: at a 10% false-discovery
    setting no portfolio gets more than 10% of its accounts flagged."""
    X, y, exposure = _portfolio(n, seed, phi=phi)
    model = fit_count_model(X, y, exposure)
    p, _ = quiet_p_values(model, X, y, exposure)
    flags, _ = benjamini_hochberg(p, 0.10)
    assert flags.mean() <= 0.10


def test_it_flags_few_of_many_null_portfolios_at_all():
    """Under the null BH at q bounds the chance of any flag at all by q (the FWER equals the FDR)."""
    flagged_any = 0
    for seed in range(40):
        X, y, exposure = _portfolio(200, 100 + seed)
        model = fit_count_model(X, y, exposure)
        p, _ = quiet_p_values(model, X, y, exposure)
        flagged_any += bool(benjamini_hochberg(p, 0.10)[0].any())
    assert flagged_any <= 6  # 10% of 40 is 4; Binomial(40, 0.1) exceeds 6 about 1 time in 10


def test_it_takes_the_largest_p_under_the_benjamini_hochberg_line():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    flags, cutoff = benjamini_hochberg(p, 0.05)
    assert cutoff == 0.008 and flags.tolist() == [True, True] + [False] * 8
    flags, cutoff = benjamini_hochberg(p, 0.25)
    assert cutoff == 0.216 and flags.all()
    assert benjamini_hochberg(np.array([0.5, 0.9]), 0.1) == (pytest.approx([False, False]), None)
    with pytest.raises(ValueError, match="probabilities"):
        benjamini_hochberg(np.array([1.5]), 0.1)


@pytest.mark.parametrize(("args", "message"), [
    (([[1.0], [2.0]], [1.0], [1.0, 1.0]), "one count per row"),
    (([[1.0], [np.inf]], [1.0, 2.0], [1.0, 1.0]), "non-finite"),
    (([[1.0], [2.0]], [1.0, -2.0], [1.0, 1.0]), "non-negative whole counts"),
    (([[1.0], [2.0]], [1.0, 2.0], [1.0, 0.0]), "exposure must be positive"),
])
def test_it_refuses_bad_model_input(args, message):
    with pytest.raises(ValueError, match=message):
        fit_count_model(*args)
