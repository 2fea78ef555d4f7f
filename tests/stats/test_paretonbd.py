"""Pareto/NBD: the stable likelihood against direct integration, both hypergeometric cases, predictions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import gammaln, hyp2f1

from aftersale.stats import (
    fit_paretonbd,
    paretonbd_expected,
    paretonbd_expected_new,
    paretonbd_log_likelihood,
    paretonbd_p_alive,
)
from aftersale.stats.simulate import simulate_paretonbd
from aftersale.stats.special import hyp2f1_one

PARAMS = {"r": 0.8, "alpha": 30.0, "s": 0.7, "beta": 200.0}
CASES = [(0, 0.0, 38.0), (2, 30.43, 38.86), (20, 35.0, 39.0), (5, 1.0, 50.0), (300, 700.0, 730.0)]


def _direct(p, x, t_x, T):
    """log of Gamma(r+x) a^r b^s / Gamma(r) [Q(T) + s * integral], the integral by adaptive quadrature.

    Everything is scaled by Q(t_x) so that large x does not underflow.
    """
    r, alpha, s, beta = p["r"], p["alpha"], p["s"], p["beta"]
    c = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)

    def scaled_q(y):
        return np.exp(-(r + x) * np.log((alpha + y) / (alpha + t_x)) - s * np.log((beta + y) / (beta + t_x)))

    integral = quad(lambda y: scaled_q(y) / (beta + y), t_x, T, epsabs=0, epsrel=1e-13, limit=200)[0]
    log_q_t = -(r + x) * np.log(alpha + t_x) - s * np.log(beta + t_x)
    return c + log_q_t + np.log(scaled_q(T) + s * integral)


@pytest.mark.parametrize("params", [
    {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},  # alpha < beta (CDNOW)
    {"r": 0.553, "alpha": 12.578, "s": 0.606, "beta": 1.669},  # alpha > beta
    {"r": 2.0, "alpha": 3.0, "s": 4.0, "beta": 3.0},  # alpha == beta
    PARAMS,
])
def test_it_matches_the_likelihood_integrated_directly(params):
    for x, t_x, T in CASES:
        got = paretonbd_log_likelihood(params, [x], [t_x], [T])[0]
        assert got == pytest.approx(_direct(params, x, t_x, T), rel=1e-9, abs=1e-9), (x, t_x, T)


def test_it_matches_the_hypergeometric_form_of_the_published_note():
    """Fader & Hardie's A0 for alpha < beta, evaluated where it does not overflow."""
    r, alpha, s, beta = 0.553, 10.578, 0.606, 11.669
    x, t_x, T = 2, 30.43, 38.86
    m = r + s + x

    def term(y):
        return hyp2f1(m, r + x, m + 1, (beta - alpha) / (beta + y)) / (beta + y) ** m

    a0 = term(t_x) - term(T)
    published = (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
                 + np.log((alpha + T) ** -(r + x) * (beta + T) ** -s + s / m * a0))
    params = {"r": r, "alpha": alpha, "s": s, "beta": beta}
    assert paretonbd_log_likelihood(params, [x], [t_x], [T])[0] == pytest.approx(published, rel=1e-12)


def test_it_is_continuous_where_alpha_crosses_beta():
    base = {"r": 0.9, "s": 0.8, "beta": 50.0}
    values = [paretonbd_log_likelihood({**base, "alpha": alpha}, [4], [100.0], [300.0])[0]
              for alpha in (50.0 - 1e-7, 50.0, 50.0 + 1e-7)]
    assert max(values) - min(values) < 1e-6


@settings(max_examples=80, deadline=None)
@given(
    x=st.integers(0, 10_000),
    frac=st.floats(0.0, 1.0),
    T=st.floats(1e-3, 1e5),
    log_params=st.tuples(*[st.floats(-8, 8)] * 4),
)
def test_its_log_likelihood_and_p_alive_are_finite_for_extreme_inputs(x, frac, T, log_params):
    params = dict(zip(["r", "alpha", "s", "beta"], np.exp(log_params), strict=True))
    t_x = max(frac * T, 1e-3) if x > 0 else 0.0
    assert np.isfinite(paretonbd_log_likelihood(params, [x], [t_x], [T])).all()
    p = paretonbd_p_alive(params, x, t_x, T)
    assert 0.0 <= p <= 1.0


def test_it_lets_an_account_without_a_repeat_event_go_quiet():
    silence = np.array([0.0, 30.0, 180.0, 720.0])
    p = paretonbd_p_alive(PARAMS, 0, 0.0, silence)
    assert p[0] == 1.0
    assert (np.diff(p) < 0).all() and p[-1] < 0.6


def test_it_rates_an_account_that_just_had_an_event_alive():
    assert paretonbd_p_alive(PARAMS, [3, 40], [100.0, 300.0], [100.0, 300.0]) == pytest.approx([1.0, 1.0])


def test_its_expectations_match_the_closed_forms_and_a_simulation():
    r, alpha, s, beta = PARAMS.values()
    t = 365.0
    closed_new = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))
    assert paretonbd_expected_new(PARAMS, t) == pytest.approx(closed_new)
    rng = np.random.default_rng(3)
    sim = simulate_paretonbd(PARAMS, 200_000, t, rng)
    assert sim.x.mean() == pytest.approx(float(paretonbd_expected_new(PARAMS, t)), rel=0.02)
    x, t_x, T = 4, 200.0, 300.0
    closed = ((r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))
              * paretonbd_p_alive(PARAMS, x, t_x, T))
    assert paretonbd_expected(PARAMS, t, x, t_x, T) == pytest.approx(closed, rel=1e-12)


def test_its_expectation_is_smooth_through_s_equal_to_one():
    values = [paretonbd_expected({**PARAMS, "s": s}, 90.0, 3, 50.0, 120.0) for s in (1 - 1e-6, 1.0, 1 + 1e-6)]
    assert np.isfinite(values).all() and max(values) - min(values) < 1e-5


def test_weights_count_as_repeated_rows():
    x, t_x = np.array([0, 1, 3, 8]), np.array([0.0, 20.0, 50.0, 90.0])
    T = np.array([100.0, 60.0, 100.0, 100.0])
    weights = np.array([3, 2, 1, 2])
    weighted = fit_paretonbd(x, t_x, T, weights=weights)
    repeated = fit_paretonbd(np.repeat(x, weights), np.repeat(t_x, weights), np.repeat(T, weights))
    assert weighted.n == 8
    assert weighted.log_likelihood == pytest.approx(repeated.log_likelihood, rel=1e-6)


@pytest.mark.parametrize(("b", "c", "z"), [
    (2.0, 104.0, 0.95),  # c - 1 - b integer: scipy returns inf
    (3.0, 1000.0, 0.999),  # scipy returns NaN
    (1.5226632724092266, 2.5226632724092264, 0.9998972495139332),  # scipy returns a negative number
    (404.43, 405.43, 0.9975),  # large parameters near z = 1
    (0.5, 1.7, 0.99),  # an ordinary case
])
def test_its_hypergeometric_function_is_right_where_scipy_is_not(b, c, z):
    # Euler's integral: 2F1(1, b; c; z) = (c - 1) * integral over [0, 1] of (1-t)^(c-2) (1-zt)^-b dt.
    # For c < 2 the (1-t)^(c-2) singularity is handed to quad as an algebraic weight.
    def integrand(t):
        return np.exp((c - 2) * np.log1p(-t) - b * np.log1p(-z * t))

    if c >= 2:
        integral = quad(integrand, 0, 1, epsabs=0, epsrel=1e-13, limit=500)[0]
    else:
        integral = quad(lambda t: np.exp(-b * np.log1p(-z * t)), 0, 1, weight="alg", wvar=(0.0, c - 2.0),
                        epsabs=0, epsrel=1e-13, limit=500)[0]
    reference = (c - 1) * integral
    assert hyp2f1_one(b, c, z) == pytest.approx(reference, rel=1e-9)


def test_its_continued_fraction_gives_each_entry_its_own_value_in_a_mixed_array():
    """Entries converge after very different numbers of terms (near z = 1 many more):
    evaluated together, each must get the value it gets alone."""
    from aftersale.stats.special import hyp2f1_one_cf

    b = np.array([[1.5, 404.43], [0.5, 3.0]])
    c = np.array([[2.5, 405.43], [1.7, 5.0]])
    z = np.array([[0.99989, 0.9975], [0.3, 0.0]])
    together = hyp2f1_one_cf(b, c, z)
    assert together.shape == (2, 2)
    alone = np.array([[hyp2f1_one_cf(b[i, j], c[i, j], z[i, j]) for j in range(2)] for i in range(2)])
    assert together == pytest.approx(alone, rel=1e-15)
    assert together[1, 1] == 1.0  # z = 0
