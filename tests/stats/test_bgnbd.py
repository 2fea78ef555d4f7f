"""BG/NBD: likelihood, gradient, predictions and their numerical edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import beta as beta_fn
from scipy.special import gamma as gamma_fn
from scipy.special import hyp2f1

from aftersale.stats import (
    InsufficientData,
    bgnbd_expected,
    bgnbd_expected_if_alive,
    bgnbd_expected_new,
    bgnbd_gradient,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
    bgnbd_pmf,
    fit_bgnbd,
)
from aftersale.stats.bgnbd import _expected_if_alive_hyp2f1, _expected_if_alive_quadrature

PARAMS = {"r": 0.8, "alpha": 30.0, "a": 0.6, "b": 3.0}
DATA = (
    np.array([0, 1, 2, 7, 30]),
    np.array([0.0, 5.0, 40.0, 200.0, 390.0]),
    np.array([10.0, 60.0, 90.0, 400.0, 400.0]),
)


def _direct_likelihood(p, x, t_x, T):
    """FHL 2005 eq. 6, written out without logs (fine for moderate values)."""
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    front = beta_fn(a, b + x) / beta_fn(a, b) * gamma_fn(r + x) * alpha**r / gamma_fn(r)
    dropped = a / (b + x - 1) / (alpha + t_x) ** (r + x) if x > 0 else 0.0
    return front * (1 / (alpha + T) ** (r + x) + dropped)


def test_it_matches_the_likelihood_written_out_directly():
    got = bgnbd_log_likelihood(PARAMS, *DATA)
    expected = [np.log(_direct_likelihood(PARAMS, *row)) for row in zip(*DATA, strict=True)]
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("params", [PARAMS, {"r": 0.243, "alpha": 4.4, "a": 0.79, "b": 2.4},
                                    {"r": 3.0, "alpha": 0.5, "a": 2.0, "b": 0.7}])
def test_it_has_an_analytic_gradient_that_matches_finite_differences(params):
    names = list(params)
    weights = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    grad = bgnbd_gradient(params, *DATA, weights=weights)
    h = 1e-6
    for i, name in enumerate(names):
        up, down = dict(params), dict(params)
        up[name] *= np.exp(h)
        down[name] *= np.exp(-h)
        numeric = weights @ (bgnbd_log_likelihood(up, *DATA) - bgnbd_log_likelihood(down, *DATA)) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8), name


def test_it_counts_weights_as_repeated_rows():
    x, t_x, T = DATA
    weights = np.array([3, 1, 2, 1, 4])
    weighted = fit_bgnbd(x, t_x, T, weights=weights)
    repeated = fit_bgnbd(*(np.repeat(v, weights) for v in DATA))
    assert weighted.n == repeated.n == 11
    assert weighted.log_likelihood == pytest.approx(repeated.log_likelihood, rel=1e-9)
    for name in PARAMS:
        assert weighted.params[name] == pytest.approx(repeated.params[name], rel=1e-4)


@settings(max_examples=80, deadline=None)
@given(
    x=st.integers(0, 100_000),
    frac=st.floats(0.0, 1.0),
    T=st.floats(1e-6, 1e6),
    log_params=st.tuples(*[st.floats(-12, 12)] * 4),
)
def test_it_keeps_the_log_likelihood_finite_for_extreme_inputs(x, frac, T, log_params):
    params = dict(zip(["r", "alpha", "a", "b"], np.exp(log_params), strict=True))
    t_x = frac * T if x > 0 else 0.0
    if x > 0 and t_x <= 0:
        t_x = T
    value = bgnbd_log_likelihood(params, [x], [t_x], [T])
    assert np.isfinite(value).all()
    assert np.isfinite(bgnbd_gradient(params, [x], [t_x], [T])).all()
    p = bgnbd_p_alive(params, x, t_x, T)
    assert 0.0 <= p <= 1.0


def test_it_rates_an_account_without_a_repeat_event_alive_forever():
    """The model's quirk, kept here so engagement.account_rhythm's rule has something to correct."""
    assert bgnbd_p_alive(PARAMS, [0, 0], [0, 0], [1, 10_000]).tolist() == [1.0, 1.0]


def test_it_lowers_the_probability_of_being_alive_with_silence():
    silence = np.array([0.0, 30.0, 90.0, 365.0])
    p = bgnbd_p_alive(PARAMS, 5, 100.0, 100.0 + silence)
    assert (np.diff(p) < 0).all()
    # Just bought: only the chance of dropping out after that event counts.
    assert p[0] == pytest.approx(1 / (1 + PARAMS["a"] / (PARAMS["b"] + 4)))


def test_it_matches_the_published_closed_form_for_the_conditional_expectation():
    """FHL 2005 eq. 10 as printed, against our Euler-transformed evaluation."""
    r, alpha, a, b = PARAMS.values()
    for x, t_x, T, t in [(0, 0.0, 50.0, 90.0), (3, 40.0, 100.0, 30.0), (12, 300.0, 365.0, 365.0)]:
        z = t / (alpha + T + t)
        printed = ((a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
                   * hyp2f1(r + x, b + x, a + b + x - 1, z)))
        printed /= 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        assert bgnbd_expected(PARAMS, t, x, t_x, T) == pytest.approx(printed, rel=1e-10)


@pytest.mark.parametrize("a", [0.3, 0.79, 1.7, 4.0])
def test_it_agrees_between_closed_form_and_quadrature(a):
    r, alpha, b = 0.8, 30.0, 3.0
    t = np.array([1.0, 30.0, 90.0, 365.0])
    x = np.array([0.0, 1.0, 4.0, 40.0])
    T = np.array([5.0, 60.0, 200.0, 700.0])
    closed = _expected_if_alive_hyp2f1(r, alpha, a, b, t, x, T)
    assert _expected_if_alive_quadrature(r, alpha, a, b, t, x, T) == pytest.approx(closed, rel=1e-8)


def test_it_handles_a_equal_to_one_and_a_plus_b_below_one():
    near = [bgnbd_expected_if_alive({**PARAMS, "a": a}, 90.0, 2, 50.0, 100.0)
            for a in (1 - 1e-4, 1.0, 1 + 1e-4)]
    assert np.isfinite(near).all()
    assert near[1] == pytest.approx((near[0] + near[2]) / 2, rel=1e-4)
    # a + b - 1 < 0 puts a pole in the closed form for x = 0; the quadrature takes over.
    odd = {"r": 0.8, "alpha": 30.0, "a": 0.3, "b": 0.4}
    value = bgnbd_expected_new(odd, [0.0, 90.0, 365.0])
    assert value[0] == 0.0 and (np.diff(value) > 0).all()


def test_it_expects_of_a_new_account_the_conditional_expectation_at_time_zero():
    t = np.array([0.0, 7.0, 90.0, 365.0])
    assert bgnbd_expected_new(PARAMS, t) == pytest.approx(bgnbd_expected(PARAMS, t, 0, 0.0, 0.0), rel=1e-12)
    assert bgnbd_expected_new(PARAMS, 0.0) == 0.0


def test_it_gives_an_event_count_distribution_that_sums_to_one_with_the_expected_mean():
    k = np.arange(0, 3000)
    pmf = bgnbd_pmf(PARAMS, 365.0, k)
    assert (pmf >= 0).all()
    assert pmf.sum() == pytest.approx(1.0, abs=1e-6)
    assert (k * pmf).sum() == pytest.approx(float(bgnbd_expected_new(PARAMS, 365.0)), rel=1e-4)
    assert bgnbd_pmf(PARAMS, 100.0, 0) == pytest.approx((30.0 / 130.0) ** 0.8)


def test_it_predicts_what_a_simulated_population_does():
    from aftersale.stats.simulate import simulate_bgnbd

    rng = np.random.default_rng(7)
    sim = simulate_bgnbd(PARAMS, 200_000, 180.0, rng)
    assert sim.x.mean() == pytest.approx(float(bgnbd_expected_new(PARAMS, 180.0)), rel=0.02)
    assert (sim.x == 0).mean() == pytest.approx(float(bgnbd_pmf(PARAMS, 180.0, 0)), abs=0.005)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (([1], [5.0], [3.0]), "t_x must not exceed T"),
        (([1], [0.0], [3.0]), "t_x must be positive where x > 0"),
        (([0], [1.0], [3.0]), "t_x must be 0 where x == 0"),
        (([1.5], [1.0], [3.0]), "whole numbers"),
        (([1], [1.0], [np.nan]), "T holds non-finite"),
        (([1, 2], [1.0], [3.0]), "same length"),
        (([], [], []), "no accounts"),
    ],
)
def test_it_refuses_bad_data_with_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message):
        fit_bgnbd(*data)


def test_it_refuses_to_fit_when_nobody_came_back():
    with pytest.raises(InsufficientData, match="no account has a repeat event"):
        fit_bgnbd([0, 0, 0], [0, 0, 0], [10, 20, 30])


def test_it_refuses_parameters_of_the_wrong_model_or_sign():
    with pytest.raises(ValueError, match="missing: b"):
        bgnbd_p_alive({"r": 1, "alpha": 1, "a": 1}, 1, 1, 2)
    with pytest.raises(ValueError, match="positive"):
        bgnbd_p_alive({**PARAMS, "alpha": -1}, 1, 1, 2)
