"""Quietness: how improbable is it that an account raised so few requests?

Two pieces, both pure numpy:

- ``lower_tail_probability(k, mu, dispersion)``: P(N <= k) when N is Poisson
  with mean ``mu`` (``dispersion == 0``) or negative binomial with mean ``mu``
  and variance ``mu + dispersion * mu**2``.
- ``expected_from_peers(X, y, exposure)``: the number of requests each account
  would raise if it behaved like its peers with the same covariates (installed
  base size and age, order volume, ...), from a Poisson regression with a log
  link fitted by iteratively reweighted least squares, plus the overdispersion
  of the counts around it. With ``leave_one_out`` each account's expectation
  excludes its own count, so a silent account does not drag its own benchmark down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betainc, pdtr, xlogy

_MAX_ETA = 700.0  # exp() overflows just above 709


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
class PoissonGLM:
    """A fitted Poisson regression with log link: mu = exposure * exp(coef[0] + X @ coef[1:]).

    ``coef`` has the intercept first when ``intercept`` is True. ``deviance`` and
    ``null_deviance`` (intercept and exposure only) compare the fit with no
    covariates; ``converged`` is False when IRLS hit its iteration limit (for
    example a covariate group that never raises anything pushes a coefficient
    towards minus infinity).
    """

    coef: NDArray[np.float64]
    intercept: bool
    deviance: float
    null_deviance: float
    n: int
    converged: bool
    iterations: int

    def linear_predictor(self, X: ArrayLike, exposure: ArrayLike | None = None) -> NDArray[np.float64]:
        design = _design(X, self.intercept)
        if design.shape[1] != self.coef.size:
            raise ValueError(f"X has {design.shape[1] - int(self.intercept)} columns, "
                             f"the model {self.coef.size - int(self.intercept)}")
        return design @ self.coef + _log_exposure(exposure, design.shape[0])

    def predict(self, X: ArrayLike, exposure: ArrayLike | None = None) -> NDArray[np.float64]:
        """Expected counts for covariates ``X`` over ``exposure`` (window lengths; 1 when omitted)."""
        return np.exp(np.minimum(self.linear_predictor(X, exposure), _MAX_ETA))


def _design(X: ArrayLike, intercept: bool) -> NDArray[np.float64]:
    design = np.asarray(X, dtype=np.float64)
    if design.ndim == 1:
        design = design[:, None]
    if design.ndim != 2:
        raise ValueError(f"X must be a 2-D array (accounts x covariates), got shape {design.shape}")
    if not np.all(np.isfinite(design)):
        raise ValueError("X holds non-finite values")
    if intercept:
        design = np.column_stack((np.ones(design.shape[0]), design))
    return design


def _log_exposure(exposure: ArrayLike | None, n: int) -> NDArray[np.float64]:
    if exposure is None:
        return np.zeros(n)
    values = np.broadcast_to(np.asarray(exposure, dtype=np.float64), (n,))
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError("exposure must be positive and finite")
    return np.log(values)


def _deviance(y: NDArray[np.float64], mu: NDArray[np.float64], w: NDArray[np.float64]) -> float:
    return float(2.0 * w @ (xlogy(y, y) - xlogy(y, mu) - (y - mu)))


def fit_poisson_glm(
    X: ArrayLike,
    y: ArrayLike,
    *,
    exposure: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    intercept: bool = True,
    max_iter: int = 50,
    tol: float = 1e-10,
) -> PoissonGLM:
    """Fit log E[y] = log(exposure) + coef . [1, X] by IRLS (Fisher scoring), as R's ``glm`` does.

    ``X`` is accounts x covariates (transform them first: ``log1p`` of counts is
    usually right), ``y`` the observed counts, ``exposure`` each account's window
    length. Each step solves a weighted least-squares problem with ``lstsq``, so
    collinear covariates do not break the fit; a step that raises the deviance is halved.
    """
    design = _design(X, intercept)
    n = design.shape[0]
    counts = np.asarray(y, dtype=np.float64)
    if counts.shape != (n,):
        raise ValueError(f"y must have one count per row of X ({n}), got shape {counts.shape}")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("y must hold non-negative counts")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be one non-negative number per row of X")
    offset = _log_exposure(exposure, n)
    if n == 0:
        raise ValueError("no rows to fit")

    mu = counts + 0.1
    eta = np.log(mu)
    coef = np.zeros(design.shape[1])
    deviance = _deviance(counts, mu, w)
    converged, iterations = False, 0
    for iterations in range(1, max_iter + 1):
        working = eta - offset + (counts - mu) / mu
        root_w = np.sqrt(w * mu)
        new_coef = np.linalg.lstsq(design * root_w[:, None], working * root_w, rcond=None)[0]
        new_deviance, step = np.inf, 1.0
        for _ in range(30):
            candidate = coef + step * (new_coef - coef) if iterations > 1 else new_coef
            new_eta = np.minimum(design @ candidate + offset, _MAX_ETA)
            new_mu = np.exp(new_eta)
            new_deviance = _deviance(counts, new_mu, w)
            if iterations == 1 or (np.isfinite(new_deviance) and new_deviance <= deviance * (1 + 1e-12)):
                break
            step /= 2.0
        coef, eta, mu = candidate, new_eta, new_mu
        change = abs(new_deviance - deviance) / (abs(new_deviance) + 0.1)
        deviance = new_deviance
        if change < tol:
            converged = True
            break

    rate = float(w @ counts) / float(w @ np.exp(offset))
    null_mu = np.exp(offset) * rate
    return PoissonGLM(
        coef=coef,
        intercept=intercept,
        deviance=deviance,
        null_deviance=_deviance(counts, null_mu, w),
        n=n,
        converged=converged,
        iterations=iterations,
    )


def estimate_dispersion(y: ArrayLike, mu: ArrayLike) -> float:
    """Negative-binomial dispersion phi of counts ``y`` around their expectations ``mu``.

    Moment estimator (Cameron & Trivedi): Var = mu + phi mu^2, so
    phi = sum((y - mu)^2 - y) / sum(mu^2), floored at 0 (0 means Poisson is enough).
    """
    counts, means = np.asarray(y, dtype=np.float64), np.asarray(mu, dtype=np.float64)
    if counts.shape != means.shape:
        raise ValueError(f"y and mu must have the same shape, got {counts.shape} and {means.shape}")
    denominator = float(means @ means)
    if denominator <= 0:
        return 0.0
    return max(0.0, float(((counts - means) ** 2 - counts).sum()) / denominator)


@dataclass(frozen=True)
class PeerExpectation:
    """Expected counts per account from its peers, the dispersion around them, and the fitted model."""

    expected: NDArray[np.float64]
    dispersion: float
    model: PoissonGLM


def expected_from_peers(
    X: ArrayLike,
    y: ArrayLike,
    *,
    exposure: ArrayLike | None = None,
    leave_one_out: bool = True,
) -> PeerExpectation:
    """Expected requests per account given its covariates and what accounts like it raise.

    With ``leave_one_out`` (the default) each account's expectation is the
    regression refitted without that account, by the standard one-step
    approximation eta_(-i) = eta_i - h_i / (1 - h_i) * (y_i - mu_i) / mu_i,
    where h_i is the account's leverage. The dispersion is estimated from the
    in-sample fit.
    """
    model = fit_poisson_glm(X, y, exposure=exposure, intercept=True)
    counts = np.asarray(y, dtype=np.float64)
    mu = model.predict(X, exposure)
    dispersion = estimate_dispersion(counts, mu)
    if not leave_one_out:
        return PeerExpectation(expected=mu, dispersion=dispersion, model=model)
    design = _design(X, True)
    weighted = design * np.sqrt(mu)[:, None]
    # Leverage: diagonal of W^1/2 X (X'WX)^-1 X' W^1/2, via the pseudo-inverse for collinear designs.
    leverage = np.einsum("ij,ij->i", weighted @ np.linalg.pinv(weighted.T @ weighted), weighted)
    leverage = np.clip(leverage, 0.0, 0.99)
    eta = model.linear_predictor(X, exposure) - leverage / (1.0 - leverage) * (counts - mu) / mu
    return PeerExpectation(expected=np.exp(np.minimum(eta, _MAX_ETA)), dispersion=dispersion, model=model)
