"""Per-account rhythm outputs for the health engine, with explicit rules for thin histories.

``account_rhythm`` turns an ``EventSummary`` and a fitted population model
into, for every account: the probability it is still engaged, the events
expected in the next 90 days, the time since its last event, its usual gap and
the ratio of the two. Accounts are put in one of four ``RhythmStatus`` groups,
because a model fitted on a population says different things about them:

- ``no_history``: no event in the window. Nothing to judge; every output is NaN.
- ``new``: a single event day, and less time since it than the population's
  usual gap. Too early to expect a second event: not "lost".
- ``one_event``: a single event day, and at least the usual gap since.
- ``established``: two or more event days; judged on its own rhythm.

BG/NBD's quirk: it lets an account drop out only right after a *repeat*
event, so ``P(alive | x = 0) = 1`` whatever the silence; a one-time buyer from
years ago would look perfectly safe. For ``new`` and ``one_event`` accounts the
BG/NBD probability is therefore replaced by

1. the Pareto/NBD probability, when a Pareto/NBD fit is given (its dropout can
   happen at any time, so the probability falls with the silence), or else
2. the exposure rule: give the first event the same dropout chance as every
   repeat event (the MBG/NBD variant of Batislam et al. 2007), which with the
   BG/NBD parameters is ``1 / (1 + (a / b) ((alpha + T) / alpha)^r)``: an
   account silent since its first event looks exactly like one whose last
   repeat event was that long ago, and the probability falls as T grows.

Both are flagged ``insufficient_history`` so the engine can weigh them as
such. Expected events for them are that probability times BG/NBD's expected
events for an account still engaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aftersale.stats.bgnbd import bgnbd_expected_if_alive, bgnbd_p_alive
from aftersale.stats.model import ModelKind, ParamsLike, RhythmModel, param_values
from aftersale.stats.paretonbd import paretonbd_expected, paretonbd_p_alive
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
    - ``p_engaged``: probability the account is still engaged (NaN: no history).
    - ``expected_next``: expected event days in the next ``horizon``.
    - ``since_last``: time since the last event.
    - ``usual_gap``: the account's median gap between event days, or
      ``population_gap`` when it has fewer than two event days.
    - ``gap_ratio``: ``since_last / usual_gap`` (how many usual gaps of silence).
    - ``insufficient_history``: True unless ``established``.
    - ``population_gap``: median of the usual gaps of established accounts.
    """

    status: NDArray[np.str_]
    p_engaged: NDArray[np.float64]
    expected_next: NDArray[np.float64]
    since_last: NDArray[np.float64]
    usual_gap: NDArray[np.float64]
    gap_ratio: NDArray[np.float64]
    insufficient_history: NDArray[np.bool_]
    population_gap: float
    horizon: float
    time_unit: str


def exposure_p_engaged(params: ParamsLike, T: ArrayLike) -> NDArray[np.float64]:
    """P(engaged) of a one-event account after ``T`` of silence, by the exposure rule (BG/NBD parameters).

    Integrating the first event's dropout chance p ~ Beta(a, b) and the rate
    lambda ~ Gamma(r, alpha) out of P(engaged | no event in T) gives
    E[1-p] E[exp(-lambda T)] / (E[1-p] E[exp(-lambda T)] + E[p]).
    """
    r, alpha, a, b = param_values(params, ModelKind.BGNBD)
    log_odds = np.log(a / b) + r * np.log1p(np.asarray(T, dtype=np.float64) / alpha)
    return 1.0 / (1.0 + np.exp(log_odds))


def account_rhythm(
    summary: EventSummary,
    model: RhythmModel,
    *,
    zero_repeat_model: RhythmModel | None = None,
    horizon: float | None = None,
) -> AccountRhythm:
    """Per-account engagement outputs (see the module docstring for the rules).

    ``model`` is a BG/NBD or Pareto/NBD fit in the summary's time unit.
    ``zero_repeat_model`` is an optional Pareto/NBD fit used, with a BG/NBD
    ``model``, for accounts with a single event day; without it those
    accounts get the exposure rule. ``horizon`` defaults to 90 days.
    """
    if model.time_unit != summary.time_unit:
        raise ValueError(f"model is in {model.time_unit}s but the summary in {summary.time_unit}s")
    if zero_repeat_model is not None:
        if zero_repeat_model.kind != ModelKind.PARETONBD:
            raise ValueError(f"zero_repeat_model must be a Pareto/NBD fit, got {zero_repeat_model.kind}")
        if zero_repeat_model.time_unit != summary.time_unit:
            raise ValueError(f"zero_repeat_model is in {zero_repeat_model.time_unit}s, "
                             f"the summary in {summary.time_unit}s")
    if horizon is None:
        horizon = DEFAULT_HORIZON_DAYS / TIME_UNITS[summary.time_unit]
    if not (np.isfinite(horizon) and horizon >= 0):
        raise ValueError(f"horizon must be a non-negative number, got {horizon}")

    has = summary.has_history
    established = has & (summary.x > 0)
    single = has & (summary.x == 0)
    gaps = summary.median_gap[established]
    population_gap = float(np.median(gaps)) if gaps.size else float("nan")

    status = np.full(summary.n_accounts, RhythmStatus.NO_HISTORY.value, dtype="<U11")
    status[established] = RhythmStatus.ESTABLISHED.value
    # Compared with >=, a NaN population gap (nobody established yet) makes every single-event account new.
    settled = single & (population_gap <= summary.T)
    status[single] = RhythmStatus.NEW.value
    status[settled] = RhythmStatus.ONE_EVENT.value

    p_engaged = np.full(summary.n_accounts, np.nan)
    expected = np.full(summary.n_accounts, np.nan)
    x, t_x, T = summary.x.astype(np.float64), summary.t_x, summary.T

    rows = np.flatnonzero(established)
    p_engaged[rows], expected[rows] = _model_outputs(model, horizon, x[rows], t_x[rows], T[rows])

    rows = np.flatnonzero(single)
    zeros = np.zeros(rows.size)
    if model.kind == ModelKind.PARETONBD:
        p_engaged[rows], expected[rows] = _model_outputs(model, horizon, zeros, zeros, T[rows])
    else:
        if zero_repeat_model is not None:
            p_single = paretonbd_p_alive(zero_repeat_model, zeros, zeros, T[rows])
        else:
            p_single = exposure_p_engaged(model, T[rows])
        p_engaged[rows] = p_single
        expected[rows] = p_single * bgnbd_expected_if_alive(model, horizon, zeros, zeros, T[rows])

    usual_gap = np.where(established, summary.median_gap, np.where(single, population_gap, np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        gap_ratio = summary.since_last / usual_gap
    return AccountRhythm(
        status=status,
        p_engaged=p_engaged,
        expected_next=expected,
        since_last=summary.since_last.copy(),
        usual_gap=usual_gap,
        gap_ratio=gap_ratio,
        insufficient_history=~established,
        population_gap=population_gap,
        horizon=float(horizon),
        time_unit=summary.time_unit,
    )


def _model_outputs(
    model: RhythmModel,
    horizon: float,
    x: NDArray[np.float64],
    t_x: NDArray[np.float64],
    T: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if model.kind == ModelKind.PARETONBD:
        return paretonbd_p_alive(model, x, t_x, T), paretonbd_expected(model, horizon, x, t_x, T)
    p_alive = bgnbd_p_alive(model, x, t_x, T)
    return p_alive, p_alive * bgnbd_expected_if_alive(model, horizon, x, t_x, T)
