"""Does a ranking work? The backtest's measures, as plain functions over numpy arrays.

- ``auc_interval``: ROC AUC with its 95% interval by DeLong's method (DeLong, DeLong and
  Clarke-Pearson 1988), computed from mid-ranks in O(n log n) (Sun and Xu 2014).
- ``tenths`` / ``lift_top_tenth``: the outcome rate in each tenth of a ranking.
- ``fit_isotonic`` / ``isotonic_predict``: a calibrated probability that never falls as the
  score rises (pool-adjacent-violators).
- ``fit_nonnegative_logistic``: weights that cannot be negative, by L2-regularised
  logistic regression (L-BFGS-B with bounds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import expit, log_expit
from scipy.stats import norm, rankdata

from aftersale.stats.auc import roc_auc

TENTHS = 10


def _arrays(score: ArrayLike, positive: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(score, dtype=np.float64)
    labels = np.asarray(positive).astype(bool)
    if scores.ndim != 1 or labels.shape != scores.shape:
        raise ValueError(
            f"score and positive must be 1-D of the same length, got {scores.shape} and {labels.shape}"
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError("score holds non-finite values")
    return scores, labels


@dataclass(frozen=True)
class AUCInterval:
    auc: float
    low: float
    high: float
    n: int
    positives: int


def auc_interval(score: ArrayLike, positive: ArrayLike, level: float = 0.95) -> AUCInterval:
    """The AUC and its ``level`` interval (DeLong's variance; normal, clipped to [0, 1]).

    NaN throughout when either class is empty."""
    scores, labels = _arrays(score, positive)
    m, n = int(labels.sum()), int((~labels).sum())
    if m == 0 or n == 0:
        nan = float("nan")
        return AUCInterval(nan, nan, nan, scores.size, m)
    auc = roc_auc(scores, labels)
    pos, neg = scores[labels], scores[~labels]
    combined = rankdata(scores)
    # Placement values: the share of the other class each account outranks (ties one half).
    v10 = (combined[labels] - rankdata(pos)) / n
    v01 = 1.0 - (combined[~labels] - rankdata(neg)) / m
    variance = (np.var(v10, ddof=1) if m > 1 else 0.0) / m + (np.var(v01, ddof=1) if n > 1 else 0.0) / n
    half = float(norm.ppf(0.5 + level / 2) * np.sqrt(max(variance, 0.0)))
    return AUCInterval(auc, max(0.0, auc - half), min(1.0, auc + half), scores.size, m)


def tenth_of(score: ArrayLike, parts: int = TENTHS) -> np.ndarray:
    """Each account's tenth of the ranking, 0 (lowest) to ``parts - 1`` (highest), by mid-rank, so
    tied scores share a tenth."""
    scores = np.asarray(score, dtype=np.float64)
    if scores.size == 0:
        return np.zeros(0, dtype=np.int64)
    ranks = rankdata(scores)  # 1..n, ties averaged
    return np.minimum(((ranks - 0.5) * parts / scores.size).astype(np.int64), parts - 1)


@dataclass(frozen=True)
class Bin:
    """One group of accounts: how many, how many had the outcome, and the scores it spans."""

    n: int
    positives: int
    low: float
    high: float

    @property
    def rate(self) -> float | None:
        return self.positives / self.n if self.n else None


def tenths(score: ArrayLike, positive: ArrayLike, parts: int = TENTHS) -> list[Bin]:
    """The outcome in each tenth of the ranking, lowest scores first."""
    scores, labels = _arrays(score, positive)
    which = tenth_of(scores, parts)
    out = []
    for k in range(parts):
        inside = which == k
        values = scores[inside]
        out.append(Bin(int(inside.sum()), int(labels[inside].sum()),
                       float(values.min()) if values.size else float("nan"),
                       float(values.max()) if values.size else float("nan")))
    return out


def lift_top_tenth(score: ArrayLike, positive: ArrayLike) -> float:
    """The outcome rate among the top tenth of the ranking over the rate among all (1 is no lift).

    The top tenth is every account scoring at least the score at the tenth from the top, ties at
    the cut included: a score many accounts share (a signal at full marks) is not split at random."""
    scores, labels = _arrays(score, positive)
    if not labels.any():
        return float("nan")
    cut = np.sort(scores)[-max(1, scores.size // TENTHS)]
    top = scores >= cut
    return float(labels[top].mean()) / float(labels.mean())


@dataclass(frozen=True)
class Isotonic:
    """A non-decreasing step function: ``x`` the left edge of each step, ``y`` its probability."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    n: int


def fit_isotonic(score: ArrayLike, positive: ArrayLike, *, weight: ArrayLike | None = None) -> Isotonic:
    """The non-decreasing function of the score closest to the outcomes (least squares), by
    pool-adjacent-violators over the distinct scores."""
    scores, labels = _arrays(score, positive)
    if scores.size == 0:
        raise ValueError("no accounts to calibrate on")
    w = np.ones_like(scores) if weight is None else np.asarray(weight, dtype=np.float64)
    order = np.argsort(scores, kind="stable")
    xs, first = np.unique(scores[order], return_index=True)
    sums = np.add.reduceat((labels[order] * w[order]), first)
    weights = np.add.reduceat(w[order], first)
    # Blocks: [start x, total outcome, total weight]; merge while a block's mean is below the previous.
    starts: list[float] = []
    totals: list[float] = []
    masses: list[float] = []
    for x, s, m in zip(xs.tolist(), sums.tolist(), weights.tolist(), strict=True):
        starts.append(x)
        totals.append(s)
        masses.append(m)
        while len(totals) > 1 and totals[-2] / masses[-2] >= totals[-1] / masses[-1]:
            s2, m2 = totals.pop(), masses.pop()
            starts.pop()
            totals[-1] += s2
            masses[-1] += m2
    means = tuple(t / m for t, m in zip(totals, masses, strict=True))
    return Isotonic(tuple(starts), means, int(scores.size))


def isotonic_predict(model: Isotonic, score: ArrayLike) -> np.ndarray:
    """The probability at each score: the step it falls on (below the first step, the first)."""
    scores = np.asarray(score, dtype=np.float64)
    idx = np.searchsorted(np.asarray(model.x), scores, side="right") - 1
    return np.asarray(model.y)[np.clip(idx, 0, len(model.y) - 1)]


@dataclass(frozen=True)
class NonNegativeLogistic:
    intercept: float
    coef: np.ndarray
    converged: bool
    log_likelihood: float


def fit_nonnegative_logistic(X: ArrayLike, y: ArrayLike, *, l2: float = 1.0,
                             max_iter: int = 500) -> NonNegativeLogistic:
    """P(y) = expit(intercept + X @ coef) with every ``coef >= 0`` (the intercept is free), maximising
    the log-likelihood minus ``l2 / 2 * |coef|^2`` by L-BFGS-B with bounds."""
    features = np.asarray(X, dtype=np.float64)
    outcome = np.asarray(y).astype(np.float64)
    if features.ndim != 2 or features.shape[0] != outcome.size:
        raise ValueError(f"X must be n x k with n = len(y), got {features.shape} and {outcome.shape}")
    if not np.all(np.isfinite(features)):
        raise ValueError("X holds non-finite values")
    if l2 < 0:
        raise ValueError(f"l2 must not be negative, got {l2}")
    k = features.shape[1]
    design = np.column_stack((np.ones(outcome.size), features))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = design @ theta
        ll = float(np.sum(outcome * log_expit(eta) + (1.0 - outcome) * log_expit(-eta)))
        grad = design.T @ (outcome - expit(eta))
        penalty = 0.5 * l2 * float(theta[1:] @ theta[1:])
        grad[1:] -= l2 * theta[1:]
        return -(ll - penalty), -grad

    mean = float(np.clip(outcome.mean(), 1e-6, 1 - 1e-6)) if outcome.size else 0.5
    start = np.concatenate(([np.log(mean / (1 - mean))], np.zeros(k)))
    result = minimize(loss, start, jac=True, method="L-BFGS-B",
                      bounds=[(None, None)] + [(0.0, None)] * k, options={"maxiter": max_iter})
    theta = result.x
    eta = design @ theta
    ll = float(np.sum(outcome * log_expit(eta) + (1.0 - outcome) * log_expit(-eta)))
    return NonNegativeLogistic(float(theta[0]), np.maximum(theta[1:], 0.0), bool(result.success), ll)
