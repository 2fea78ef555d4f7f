"""Whole-array random draws used by the portfolio generator.

Every function takes the generator explicitly; nothing reads global random
state or the clock, so a seed fixes the output.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def renewal(
    rng: np.random.Generator,
    starts: np.ndarray,
    ends: np.ndarray,
    rates: np.ndarray,
    shape: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Event times for each account between ``starts`` and ``ends`` (days, float).

    Gaps are gamma distributed with mean ``1 / rate`` and the given ``shape``:
    1 is a Poisson process (touchpoints), larger shapes give the steadier
    rhythm of repeat orders. Returns (account index, day) sorted by account,
    then time.
    """
    span = np.maximum(ends - starts, 0.0)
    rates = np.maximum(rates, 1e-12)
    expected = rates * span
    candidates = (np.ceil(expected * 1.4 + 3.0 * np.sqrt(expected)) + 2).astype(np.int64)
    candidates[span <= 0] = 0
    account = np.repeat(np.arange(len(starts)), candidates)
    gaps = rng.gamma(shape, 1.0 / (shape * rates[account]))
    before = np.concatenate(([0.0], np.cumsum(gaps)))
    group_first = np.cumsum(candidates) - candidates
    within = before[1:] - np.repeat(before[group_first], candidates)
    # A random phase, so that accounts do not all start on their first day.
    first_gap = np.repeat(gaps[np.minimum(group_first, len(gaps) - 1)], candidates)
    times = starts[account] + within - rng.random(len(starts))[account] * first_gap
    keep = times < ends[account]
    return account[keep], times[keep]


def choose(rng: np.random.Generator, options: Sequence, p: Sequence[float], size: int) -> np.ndarray:
    """``size`` draws from ``options`` with probabilities ``p`` (normalised here)."""
    weights = np.asarray(p, dtype=float)
    return np.asarray(options)[rng.choice(len(options), size=size, p=weights / weights.sum())]


def choose_rows(rng: np.random.Generator, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One column index per row, drawn with the probabilities of ``table[rows]``."""
    cumulative = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(rows))
    return np.minimum((u[:, None] > cumulative[rows]).sum(axis=1), table.shape[1] - 1)


def member(
    rng: np.random.Generator, first: np.ndarray, count: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """A random id out of each row's range ``first .. first + count - 1``; -1 if empty."""
    n = count[rows]
    picked = first[rows] + (rng.random(len(rows)) * n).astype(np.int64)
    return np.where(n > 0, picked, -1)


def nullable(values: np.ndarray, present: np.ndarray) -> list:
    """``values`` as a list with ``None`` where ``present`` is false (a NULL foreign key)."""
    out = values.astype(object)
    out[~present] = None
    return out.tolist()


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def quarter_steps(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Round to 0.25 and clip: exact in binary, so stored decimals are exact too."""
    return np.clip(np.round(values * 4) / 4, low, high)


def round_vnd(values: np.ndarray, unit: int = 1000) -> np.ndarray:
    return (np.maximum(np.round(values / unit), 1) * unit).astype(np.int64)
