"""Pareto/NBD: the alternative rhythm model (Schmittlein, Morrison & Colombo 1987).

While active, events arrive at rate lambda ~ Gamma(r, alpha); the active
lifetime is exponential with rate mu ~ Gamma(s, beta), so an account can go
quiet at any moment, including before its first repeat event (unlike BG/NBD).

Likelihood (Fader & Hardie, "A Note on Deriving the Pareto/NBD Model", 2005):

    L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [ Q(T) + s * I(t_x, T) ]
    Q(y) = (alpha+y)^-(r+x) (beta+y)^-s
    I = integral over [t_x, T] of (alpha+y)^-(r+x) (beta+y)^-(s+1) dy

The note evaluates I as a difference of two Gauss hypergeometric terms, with
the two cases alpha >= beta and alpha < beta. Those terms overflow for large x
(their parameters grow with x while z tends to 1). Applying Euler's
transformation to each case gives the same integral as
``(1/m) [Q(t_x) H(t_x) - Q(T) H(T)]`` with m = r+s+x and

    alpha >= beta:  H(y) = 2F1(1, r+x; m+1; (alpha-beta)/(alpha+y))
    alpha <  beta:  H(y) = (alpha+y)/(beta+y) 2F1(1, s+1; m+1; (beta-alpha)/(beta+y))

where 0 <= (s/m) H(T) <= 1 always, so the likelihood is a sum of two
non-negative terms taken in log space with ``logaddexp``. 2F1(1, b; c; z) comes
from ``special.hyp2f1_one`` (scipy, with a continued fraction where scipy
fails). No gradient in closed
form (the derivatives in r and s are not hypergeometric); the fit uses forward
differences of the vectorised objective, evaluating 2F1 once per distinct
(x, time) pair, which is what makes day-grained data fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln

from aftersale.stats.model import (
    Calibration,
    ModelKind,
    ParamsLike,
    RhythmModel,
    check_calibration,
    maximise,
    param_values,
    require_repeat_events,
    time_scale,
)
from aftersale.stats.special import hyp2f1_one

KIND = ModelKind.PARETONBD


def _log_q_and_h(
    r: float, alpha: float, s: float, beta: float, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """log Q(y) and (s/m) H(y) (see the module docstring), elementwise."""
    m = r + s + x
    log_q = -(r + x) * np.log(alpha + y) - s * np.log(beta + y)
    if alpha >= beta:
        h = hyp2f1_one(r + x, m + 1.0, (alpha - beta) / (alpha + y))
    else:
        h = (alpha + y) / (beta + y) * hyp2f1_one(s + 1.0, m + 1.0, (beta - alpha) / (beta + y))
    return log_q, np.clip(s / m * h, 0.0, 1.0)


def _log_bracket(
    r: float, alpha: float, s: float, beta: float,
    x: NDArray[np.float64], t_x: NDArray[np.float64], T: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """log Q(T) (the 'still active at T' term) and log[Q(T) + s I] (the whole bracket)."""
    log_q_T, sh_T = _log_q_and_h(r, alpha, s, beta, x, T)
    log_q_t, sh_t = _log_q_and_h(r, alpha, s, beta, x, t_x)
    with np.errstate(divide="ignore"):
        # s I = (s/m)[Q(t_x)H(t_x) - Q(T)H(T)]; Q(T) is split off so both parts stay non-negative.
        bracket = np.logaddexp(log_q_T + np.log1p(-sh_T), log_q_t + np.log(sh_t))
    return log_q_T, bracket


def _log_constant(
    r: float, alpha: float, s: float, beta: float, x: NDArray[np.float64]
) -> NDArray[np.float64]:
    return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)


def paretonbd_log_likelihood(
    params: ParamsLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> NDArray[np.float64]:
    """Each account's log-likelihood contribution under ``params`` (r, alpha, s, beta)."""
    r, alpha, s, beta = param_values(params, KIND)
    data = check_calibration(x, t_x, T, allow_empty=True)
    _, bracket = _log_bracket(r, alpha, s, beta, data.x, data.t_x, data.T)
    return _log_constant(r, alpha, s, beta, data.x) + bracket


@dataclass(frozen=True)
class _Pairs:
    """Distinct (x, time) pairs, so 2F1 is evaluated once per pair rather than per account."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    inverse: NDArray[np.intp]

    @classmethod
    def of(cls, x: NDArray[np.float64], y: NDArray[np.float64]) -> _Pairs:
        pairs, inverse = np.unique(np.column_stack((x, y)), axis=0, return_inverse=True)
        return cls(x=pairs[:, 0], y=pairs[:, 1], inverse=inverse.reshape(-1))


def _fit_objective(data: Calibration) -> tuple[Callable[[NDArray[np.float64]], float], float]:
    """The mean negative log-likelihood over log-parameters, and the total weight it is divided by."""
    at_T = _Pairs.of(data.x, data.T)
    at_t = _Pairs.of(data.x, data.t_x)
    unique_x, inverse_x = np.unique(data.x, return_inverse=True)
    weight_x = np.bincount(inverse_x, weights=data.weights, minlength=unique_x.size).astype(np.float64)
    n = data.total_weight

    def objective(log_theta: NDArray[np.float64]) -> float:
        r, alpha, s, beta = np.exp(log_theta)
        log_q_T, sh_T = _log_q_and_h(r, alpha, s, beta, at_T.x, at_T.y)
        log_q_t, sh_t = _log_q_and_h(r, alpha, s, beta, at_t.x, at_t.y)
        with np.errstate(divide="ignore"):
            first = (log_q_T + np.log1p(-sh_T))[at_T.inverse]
            second = (log_q_t + np.log(sh_t))[at_t.inverse]
        total = float(weight_x @ _log_constant(r, alpha, s, beta, unique_x))
        total += data.wsum(np.logaddexp(first, second))
        # Outside the region where 2F1 is finite the likelihood is useless; steer the search away.
        return -total / n if np.isfinite(total) else 1e300

    return objective, n


def fit_paretonbd(
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    time_unit: str = "day",
) -> RhythmModel:
    """Fit Pareto/NBD by maximum likelihood (L-BFGS-B on log-parameters, numerical gradient).

    Same conventions as ``fit_bgnbd``: optional row ``weights``, time rescaled
    internally, ``alpha`` and ``beta`` reported in ``time_unit``.
    """
    data = check_calibration(x, t_x, T, weights)
    require_repeat_events(data)
    scale = time_scale(data)
    scaled = Calibration(x=data.x, t_x=data.t_x / scale, T=data.T / scale, weights=data.weights)
    objective, n = _fit_objective(scaled)
    mean_rate = max(float(np.average(scaled.x, weights=scaled.weights)), 0.1)
    optimum = maximise(objective, np.log([1.0, 1.0 / mean_rate, 1.0, 1.0]), jac=False)
    r, alpha, s, beta = np.exp(optimum.log_params)
    params = {"r": float(r), "alpha": float(alpha * scale), "s": float(s), "beta": float(beta * scale)}
    # Rescaling time by c divides each account's density by c^x: LL(days) = LL(scaled) - sum(x) log c.
    repeats = float(data.x.sum() if data.weights is None else data.weights @ data.x)
    log_likelihood = -float(objective(optimum.log_params)) * n - float(np.log(scale)) * repeats
    return RhythmModel(
        kind=KIND,
        params=params,
        log_likelihood=log_likelihood,
        n=int(round(data.total_weight)),
        time_unit=time_unit,
        converged=optimum.converged,
        iterations=optimum.iterations,
    )


def paretonbd_p_alive(params: ParamsLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> NDArray[np.float64]:
    """P(still active | x, t_x, T). Falls with silence even for accounts with no repeat event."""
    r, alpha, s, beta = param_values(params, KIND)
    xs, tx, tt = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, t_x, T)))
    log_q_T, bracket = _log_bracket(r, alpha, s, beta, xs.ravel(), tx.ravel(), tt.ravel())
    return np.minimum(np.exp(log_q_T - bracket), 1.0).reshape(xs.shape)


def _mean_active_time(
    s: float, beta: float, t: NDArray[np.float64], T: NDArray[np.float64]
) -> NDArray[np.float64]:
    """(beta+T)/(s-1) [1 - ((beta+T)/(beta+T+t))^(s-1)]: expected active time in the next t, if active now.

    Written with expm1/log1p so s == 1 (where it becomes (beta+T) log(1 + t/(beta+T))) is not a 0/0.
    """
    log_ratio = np.log1p(t / (beta + T))
    eps = s - 1.0
    if abs(eps) < 1e-10:
        return (beta + T) * log_ratio
    return (beta + T) * -np.expm1(-eps * log_ratio) / eps


def paretonbd_expected(
    params: ParamsLike, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> NDArray[np.float64]:
    """Conditional expectation E[Y(t) | x, t_x, T]: expected events in the next ``t``."""
    r, alpha, s, beta = param_values(params, KIND)
    ts, xs, tx, tt = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (t, x, t_x, T)))
    rate_if_active = (r + xs) / (alpha + tt)
    return paretonbd_p_alive(params, xs, tx, tt) * rate_if_active * _mean_active_time(s, beta, ts, tt)


def paretonbd_expected_new(params: ParamsLike, t: ArrayLike) -> NDArray[np.float64]:
    """E[X(t)]: expected repeat events of a new account in its first ``t``."""
    r, alpha, s, beta = param_values(params, KIND)
    ts = np.asarray(t, dtype=np.float64)
    return r / alpha * _mean_active_time(s, beta, ts, np.zeros_like(ts))
