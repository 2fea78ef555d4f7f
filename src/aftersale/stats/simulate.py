"""Vectorised simulation of BG/NBD populations (tests and benchmarks).

No loop over accounts: the number of events is drawn first and the event
times come from order statistics of uniforms, which is what a Poisson process
looks like given its count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aftersale.stats.model import ModelKind, ParamsLike, param_values


@dataclass(frozen=True)
class SimulatedSummary:
    """A simulated calibration summary (``x``, ``t_x``, ``T``), in the parameters' time unit."""

    x: NDArray[np.int64]
    t_x: NDArray[np.float64]
    T: NDArray[np.float64]


def _exposures(T: ArrayLike, n: int) -> NDArray[np.float64]:
    exposure = np.broadcast_to(np.asarray(T, dtype=np.float64), (n,)).copy()
    if np.any(exposure < 0) or not np.all(np.isfinite(exposure)):
        raise ValueError("T must be finite and non-negative")
    return exposure


def _last_of(x: NDArray[np.int64], among: NDArray[np.int64], window: NDArray[np.float64],
             rng: np.random.Generator) -> NDArray[np.float64]:
    """Time of the x-th of ``among`` uniform arrivals in [0, window]: window * Beta(x, among - x + 1)."""
    t_x = np.zeros(x.size)
    pos = x > 0
    t_x[pos] = window[pos] * rng.beta(x[pos], among[pos] - x[pos] + 1)
    return t_x


def simulate_bgnbd(params: ParamsLike, n: int, T: ArrayLike, rng: np.random.Generator) -> SimulatedSummary:
    """Draw ``n`` BG/NBD accounts observed for ``T`` (scalar or per account) after their first event.

    Each account has a rate lambda ~ Gamma(r, alpha) and a dropout chance p ~ Beta(a, b);
    it drops out right after its J-th repeat event, J ~ Geometric(p). With N
    Poisson(lambda T) potential events, it shows x = min(N, J), and the last one
    is the x-th order statistic of N uniforms on [0, T].
    """
    r, alpha, a, b = param_values(params, ModelKind.BGNBD)
    exposure = _exposures(T, n)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    potential = rng.poisson(rate * exposure)
    survives = rng.geometric(dropout)
    x = np.minimum(potential, survives).astype(np.int64)
    return SimulatedSummary(x=x, t_x=_last_of(x, potential, exposure, rng), T=exposure)


def simulate_event_days(
    summary: SimulatedSummary, first_day: ArrayLike, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Turn a simulated summary (time in days) into flat ``(account_idx, event_day)`` arrays.

    Each account's first event is on ``first_day``, its last at ``first_day + t_x``
    and the other ``x - 1`` uniformly in between (a Poisson process given its
    x-th arrival). Days are rounded down, so some events share a day, as real ones do.
    """
    n = summary.x.size
    first = np.broadcast_to(np.asarray(first_day, dtype=np.int64), (n,))
    middle = np.maximum(summary.x - 1, 0)
    idx_first = np.arange(n)
    idx_last = np.flatnonzero(summary.x > 0)
    idx_middle = np.repeat(np.arange(n), middle)
    times = np.concatenate([
        np.zeros(n),
        summary.t_x[idx_last],
        rng.uniform(0.0, 1.0, idx_middle.size) * summary.t_x[idx_middle],
    ])
    account = np.concatenate([idx_first, idx_last, idx_middle])
    return account.astype(np.int64), first[account] + np.floor(times).astype(np.int64)
