"""Quietness: which accounts raise improbably few requests, with the false alarms controlled.

Pure numpy/scipy, in three steps:

- ``fit_count_model(X, y, exposure)``: the requests an account raises, given
  what exposes it to needing us (covariates ``X``) over its time in the window
  (``exposure``), by maximum likelihood. The model is a negative binomial
  (mean ``mu = exposure * exp(b0 + Z @ b)``, variance ``mu + phi mu^2``, ``Z``
  the standardised covariates) mixed with a share ``pi`` of structural zeros
  (zero-inflated, ZINB): accounts that raise nothing whatever they use, which
  are exactly the ones to find, so they must not drag the expectation of the
  others down. L-BFGS-B on ``(b0, b, log phi, logit pi)`` with the analytic
  gradient; the slopes carry a weak normal prior (sd ``SLOPE_PRIOR_SD`` on the
  standardised scale), so a covariate only one silent account has cannot run
  its slope to minus infinity. Plain NB is fitted when there are no more zeros than NB expects, or
  when the zero-inflated fit does not converge.
- ``leave_one_out(model, X, y, exposure)``: each account's expectation from
  the model refitted without it (one Newton step on the coefficients, with the
  outer-product information and the dispersion and zero share held:
  b_(-i) = b - J_bb^-1 g_i).
- ``quiet_p_values`` and ``benjamini_hochberg``: P(N <= observed) under the
  negative-binomial predictive of an engaged account like it, and the accounts
  flagged at a false-discovery rate: of the accounts flagged, the expected
  share flagged by chance is at most ``q``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betainc, digamma, expit, gammaln, log_expit, pdtr

from aftersale.stats.model import thread_pools

_MAX_ETA = 700.0  # exp() overflows just above 709
#: Bounds of the search: dispersion from "Poisson" (e^-12) to e^5; share of zeros from e^-12 odds.
_LOG_PHI = (-12.0, 5.0)
_LOGIT_PI = (-12.0, 12.0)
_COEF = (-50.0, 50.0)
#: Prior standard deviation of each slope per standard deviation of its covariate: wide enough
#: to let any real effect through (a factor e^2.5 per sd), narrow enough to keep slopes finite.
SLOPE_PRIOR_SD = 2.5


def lower_tail_probability(k: ArrayLike, mu: ArrayLike, dispersion: ArrayLike = 0.0) -> NDArray[np.float64]:
    """P(N <= k) for N ~ Poisson(mu), or negative binomial where ``dispersion > 0`` (broadcast).

    The negative binomial has mean ``mu`` and variance ``mu + dispersion * mu**2``
    (size 1/dispersion), the usual model for counts that vary more between
    accounts than a Poisson allows; it gives less extreme tails, so fewer
    accounts are called quiet by chance. ``k`` is floored; ``k < 0`` gives 0 and
    ``mu == 0`` gives 1.
    """
    ks, mus, phis = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (k, mu, dispersion)))
    for name, values in (("k", ks), ("mu", mus), ("dispersion", phis)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must be finite")
    if np.any(mus < 0):
        raise ValueError("mu must not be negative")
    if np.any(phis < 0):
        raise ValueError("dispersion must not be negative")
    kf = np.floor(ks)
    safe_k = np.maximum(kf, 0.0)
    poisson = pdtr(safe_k, mus)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = 1.0 / phis
        negbin = betainc(size, safe_k + 1.0, size / (size + mus))
    out = np.where(phis > 0, negbin, poisson)
    out = np.where(mus == 0, 1.0, out)
    return np.where(kf < 0, 0.0, np.clip(out, 0.0, 1.0))


@dataclass(frozen=True)
class CountModel:
    """A fitted (zero-inflated) negative-binomial model of request counts.

    ``coef`` is ``(b0, b...)`` on the standardised covariates ``(X - center) / scale``;
    ``log_phi`` the log dispersion; ``logit_pi`` the log-odds of a structural zero
    (``None`` for plain NB). ``information`` is the outer-product information of
    the coefficients, prior included (what leave-one-out needs).
    """

    coef: NDArray[np.float64]
    center: NDArray[np.float64]
    scale: NDArray[np.float64]
    log_phi: float
    logit_pi: float | None
    log_likelihood: float
    n: int
    converged: bool
    information: NDArray[np.float64] = field(repr=False)
    iterations: int = 0

    @property
    def zero_inflated(self) -> bool:
        return self.logit_pi is not None

    @property
    def dispersion(self) -> float:
        return float(np.exp(self.log_phi))

    @property
    def zero_share(self) -> float:
        """The share of structural zeros, pi (0 for plain NB)."""
        return 0.0 if self.logit_pi is None else float(expit(self.logit_pi))

    @property
    def theta(self) -> NDArray[np.float64]:
        tail = [self.log_phi] + ([] if self.logit_pi is None else [self.logit_pi])
        return np.concatenate([self.coef, tail])

    def design(self, X: ArrayLike) -> NDArray[np.float64]:
        matrix = _matrix(X, self.center.size)
        return np.column_stack((np.ones(matrix.shape[0]), (matrix - self.center) / self.scale))

    def predict(self, X: ArrayLike, exposure: ArrayLike) -> NDArray[np.float64]:
        """The mean of the negative-binomial part: what an engaged account like it raises."""
        design = self.design(X)
        return np.exp(np.minimum(design @ self.coef + _log_exposure(exposure, design.shape[0]), _MAX_ETA))

    def original_coefficients(self) -> tuple[float, NDArray[np.float64]]:
        """Intercept and slopes per unit of each covariate (undoing the standardisation)."""
        slopes = self.coef[1:] / self.scale
        return float(self.coef[0] - slopes @ self.center), slopes

    def as_dict(self) -> dict[str, Any]:
        return {
            "coef": self.coef.tolist(), "center": self.center.tolist(), "scale": self.scale.tolist(),
            "log_phi": self.log_phi, "logit_pi": self.logit_pi, "log_likelihood": self.log_likelihood,
            "n": self.n, "converged": self.converged,
            "information": self.information.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CountModel:
        logit_pi = data.get("logit_pi")
        return cls(
            coef=np.asarray(data["coef"], dtype=np.float64),
            center=np.asarray(data["center"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            log_phi=float(data["log_phi"]), logit_pi=None if logit_pi is None else float(logit_pi),
            log_likelihood=float(data["log_likelihood"]), n=int(data["n"]),
            converged=bool(data["converged"]),
            information=np.asarray(data["information"], dtype=np.float64),
        )


def _matrix(X: ArrayLike, columns: int | None = None) -> NDArray[np.float64]:
    matrix = np.asarray(X, dtype=np.float64)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2:
        raise ValueError(f"X must be a 2-D array (accounts x covariates), got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("X holds non-finite values")
    if columns is not None and matrix.shape[1] != columns:
        raise ValueError(f"X has {matrix.shape[1]} columns, the model {columns}")
    return matrix


def _log_exposure(exposure: ArrayLike, n: int) -> NDArray[np.float64]:
    values = np.broadcast_to(np.asarray(exposure, dtype=np.float64), (n,))
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError("exposure must be positive and finite")
    return np.log(values)


def _counts(y: ArrayLike, n: int) -> NDArray[np.float64]:
    counts = np.asarray(y, dtype=np.float64)
    if counts.shape != (n,):
        raise ValueError(f"y must have one count per row of X ({n}), got shape {counts.shape}")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ValueError("y must hold non-negative whole counts")
    return counts


def _per_account(
    theta: NDArray[np.float64], design: NDArray[np.float64], offset: NDArray[np.float64],
    y: NDArray[np.float64], zero_inflated: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each account's log-likelihood and its gradient (rows) with respect to theta."""
    k = design.shape[1]
    coef, log_phi = theta[:k], theta[k]
    eta = np.minimum(design @ coef + offset, _MAX_ETA)
    mu = np.exp(eta)
    size = np.exp(-log_phi)
    log1p_ratio = np.log1p(mu / size)
    # gammaln and digamma dominate the cost; counts take few distinct values.
    distinct, inverse = np.unique(y, return_inverse=True)
    log_gamma = (gammaln(distinct + size) - gammaln(size) - gammaln(distinct + 1.0))[inverse]
    psi = (digamma(distinct + size) - digamma(size))[inverse]
    log_nb = log_gamma - size * log1p_ratio + y * (eta - np.log(size + mu))
    d_eta = size * (y - mu) / (size + mu)
    d_log_phi = -size * (psi - log1p_ratio + (mu - y) / (size + mu))
    if not zero_inflated:
        return log_nb, np.column_stack((d_eta[:, None] * design, d_log_phi))
    zeta = theta[k + 1]
    pi = float(expit(zeta))
    zero = y == 0
    log_keep = float(log_expit(-zeta))  # log(1 - pi)
    ll = np.where(zero, np.logaddexp(float(log_expit(zeta)), log_keep + log_nb), log_keep + log_nb)
    # A zero is explained by the NB part with weight w (and is a structural zero with 1 - w).
    w = np.where(zero, np.exp(log_keep + log_nb - ll), 1.0)
    d_zeta = np.where(zero, (1.0 - w) - pi, -pi)
    return ll, np.column_stack(((w * d_eta)[:, None] * design, w * d_log_phi, d_zeta))


def _prior_precision(theta_size: int, k: int) -> NDArray[np.float64]:
    """1/sd^2 for the slopes (entries 1..k-1), 0 for the intercept, dispersion and zero share."""
    precision = np.zeros(theta_size)
    precision[1:k] = 1.0 / SLOPE_PRIOR_SD**2
    return precision


def _fit(design: NDArray[np.float64], offset: NDArray[np.float64], y: NDArray[np.float64],
         start: NDArray[np.float64], zero_inflated: bool) -> tuple[NDArray[np.float64], bool, int]:
    n = y.size

    precision = _prior_precision(theta_size=start.size, k=design.shape[1])

    def objective(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        ll, grad = _per_account(theta, design, offset, y, zero_inflated)
        penalty = 0.5 * float(precision @ theta**2)
        return (penalty - float(ll.sum())) / n, (precision * theta - grad.sum(axis=0)) / n

    k = design.shape[1]
    bounds = [_COEF] * k + [_LOG_PHI] + ([_LOGIT_PI] if zero_inflated else [])
    # One BLAS thread, as for the rhythm fits (stats.model.maximise): the optimiser's small
    # matrix calls cost less than waking a thread pool.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
            thread_pools().limit(limits=1, user_api="blas"):
        result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds,
                          options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-8})
    theta = result.x
    # Poisson is the dispersion's lower limit and a fine answer; any other bound means the
    # data do not pin the parameter down.
    at_edge = bool(np.any(np.abs(theta[:k]) >= _COEF[1] - 1e-6)) or theta[k] >= _LOG_PHI[1] - 1e-6
    if zero_inflated:
        at_edge = at_edge or abs(theta[k + 1]) >= _LOGIT_PI[1] - 1e-6
    # The line search can stop short of "success" on a parameter resting at its bound (Poisson-like
    # counts push the dispersion to its floor); what counts is that no free direction is left uphill.
    _, grad = objective(theta)
    lower, upper = np.array(bounds).T
    free = ~(((theta <= lower + 1e-9) & (grad > 0)) | ((theta >= upper - 1e-9) & (grad < 0)))
    settled = bool(result.success) or bool(np.all(np.abs(grad[free]) < 1e-6))
    converged = settled and not at_edge and bool(np.isfinite(result.fun))
    return theta, converged, int(result.nit)


def fit_count_model(
    X: ArrayLike, y: ArrayLike, exposure: ArrayLike, *, zero_inflated: bool = True
) -> CountModel:
    """Fit the request counts ``y`` on covariates ``X`` over ``exposure`` (see the module docstring).

    ZINB when ``zero_inflated`` and the data have more zeros than the NB fit
    expects and the ZINB fit converges; plain NB otherwise. ``converged`` on the
    result is False when even the NB fit did not converge (then it must not be used).
    """
    matrix = _matrix(X)
    n = matrix.shape[0]
    if n == 0:
        raise ValueError("no accounts to fit")
    counts = _counts(y, n)
    offset = _log_exposure(exposure, n)
    center = matrix.mean(axis=0)
    spread = matrix.std(axis=0)
    # A covariate that does not vary says nothing; scale 1 keeps it at zero after centring.
    scale = np.where(spread > 1e-12, spread, 1.0)
    design = np.column_stack((np.ones(n), (matrix - center) / scale))
    rate = max(float(counts.sum()), 0.5) / float(np.exp(offset).sum())
    start = np.concatenate([[np.log(rate)], np.zeros(matrix.shape[1]), [np.log(0.5)]])
    theta, converged, iterations = _fit(design, offset, counts, start, zero_inflated=False)
    model = _model(theta, design, offset, counts, center, scale, converged, iterations, zero_inflated=False)
    if not zero_inflated or not converged:
        return model
    mu = np.exp(np.minimum(design @ theta[:-1] + offset, _MAX_ETA))
    expected_zeros = float(np.exp(-np.exp(-theta[-1]) * np.log1p(mu * np.exp(theta[-1]))).sum())
    excess = (float((counts == 0).sum()) - expected_zeros) / n
    if excess <= 0:
        return model  # no more zeros than the NB part explains: nothing to inflate
    zi_start = np.concatenate([theta, [np.log(excess / (1.0 - excess))]])
    zi_theta, zi_converged, zi_iterations = _fit(design, offset, counts, zi_start, zero_inflated=True)
    if not zi_converged:
        return model
    return _model(zi_theta, design, offset, counts, center, scale, True, zi_iterations, zero_inflated=True)


def _model(theta: NDArray[np.float64], design: NDArray[np.float64], offset: NDArray[np.float64],
           y: NDArray[np.float64], center: NDArray[np.float64], scale: NDArray[np.float64],
           converged: bool, iterations: int, *, zero_inflated: bool) -> CountModel:
    ll, grad = _per_account(theta, design, offset, y, zero_inflated)
    k = design.shape[1]
    return CountModel(
        coef=theta[:k].copy(), center=center, scale=scale, log_phi=float(theta[k]),
        logit_pi=float(theta[k + 1]) if zero_inflated else None,
        log_likelihood=float(ll.sum()), n=int(y.size), converged=converged,
        information=grad[:, :k].T @ grad[:, :k] + np.diag(_prior_precision(k, k)),
        iterations=iterations,
    )


def leave_one_out(model: CountModel, X: ArrayLike, y: ArrayLike, exposure: ArrayLike) -> NDArray[np.float64]:
    """Each account's NB mean from the model refitted without it (one Newton step).

    Removing account i moves the coefficients by about -J^-1 g_i, where g_i is its own score:
    a silent account pulled its peers' expectation down, and its own benchmark goes back up.
    The dispersion and the zero share are held: one account barely moves them, and a
    dispersion at its Poisson limit would take the step far outside the fit.
    """
    design = model.design(X)
    n = design.shape[0]
    counts = _counts(y, n)
    offset = _log_exposure(exposure, n)
    _, grad = _per_account(model.theta, design, offset, counts, model.zero_inflated)
    k = design.shape[1]
    shifted = model.coef[None, :] - grad[:, :k] @ np.linalg.pinv(model.information).T
    eta = np.einsum("ij,ij->i", design, shifted) + offset
    return np.exp(np.minimum(eta, _MAX_ETA))


def quiet_p_values(
    model: CountModel, X: ArrayLike, y: ArrayLike, exposure: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """P(N <= observed) under the NB predictive of an engaged account like it (its own count left
    out), and that leave-one-out expectation. The structural zeros are left out of the predictive:
    being one is what "quiet" means."""
    mu = leave_one_out(model, X, y, exposure)
    return lower_tail_probability(np.asarray(y, dtype=np.float64), mu, model.dispersion), mu


def benjamini_hochberg(p: ArrayLike, q: float) -> tuple[NDArray[np.bool_], float | None]:
    """Flags at false-discovery rate ``q`` (Benjamini & Hochberg 1995) and the p-value cutoff.

    The largest k with p_(k) <= k q / m sets the cutoff p_(k); every p at or below it is
    flagged. With no such k nothing is flagged and the cutoff is ``None``.
    """
    values = np.asarray(p, dtype=np.float64)
    if values.ndim != 1 or not np.all(np.isfinite(values)) or np.any((values < 0) | (values > 1)):
        raise ValueError("p must be a one-dimensional array of probabilities")
    if not 0 <= q <= 1:
        raise ValueError(f"the false-discovery rate must be between 0 and 1, got {q}")
    m = values.size
    if m == 0:
        return np.zeros(0, dtype=bool), None
    ordered = np.sort(values)
    below = np.flatnonzero(ordered <= q * np.arange(1, m + 1) / m)
    if below.size == 0:
        return np.zeros(m, dtype=bool), None
    cutoff = float(ordered[below[-1]])
    return values <= cutoff, cutoff
