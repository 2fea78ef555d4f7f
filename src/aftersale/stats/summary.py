"""Per-account event summaries: the (x, t_x, T) shape the rhythm models are fitted on.

The input is two flat integer arrays, one entry per event: the account's index
(0..n_accounts-1) and the event's day number (``date.toordinal()`` or days since
any fixed epoch). Everything is computed with sorts and ``bincount``, never a
Python loop over accounts, so 10 million events summarise in about a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Days per unit for the time units the models understand.
TIME_UNITS: dict[str, float] = {"day": 1.0, "week": 7.0}


@dataclass(frozen=True)
class EventSummary:
    """Each account's event history as of a day, one array entry per account.

    Several events on the same day count as one (a day is the grain of the
    models). Accounts without an event in the window have ``n_days == 0``,
    ``x == 0`` and NaN in every time field; they are not part of a fit.

    Fields, in ``time_unit`` where they are durations:

    - ``n_days``: distinct event days in the window.
    - ``x``: repeat events, ``n_days - 1`` (0 when there is no history).
    - ``t_x``: time from the first to the last event.
    - ``T``: time from the first event to ``as_of_day``.
    - ``since_last``: time from the last event to ``as_of_day`` (``T - t_x``).
    - ``median_gap``: the median gap between consecutive event days (NaN
      with fewer than two event days).
    - ``first_day`` / ``last_day``: day numbers (NaN without history).
    """

    as_of_day: int
    time_unit: str
    n_days: NDArray[np.int64]
    x: NDArray[np.int64]
    t_x: NDArray[np.float64]
    T: NDArray[np.float64]
    since_last: NDArray[np.float64]
    median_gap: NDArray[np.float64]
    first_day: NDArray[np.float64]
    last_day: NDArray[np.float64]

    @property
    def n_accounts(self) -> int:
        return int(self.n_days.size)

    @property
    def has_history(self) -> NDArray[np.bool_]:
        return self.n_days > 0

    def calibration(self) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
        """``(x, t_x, T)`` of the accounts with history, ready for ``fit_bgnbd``."""
        has = self.has_history
        return self.x[has], self.t_x[has], self.T[has]


def _int_array(name: str, values: ArrayLike) -> NDArray[np.int64]:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional array, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integers (day numbers / indices), got {array.dtype}")
    return array.astype(np.int64, copy=False)


def _window_start(first_day: ArrayLike | int, n_accounts: int) -> NDArray[np.int64]:
    start = np.asarray(first_day)
    if not np.issubdtype(start.dtype, np.integer):
        raise ValueError(f"first_day must be an integer day number or array of them, got {start.dtype}")
    if start.ndim == 0:
        return np.full(n_accounts, int(start), dtype=np.int64)
    if start.shape != (n_accounts,):
        raise ValueError(f"first_day must be a scalar or have one entry per account ({n_accounts}), "
                         f"got shape {start.shape}")
    return start.astype(np.int64, copy=False)


def summarise(
    account_idx: ArrayLike,
    event_day: ArrayLike,
    as_of_day: int,
    *,
    n_accounts: int | None = None,
    first_day: ArrayLike | int | None = None,
    time_unit: str = "day",
) -> EventSummary:
    """Summarise flat event arrays into per-account ``(x, t_x, T)`` as of ``as_of_day``.

    Events after ``as_of_day`` are ignored (an event on that day counts), and so
    are events before ``first_day`` (a scalar or one day per account), which
    opens the observation window. ``n_accounts`` defaults to the largest index
    plus one; pass it so accounts without events are reported too.
    ``time_unit`` is ``"day"`` or ``"week"``; the day numbers stay days.
    """
    if time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {sorted(TIME_UNITS)}, got {time_unit!r}")
    unit = TIME_UNITS[time_unit]
    idx = _int_array("account_idx", account_idx)
    day = _int_array("event_day", event_day)
    if idx.shape != day.shape:
        raise ValueError(
            f"account_idx and event_day must have the same length, got {idx.size} and {day.size}"
        )
    if n_accounts is None:
        n_accounts = int(idx.max()) + 1 if idx.size else 0
    if n_accounts < 0:
        raise ValueError(f"n_accounts must be >= 0, got {n_accounts}")
    if idx.size and (idx.min() < 0 or idx.max() >= n_accounts):
        raise ValueError(f"account_idx must lie in 0..{n_accounts - 1}, got {idx.min()}..{idx.max()}")

    keep = day <= as_of_day
    if first_day is not None:
        keep &= day >= _window_start(first_day, n_accounts)[idx]
    idx, day = idx[keep], day[keep]

    # Sort by (account, day) and keep one row per distinct pair: same-day events count once.
    order = np.lexsort((day, idx))
    idx, day = idx[order], day[order]
    distinct = np.ones(idx.size, dtype=bool)
    distinct[1:] = (idx[1:] != idx[:-1]) | (day[1:] != day[:-1])
    idx, day = idx[distinct], day[distinct]

    n_days = np.bincount(idx, minlength=n_accounts).astype(np.int64)
    ends = np.cumsum(n_days)
    starts = ends - n_days
    has = n_days > 0
    first = np.full(n_accounts, np.nan)
    last = np.full(n_accounts, np.nan)
    first[has] = day[starts[has]]
    last[has] = day[ends[has] - 1]

    median_gap = _median_gaps(idx, day, n_days, n_accounts)
    x = np.where(has, n_days - 1, 0).astype(np.int64)
    t_x = (last - first) / unit
    T = (as_of_day - first) / unit
    return EventSummary(
        as_of_day=int(as_of_day),
        time_unit=time_unit,
        n_days=n_days,
        x=x,
        t_x=t_x,
        T=T,
        since_last=(as_of_day - last) / unit,
        median_gap=median_gap / unit,
        first_day=first,
        last_day=last,
    )


def _median_gaps(
    idx: NDArray[np.int64], day: NDArray[np.int64], n_days: NDArray[np.int64], n_accounts: int
) -> NDArray[np.float64]:
    """Median gap between consecutive distinct event days per account (input sorted by account, day)."""
    same = idx[1:] == idx[:-1]
    gaps = (day[1:] - day[:-1])[same]
    gap_account = idx[1:][same]
    # gap_account is already sorted; order the gaps within each account to pick the middle one(s).
    gaps = gaps[np.lexsort((gaps, gap_account))]
    n_gaps = np.maximum(n_days - 1, 0)
    g_starts = np.cumsum(n_gaps) - n_gaps
    median = np.full(n_accounts, np.nan)
    with_gap = n_gaps > 0
    start, count = g_starts[with_gap], n_gaps[with_gap]
    median[with_gap] = (gaps[start + (count - 1) // 2] + gaps[start + count // 2]) / 2.0
    return median
