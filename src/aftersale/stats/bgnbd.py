"""BG/NBD: the beta-geometric / negative-binomial rhythm model (Fader, Hardie & Lee 2005).

While active, an account's events arrive as a Poisson process with rate
lambda ~ Gamma(r, alpha) across accounts; after each repeat event it drops out
with probability p ~ Beta(a, b). Per account the data are ``x`` (repeat
events), ``t_x`` (time of the last event since the first) and ``T`` (time since
the first event).

The log-likelihood is written with ``gammaln``/``betaln`` and ``logaddexp`` so
it stays finite for any data and parameters in the search box, and its gradient
with respect to the log-parameters is analytic. Terms that depend on ``x`` only
are evaluated once per distinct ``x``, which is what keeps a whole portfolio's fit
fast (figures in docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1, roots_jacobi
from scipy.stats import nbinom

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

KIND = ModelKind.BGNBD


@dataclass(frozen=True)
class _Prepared:
    """Calibration data reorganised for fast repeated evaluation.

    Transcendental functions dominate the cost, so terms that depend on x only
    are evaluated per distinct x and the sums over all accounts that depend on
    T only are taken per distinct T (day-grained data has few).
    """

    data: Calibration
    unique_x: NDArray[np.float64]
    weight_x: NDArray[np.float64]  # total weight per distinct x
    unique_T: NDArray[np.float64]
    weight_T: NDArray[np.float64]  # total weight per distinct T
    weight_x_T: NDArray[np.float64]  # total weight * x per distinct T
    repeat: NDArray[np.intp]  # rows with x > 0
    x_rep: NDArray[np.float64]
    t_rep: NDArray[np.float64]
    T_rep: NDArray[np.float64]
    ux_rep: NDArray[np.intp]  # each repeat row's index into unique_x
    w_rep: NDArray[np.float64] | None


def _prepare(data: Calibration) -> _Prepared:
    w = data.weights
    unique_x, inverse_x = np.unique(data.x, return_inverse=True)
    unique_T, inverse_T = np.unique(data.T, return_inverse=True)
    wx = data.x if w is None else w * data.x
    repeat = np.flatnonzero(data.x > 0)
    return _Prepared(
        data=data,
        unique_x=unique_x,
        weight_x=np.bincount(inverse_x, weights=w, minlength=unique_x.size).astype(np.float64),
        unique_T=unique_T,
        weight_T=np.bincount(inverse_T, weights=w, minlength=unique_T.size).astype(np.float64),
        weight_x_T=np.bincount(inverse_T, weights=wx, minlength=unique_T.size).astype(np.float64),
        repeat=repeat,
        x_rep=data.x[repeat],
        t_rep=data.t_x[repeat],
        T_rep=data.T[repeat],
        ux_rep=inverse_x[repeat],
        w_rep=None if w is None else w[repeat],
    )


def _dot(values: NDArray[np.float64], weights: NDArray[np.float64] | None) -> float:
    return float(values.sum() if weights is None else weights @ values)


def _total(theta: tuple[float, ...], prep: _Prepared, *, gradient: bool) -> tuple[float, NDArray[np.float64]]:
    """Summed log-likelihood and (optionally) its gradient with respect to (r, alpha, a, b).

    Per account, LL = A1(x) + A2(x) + log(exp(A3) + [x > 0] exp(A4)) with
    A3 = -(r+x) log(alpha+T) ("still active") and
    A4 = log a - log(b+x-1) - (r+x) log(alpha+t_x) ("dropped after the last event").
    Only accounts with x > 0 need the second branch: log(1 + exp(A4 - A3)).
    """
    r, alpha, a, b = theta
    ux, wx, uT, wT = prep.unique_x, prep.weight_x, prep.unique_T, prep.weight_T
    per_x = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + betaln(a, b + ux) - betaln(a, b)
    log_uT = np.log(alpha + uT)
    log_b_x = np.log(b + ux - 1.0, where=ux > 0, out=np.zeros_like(ux))
    rx = r + prep.x_rep
    log_at = np.log(alpha + prep.t_rep)
    log_aT = np.log(alpha + prep.T_rep)
    diff = (np.log(a) - log_b_x[prep.ux_rep]) - rx * (log_at - log_aT)
    # log1p(exp(diff)) and expit(diff) from one exp, without overflow for large diff.
    e = np.exp(-np.abs(diff))
    softplus = np.maximum(diff, 0.0) + np.log1p(e)
    total = float(wx @ per_x) - float((r * wT + prep.weight_x_T) @ log_uT) + _dot(softplus, prep.w_rep)
    if not gradient:
        return total, np.empty(0)

    p4 = np.where(diff >= 0, 1.0, e) / (1.0 + e)  # posterior weight of the dropped-out branch
    if prep.w_rep is not None:
        p4 = p4 * prep.w_rep
    n = float(wT.sum())
    ab_x = digamma(a + b + ux)
    d_r = float(wx @ (digamma(r + ux) - digamma(r))) + n * np.log(alpha) - float(wT @ log_uT)
    d_r += float(p4 @ (log_aT - log_at))
    inv_uT = 1.0 / (alpha + uT)
    d_alpha = n * r / alpha - float((r * wT + prep.weight_x_T) @ inv_uT)
    d_alpha += float(p4 @ (rx * (1.0 / (alpha + prep.T_rep) - 1.0 / (alpha + prep.t_rep))))
    d_a = float(wx @ (digamma(a + b) - ab_x)) + float(p4.sum()) / a
    d_b = float(wx @ (digamma(a + b) + digamma(b + ux) - digamma(b) - ab_x))
    d_b -= float(p4 @ (1.0 / (b + prep.x_rep - 1.0)))
    return total, np.array([d_r, d_alpha, d_a, d_b])


def bgnbd_log_likelihood(
    params: ParamsLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> NDArray[np.float64]:
    """Each account's log-likelihood contribution under ``params`` (r, alpha, a, b)."""
    r, alpha, a, b = param_values(params, KIND)
    data = check_calibration(x, t_x, T, allow_empty=True)
    xs = data.x
    out = gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs) - betaln(a, b)
    a3 = -(r + xs) * np.log(alpha + data.T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.log(a) - np.log(b + xs - 1.0) - (r + xs) * np.log(alpha + data.t_x)
    return out + np.where(xs > 0, np.logaddexp(a3, np.where(xs > 0, a4, -np.inf)), a3)


def bgnbd_gradient(
    params: ParamsLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Gradient of the summed log-likelihood with respect to (log r, log alpha, log a, log b)."""
    theta = param_values(params, KIND)
    _, grad = _total(theta, _prepare(check_calibration(x, t_x, T, weights)), gradient=True)
    return grad * np.array(theta)


def fit_bgnbd(
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    time_unit: str = "day",
) -> RhythmModel:
    """Fit BG/NBD by maximum likelihood (L-BFGS-B on log-parameters, analytic gradient).

    ``weights`` are optional row counts (for data already grouped by identical
    ``(x, t_x, T)``). Time is rescaled internally to its mean exposure so the
    search starts near the answer whatever the unit; ``alpha`` is reported in
    ``time_unit``. Raises ``InsufficientData`` when no account has a repeat event.
    """
    data = check_calibration(x, t_x, T, weights)
    require_repeat_events(data)
    scale = time_scale(data)
    scaled = Calibration(x=data.x, t_x=data.t_x / scale, T=data.T / scale, weights=data.weights)
    prep = _prepare(scaled)
    n = scaled.total_weight

    def objective(log_theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        theta = np.exp(log_theta)
        total, grad = _total(tuple(theta), prep, gradient=True)
        return -total / n, -(grad * theta) / n

    # Start: one event per mean exposure on average, dropout chance one in two.
    mean_rate = max(float(np.average(scaled.x, weights=scaled.weights)), 0.1)
    optimum = maximise(objective, np.log([1.0, 1.0 / mean_rate, 1.0, 1.0]), jac=True)
    theta = np.exp(optimum.log_params)
    r, alpha, a, b = theta
    params = {"r": float(r), "alpha": float(alpha * scale), "a": float(a), "b": float(b)}
    # Rescaling time by c divides each account's density by c^x: LL(days) = LL(scaled) - sum(x) log c.
    scaled_total, _ = _total(tuple(theta), prep, gradient=False)
    log_likelihood = scaled_total - float(np.log(scale)) * _dot(data.x, data.weights)
    return RhythmModel(
        kind=KIND,
        params=params,
        log_likelihood=log_likelihood,
        n=int(round(data.total_weight)),
        time_unit=time_unit,
        converged=optimum.converged,
        iterations=optimum.iterations,
    )


def bgnbd_p_alive(params: ParamsLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> NDArray[np.float64]:
    """P(still active | x, t_x, T). Exactly 1 when ``x == 0``: the model's known quirk.

    BG/NBD only lets an account drop out right after a repeat event, so an
    account that never came back is rated active however long it has been
    silent. ``engagement.account_rhythm`` replaces that for zero-repeat accounts.
    """
    r, alpha, a, b = param_values(params, KIND)
    xs, tx, tt = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, t_x, T)))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = np.log(a) - np.log(b + xs - 1.0) + (r + xs) * (np.log(alpha + tt) - np.log(alpha + tx))
    return np.where(xs > 0, expit(-log_odds), 1.0)


def _expected_if_alive_hyp2f1(
    r: float, alpha: float, a: float, b: float, t: NDArray[np.float64], x: NDArray[np.float64],
    T: NDArray[np.float64],
) -> NDArray[np.float64]:
    """E[events in (T, T+t] | active at T] by the closed form, Euler-transformed.

    The published form multiplies ((alpha+T)/(alpha+T+t))^(r+x), tiny for large x,
    by 2F1(r+x, b+x; a+b+x-1; z), huge for large x. Euler's transformation
    2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) folds them into
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose parameters do not grow with x.
    """
    c = a + b + x - 1.0
    z = t / (alpha + T + t)
    term = np.exp((a - 1.0) * np.log1p(-z)) * hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    return c / (a - 1.0) * (1.0 - term)


def _expected_if_alive_quadrature(
    r: float, alpha: float, a: float, b: float, t: NDArray[np.float64], x: NDArray[np.float64],
    T: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The same expectation by Gauss-Jacobi quadrature over the dropout probability p.

    Given activity at T, p ~ Beta(a, b+x) and lambda ~ Gamma(r+x, alpha+T), and
    E[events | lambda, p] = (1 - exp(-lambda p t)) / p. Integrating lambda out
    leaves (1 - (1 + p t/(alpha+T))^-(r+x)) / p, smooth on [0, 1]; the Beta
    weight is the Jacobi weight. That function steepens near p = 0 as
    (r+x) t/(alpha+T) grows, so the node count grows with its square root.
    Used where the closed form is singular (a == 1), undefined (a + b + x <= 1)
    or where scipy's hyp2f1 fails.
    """
    out = np.empty(x.shape)
    for value in np.unique(x):
        rows = x == value
        steepness = float(np.max(t[rows] / (alpha + T[rows]))) * (r + value)
        nodes = int(np.clip(48 + 6 * np.sqrt(steepness), 64, 4000))
        u, w = roots_jacobi(nodes, b + value - 1.0, a - 1.0)  # weight (1-u)^(b+x-1) (1+u)^(a-1)
        p = (u + 1.0) / 2.0
        w = w / w.sum()
        ratio = t[rows, None] * p[None, :] / (alpha + T[rows, None])
        values = -np.expm1(-(r + value) * np.log1p(ratio)) / p[None, :]
        out[rows] = values @ w
    return out


def _expected_if_alive(
    r: float, alpha: float, a: float, b: float, t: NDArray[np.float64], x: NDArray[np.float64],
    T: NDArray[np.float64],
) -> NDArray[np.float64]:
    with np.errstate(all="ignore"):
        closed = (
            _expected_if_alive_hyp2f1(r, alpha, a, b, t, x, T)
            if abs(a - 1.0) > 1e-6
            else np.full(x.shape, np.nan)
        )
    bad = ~np.isfinite(closed) | (a + b + x - 1.0 <= 0) | (closed < 0)
    if np.any(bad):
        closed[bad] = _expected_if_alive_quadrature(r, alpha, a, b, t[bad], x[bad], T[bad])
    return np.where(t > 0, closed, 0.0)


def bgnbd_expected_if_alive(
    params: ParamsLike, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> NDArray[np.float64]:
    """Expected events in the next ``t`` for an account known to be active now."""
    r, alpha, a, b = param_values(params, KIND)
    ts, xs, _, tt = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (t, x, t_x, T)))
    return _expected_if_alive(r, alpha, a, b, ts.copy(), xs.copy(), tt.copy())


def bgnbd_expected(
    params: ParamsLike, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> NDArray[np.float64]:
    """Conditional expectation E[Y(t) | x, t_x, T]: expected events in the next ``t``."""
    return bgnbd_p_alive(params, x, t_x, T) * bgnbd_expected_if_alive(params, t, x, t_x, T)


def bgnbd_p_event_within(
    params: ParamsLike, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> NDArray[np.float64]:
    """P(Y(t) > 0 | x, t_x, T): the probability of at least one event in the next ``t``.

    Dropout happens only right after an event, so no event in the next ``t`` means: dropped out
    already, or still active with no arrival, E[exp(-lambda t)] = ((alpha+T)/(alpha+T+t))^(r+x)
    under the posterior Gamma(r+x, alpha+T). Unlike ``bgnbd_p_alive`` it falls with silence for
    accounts with no repeat event too: their posterior rate falls as T grows.
    """
    r, alpha, _, _ = param_values(params, KIND)
    ts, xs, tx, tt = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (t, x, t_x, T)))
    some_if_alive = -np.expm1(-(r + xs) * np.log1p(ts / (alpha + tt)))
    return bgnbd_p_alive(params, xs, tx, tt) * some_if_alive


def bgnbd_expected_new(params: ParamsLike, t: ArrayLike) -> NDArray[np.float64]:
    """E[X(t)]: expected repeat events of a new account in its first ``t``."""
    zero = np.zeros_like(np.asarray(t, dtype=np.float64))
    return bgnbd_expected_if_alive(params, t, zero, zero, zero)


def bgnbd_pmf(params: ParamsLike, t: ArrayLike, k: ArrayLike) -> NDArray[np.float64]:
    """P(X(t) = k): probability that a new account makes exactly ``k`` repeat events by ``t``.

    FHL 2005 eq. 8; the sum over j < k is the negative-binomial CDF, so the
    whole expression is vectorised. ``k = 0`` gives (alpha / (alpha + t))^r.
    """
    r, alpha, a, b = param_values(params, KIND)
    ts, ks = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(k, dtype=np.float64))
    if np.any(ks < 0) or np.any(ks != np.round(ks)):
        raise ValueError("k must hold non-negative whole numbers")
    p = alpha / (alpha + ts)
    active = np.exp(betaln(a, b + ks) - betaln(a, b)) * nbinom.pmf(ks, r, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.exp(betaln(a + 1.0, b + ks - 1.0) - betaln(a, b)) * nbinom.sf(ks - 1.0, r, p)
    return active + np.where(ks > 0, dropped, 0.0)
