"""Per-account rhythm outputs for the health engine: one model (BG/NBD) for every account.

``account_rhythm`` turns an ``EventSummary`` and a fitted BG/NBD model into,
for every account: the probability of hearing from it again within its usual
gap, the events expected in the next 90 days, the time since its last event,
its usual gap and the ratio of the two. Accounts are put in one of four
``RhythmStatus`` groups, because a model fitted on a population says
different things about them:

- ``no_history``: no event in the window. Nothing to judge; every output is NaN.
- ``new``: a single event day, and less time since it than the population's
  usual gap. Too early to expect a second event: not "lost".
- ``one_event``: a single event day, and at least the usual gap since.
- ``established``: two or more event days; judged on its own rhythm.

Every number comes from the same BG/NBD fit, whatever the history. BG/NBD
lets an account drop out only right after a repeat event, so its
``P(alive)`` is 1 for an account with one event day however long the silence;
the probability used here is therefore ``P(an event within the usual gap)``
(``bgnbd_p_event_within``), which for such an account falls as the silence
lengthens (the account's rate is then believed lower), and for an established
account combines ``P(alive)`` with its own pace. Expected events are BG/NBD's
conditional expectation, unchanged, for every account: on the CDNOW hold-out
it is close to the actual for one-time buyers (docs/silence-models.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from aftersale.stats.bgnbd import bgnbd_expected, bgnbd_p_alive, bgnbd_p_event_within
from aftersale.stats.model import ModelKind, RhythmModel
from aftersale.stats.summary import TIME_UNITS, EventSummary

#: Horizon of ``expected_next`` when none is given: 90 days, in the summary's unit.
DEFAULT_HORIZON_DAYS = 90.0


class RhythmStatus(StrEnum):
    NO_HISTORY = "no_history"
    NEW = "new"
    ONE_EVENT = "one_event"
    ESTABLISHED = "established"


@dataclass(frozen=True)
class AccountRhythm:
    """One entry per account of the summary; durations in ``time_unit``.

    - ``status``: a ``RhythmStatus`` value per account.
    - ``p_alive``: BG/NBD's probability that the account has not dropped out
      (1 for a single event day: the model drops out only after a repeat event).
    - ``p_return``: probability of at least one event within ``usual_gap``
      (NaN: no history). The one probability the engine judges silence by.
    - ``expected_next``: expected event days in the next ``horizon``.
    - ``since_last``: time since the last event.
    - ``usual_gap``: the account's median gap between event days, or
      ``population_gap`` when it has fewer than two event days.
    - ``gap_ratio``: ``since_last / usual_gap`` (how many usual gaps of silence).
    - ``insufficient_history``: True unless ``established``.
    - ``population_gap``: median of the usual gaps of established accounts.
    """

    status: NDArray[np.str_]
    p_alive: NDArray[np.float64]
    p_return: NDArray[np.float64]
    expected_next: NDArray[np.float64]
    since_last: NDArray[np.float64]
    usual_gap: NDArray[np.float64]
    gap_ratio: NDArray[np.float64]
    insufficient_history: NDArray[np.bool_]
    population_gap: float
    horizon: float
    time_unit: str


def account_rhythm(
    summary: EventSummary,
    model: RhythmModel,
    *,
    horizon: float | None = None,
    population_gap: float | None = None,
    within: float | None = None,
) -> AccountRhythm:
    """Per-account rhythm outputs (see the module docstring for the rules).

    ``model`` is a BG/NBD fit in the summary's time unit. ``horizon`` defaults
    to 90 days. ``population_gap`` defaults to the median usual gap of the
    summary's established accounts; the engine passes the whole portfolio's, so
    a part of it is judged as the whole is. ``within`` is the window of
    ``p_return`` (the summary's time unit); by default each account's usual gap.
    """
    if model.kind != ModelKind.BGNBD:
        raise ValueError(f"the rhythm model is BG/NBD, got {model.kind}")
    if model.time_unit != summary.time_unit:
        raise ValueError(f"model is in {model.time_unit}s but the summary in {summary.time_unit}s")
    if horizon is None:
        horizon = DEFAULT_HORIZON_DAYS / TIME_UNITS[summary.time_unit]
    if not (np.isfinite(horizon) and horizon >= 0):
        raise ValueError(f"horizon must be a non-negative number, got {horizon}")

    has = summary.has_history
    established = has & (summary.x > 0)
    single = has & (summary.x == 0)
    if population_gap is None:
        gaps = summary.median_gap[established]
        population_gap = float(np.median(gaps)) if gaps.size else float("nan")

    status = np.full(summary.n_accounts, RhythmStatus.NO_HISTORY.value, dtype="<U11")
    status[established] = RhythmStatus.ESTABLISHED.value
    # Compared with <=, a NaN population gap (nobody established yet) makes every single-event account new.
    settled = single & (population_gap <= summary.T)
    status[single] = RhythmStatus.NEW.value
    status[settled] = RhythmStatus.ONE_EVENT.value

    usual_gap = np.where(established, summary.median_gap, np.where(single, population_gap, np.nan))
    p_alive = np.full(summary.n_accounts, np.nan)
    p_return = np.full(summary.n_accounts, np.nan)
    expected = np.full(summary.n_accounts, np.nan)
    rows = np.flatnonzero(has)
    x, t_x, T = summary.x[rows].astype(np.float64), summary.t_x[rows], summary.T[rows]
    p_alive[rows] = bgnbd_p_alive(model, x, t_x, T)
    with np.errstate(invalid="ignore"):
        window = usual_gap[rows] if within is None else np.full(rows.size, float(within))
        p_return[rows] = bgnbd_p_event_within(model, window, x, t_x, T)
    expected[rows] = bgnbd_expected(model, horizon, x, t_x, T)

    with np.errstate(divide="ignore", invalid="ignore"):
        gap_ratio = summary.since_last / usual_gap
    return AccountRhythm(
        status=status,
        p_alive=p_alive,
        p_return=p_return,
        expected_next=expected,
        since_last=summary.since_last.copy(),
        usual_gap=usual_gap,
        gap_ratio=gap_ratio,
        insufficient_history=~established,
        population_gap=population_gap,
        horizon=float(horizon),
        time_unit=summary.time_unit,
    )
