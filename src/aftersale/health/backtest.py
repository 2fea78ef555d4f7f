"""Backtest: does the shipped score, computed as of a past date, rank the accounts that went on to
order (or to stay active) in the horizon after it? Reads only; the command stores the report.

As of the date D the backtest evaluates exactly what a scan as of D would store
(``scan.evaluate_as_scan``: every fit made as of D, every signal, quietness and the band rules),
then looks at what happened in the ``H`` days after D:

- **orders again**: the accounts with an order on or before D; positive when they order in the horizon;
- **still active**: the customers with an order or a contact from them (``rhythm`` contacts stream)
  on or before D; positive when either happens in the horizon.

For the health score, each signal's value, the rhythm expectation (orders expected in the horizon,
from the scan's orders fit), recency (days since the last event, negated) and frequency (repeat days)
it reports the AUC with DeLong's 95% interval, the outcome rate by tenth of the ranking and the lift
in the top tenth; for health also the rate by band and the calibrated probability (isotonic). The
rhythm's expected orders are set against the orders that came, overall and by repeat days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from aftersale.accounts.models import Account, AccountKind
from aftersale.core.asof import as_date, end_of_day
from aftersale.core.guard import slow_statements_logged
from aftersale.health.evaluate import AccountHealth
from aftersale.health.models import Band
from aftersale.health.rhythm.bgnbd import EventDays, _model_from, event_days, usable
from aftersale.health.scan import evaluate_as_scan, guard_statistics
from aftersale.health.signals import registry
from aftersale.health.signals.registry import EvalContext
from aftersale.stats import account_rhythm, summarise
from aftersale.stats.proof import (
    auc_interval,
    fit_isotonic,
    isotonic_predict,
    lift_top_tenth,
    tenth_of,
    tenths,
)

ORDERS_AGAIN, ACTIVE = "orders_again", "active"
#: Rankings that are not signals of the score, in the order the report lists them.
BASELINES = ("rhythm", "recency", "frequency")
#: Accounts without a health score (too little evidence) rank below every score.
NO_SCORE = -1.0
#: Repeat-day groups for expected against actual orders.
REPEAT_GROUPS = (("0", 0, 0), ("1", 1, 1), ("2+", 2, None))


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), places)


@dataclass(frozen=True)
class Events:
    """One stream's distinct event days, as offsets from the as-of day: <= 0 before, > 0 in the horizon."""

    account_ids: np.ndarray
    days: np.ndarray

    @classmethod
    def read(cls, stream: str, as_of: datetime, horizon_days: int) -> Events:
        found = event_days(stream, end_of_day(as_date(as_of) + timedelta(days=horizon_days)), None)
        return cls(found.account_ids, found.days + horizon_days)

    def __add__(self, other: Events) -> Events:
        pairs = np.unique(np.column_stack((np.concatenate((self.account_ids, other.account_ids)),
                                           np.concatenate((self.days, other.days)))), axis=0)
        return Events(pairs[:, 0].reshape(-1), pairs[:, 1].reshape(-1))

    def before(self) -> EventDays:
        keep = self.days <= 0
        return EventDays(self.account_ids[keep], self.days[keep])

    def after_by_account(self) -> dict[int, int]:
        """Event days in the horizon, per account."""
        ids, counts = np.unique(self.account_ids[self.days > 0], return_counts=True)
        return dict(zip(ids.tolist(), counts.tolist(), strict=True))


@dataclass(frozen=True)
class Population:
    """The accounts an outcome is asked about, with their history as of D and what came after."""

    ids: np.ndarray
    positive: np.ndarray
    x: np.ndarray  # repeat event days before D
    since_last: np.ndarray  # days since the last event at D
    after: np.ndarray  # event days in the horizon


def population(events: Events, eligible: set[int] | None = None) -> Population:
    before = events.before()
    ids, idx = np.unique(before.account_ids, return_inverse=True)
    if eligible is not None:
        keep_ids = np.array([a in eligible for a in ids.tolist()], dtype=bool)
        keep = keep_ids[idx] if idx.size else np.zeros(0, dtype=bool)
        ids, idx = np.unique(before.account_ids[keep], return_inverse=True)
        before = EventDays(before.account_ids[keep], before.days[keep])
    summary = summarise(idx, before.days, 0, n_accounts=ids.size, time_unit="day")
    later = events.after_by_account()
    after = np.array([later.get(a, 0) for a in ids.tolist()], dtype=np.int64)
    return Population(ids, after > 0, summary.x.astype(np.int64), summary.since_last.astype(np.float64),
                      after)


def rhythm_expected(fit: Mapping[str, Any] | None, events: EventDays, ids: np.ndarray,
                    horizon_days: int) -> np.ndarray | None:
    """Orders expected in the horizon by the scan's orders fit, per account of ``ids`` (0 without orders)."""
    if fit is None or not usable(fit):
        return None
    known, idx = np.unique(events.account_ids, return_inverse=True)
    summary = summarise(idx, events.days, 0, n_accounts=known.size, time_unit="day")
    out = account_rhythm(summary, _model_from(fit), horizon=float(horizon_days))
    by_id = dict(zip(known.tolist(), np.nan_to_num(out.expected_next, nan=0.0).tolist(), strict=True))
    return np.array([by_id.get(a, 0.0) for a in ids.tolist()], dtype=np.float64)


def health_scores(health: Mapping[int, AccountHealth], ids: np.ndarray) -> np.ndarray:
    return np.array([h.score if (h := health.get(a)) is not None and h.score is not None else NO_SCORE
                     for a in ids.tolist()], dtype=np.float64)


def signal_values(health: Mapping[int, AccountHealth], ids: np.ndarray, name: str) -> np.ndarray:
    """The signal's value per account, NaN where it had no data."""
    out = np.full(ids.size, np.nan)
    for i, account_id in enumerate(ids.tolist()):
        h = health.get(account_id)
        if h is not None and (sv := h.values.get(name)) is not None and sv.value is not None:
            out[i] = sv.value
    return out


def ranking(score: np.ndarray, positive: np.ndarray) -> dict[str, Any]:
    """AUC with its 95% interval, rate by tenth and lift in the top tenth, over the accounts with a value."""
    has = np.isfinite(score)
    s, p = score[has], positive[has]
    found = auc_interval(s, p)
    return {
        "auc": _round(found.auc), "low": _round(found.low), "high": _round(found.high),
        "n": int(has.sum()), "positives": int(p.sum()),
        "lift_top_tenth": _round(lift_top_tenth(s, p), 3) if s.size >= 10 and p.any() else None,
        "tenths": [_round(b.rate, 4) for b in tenths(s, p)] if s.size >= 10 else [],
    }


def rankings(pop: Population, health: Mapping[int, AccountHealth], rhythm: np.ndarray | None,
             signals: list[str]) -> dict[str, np.ndarray]:
    """Every ranking by name: health, the baselines, then each signal (higher ranks first)."""
    scores: dict[str, np.ndarray] = {"health": health_scores(health, pop.ids)}
    if rhythm is not None:
        scores["rhythm"] = rhythm
    scores["recency"] = -pop.since_last
    scores["frequency"] = pop.x.astype(np.float64)
    for name in signals:
        scores[name] = signal_values(health, pop.ids, name)
    return scores


def calibration(pop: Population, health: Mapping[int, AccountHealth]) -> dict[str, Any]:
    """The outcome rate by band, and by tenth of the health score with the calibrated probability."""
    bands = [health[a].band if a in health else Band.WATCH for a in pop.ids.tolist()]
    by_band = []
    for band in Band:
        inside = np.array([b == band for b in bands], dtype=bool)
        n = int(inside.sum())
        k = int(pop.positive[inside].sum())
        by_band.append({"band": band.value, "n": n, "positives": k, "rate": _round(k / n if n else None)})
    score = health_scores(health, pop.ids)
    scored = score != NO_SCORE
    by_tenth = []
    model = None
    if scored.sum() >= 10:
        s, p = score[scored], pop.positive[scored]
        model = fit_isotonic(s, p)
        predicted = isotonic_predict(model, s)
        which = tenth_of(s)
        for k, b in enumerate(tenths(s, p)):
            by_tenth.append({"low": _round(b.low, 1), "high": _round(b.high, 1), "n": b.n,
                             "positives": b.positives, "rate": _round(b.rate),
                             "predicted": _round(float(predicted[which == k].mean()) if b.n else None)})
    return {
        "by_band": by_band,
        "by_tenth": by_tenth,
        "unscored": {"n": int((~scored).sum()), "positives": int(pop.positive[~scored].sum())},
        "probability": None if model is None else {"x": list(model.x), "y": [round(v, 4) for v in model.y],
                                                   "n": model.n},
    }


def expected_orders(pop: Population, rhythm: np.ndarray | None) -> dict[str, Any] | None:
    """The rhythm's expected orders in the horizon against the order days that came."""
    if rhythm is None:
        return None

    def row(inside: np.ndarray) -> dict[str, Any]:
        return {"n": int(inside.sum()), "expected": _round(float(rhythm[inside].sum()), 1),
                "actual": int(pop.after[inside].sum())}

    out = {"all": row(np.ones(pop.ids.size, dtype=bool))}
    for label, low, high in REPEAT_GROUPS:
        out[label] = row((pop.x >= low) & ((pop.x <= high) if high is not None else True))
    return out


def outcome_report(pop: Population, health: Mapping[int, AccountHealth], rhythm: np.ndarray | None,
                   signals: list[str]) -> dict[str, Any]:
    n = int(pop.ids.size)
    k = int(pop.positive.sum())
    return {
        "accounts": n, "positives": k, "rate": _round(k / n if n else None),
        "rankings": {name: ranking(values, pop.positive)
                     for name, values in rankings(pop, health, rhythm, signals).items()},
        "calibration": calibration(pop, health),
    }


@dataclass
class Evaluated:
    """Everything the backtest read as of D: what the scan would store, and what came after."""

    as_of: datetime
    horizon_days: int
    ctx: EvalContext
    health: dict[int, AccountHealth]
    orders: Events
    contacts: Events
    customers: set[int]

    @property
    def signals(self) -> list[str]:
        """The customer signals the scan computed (weight above 0), in the registry's order."""
        names = set().union(*(h.values for h in self.health.values())) if self.health else set()
        return [d.name for d in registry.all() if d.name in names and d.applies_to(AccountKind.CUSTOMER)]

    def orders_population(self) -> Population:
        return population(self.orders)

    def active_population(self) -> Population:
        return population(self.orders + self.contacts, self.customers)

    def rhythm(self, pop: Population) -> np.ndarray | None:
        return rhythm_expected(self.ctx.fits.get("orders"), self.orders.before(), pop.ids, self.horizon_days)


def check_dates(as_of: datetime, horizon_days: int, now: datetime | None = None) -> None:
    if horizon_days < 1:
        raise ValueError(f"horizon must be at least 1 day, got {horizon_days}")
    now = now or timezone.now()
    if as_of + timedelta(days=horizon_days) > now:
        raise ValueError(
            f"the horizon ends on {(as_of + timedelta(days=horizon_days)).date().isoformat()}, after today: "
            "what happened in it is not known yet")


def evaluate_history(as_of: datetime, horizon_days: int) -> Evaluated:
    """The scan as of ``as_of`` (stored nowhere) and both streams up to the horizon's end."""
    check_dates(as_of, horizon_days)
    health, ctx = evaluate_as_scan(as_of)
    customers = set(Account.objects.filter(kind=AccountKind.CUSTOMER).values_list("pk", flat=True))
    return Evaluated(as_of, horizon_days, ctx, health, Events.read("orders", as_of, horizon_days),
                     Events.read("contacts", as_of, horizon_days), customers)


def report(evaluated: Evaluated) -> dict[str, Any]:
    """The backtest's JSON: the headline AUCs (orders again) first, then each outcome in full."""
    signals = evaluated.signals
    orders = evaluated.orders_population()
    active = evaluated.active_population()
    rhythm = evaluated.rhythm(orders)
    outcomes = {
        ORDERS_AGAIN: outcome_report(orders, evaluated.health, rhythm, signals),
        ACTIVE: outcome_report(active, evaluated.health, evaluated.rhythm(active), signals),
    }
    headline = outcomes[ORDERS_AGAIN]
    return {
        "as_of": evaluated.as_of.isoformat(),
        "horizon_days": evaluated.horizon_days,
        "accounts": headline["accounts"],
        "ordered_again": headline["positives"],
        "auc": {name: r["auc"] for name, r in headline["rankings"].items()},
        "outcomes": outcomes,
        "probability": headline["calibration"]["probability"],
        "expected_orders": expected_orders(orders, rhythm),
        "signals": signals,
        "weights": {name: evaluated.ctx.config.weight(name) for name in signals},
        "model": evaluated.ctx.fits.get("orders"),
        "models": [dict(fit) for fit in evaluated.ctx.fits.values()],
    }


def backtest(as_of: datetime, horizon_days: int) -> dict[str, Any]:
    """The report for ``as_of`` and ``horizon_days`` (reads only)."""
    # Its statements read the whole history, as the scan's do: never planned blind.
    guard_statistics()
    with slow_statements_logged():
        return report(evaluate_history(as_of, horizon_days))
