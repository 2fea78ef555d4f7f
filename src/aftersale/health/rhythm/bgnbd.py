"""Statistical rhythm models for the health engine (issue 7, P10): BG/NBD on distinct event days.

Plugs into the engine's rhythm hook (``aftersale.health.rhythm``) for both
streams:

- ``orders``: the days on which the account placed an order;
- ``contacts``: the days on which the *customer* reached out: a service case
  raised, or a touchpoint with ``initiated_by = customer``. Our own calls do
  not prove the customer is engaged, so they do not count here.

Each stream is read with ONE set-based query (distinct account/day pairs up
to ``as_of``). Once per scan the whole portfolio's days are summarised and a
BG/NBD model is fitted by maximum likelihood (days as the time unit): one
model for every account, whether it has one event day or many. Per account
the signal's value is the model's probability of an event within the
account's usual gap (the portfolio's for a single event day); the facts carry
the expected events in the next 90 days and the silence against the usual
gap. A fit that did not converge is stored (``scan --json`` shows it) but not
used: the stream falls back to the gap ratio and says why. See
docs/silence-models.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from aftersale.commerce.models import Order
from aftersale.core.sql import Scope, day_number_sql, false, run, scope_sql, table
from aftersale.engagement.models import InitiatedBy, Touchpoint
from aftersale.health.rhythm import base as rhythm
from aftersale.service.models import ServiceCase
from aftersale.stats import (
    InsufficientData,
    ModelKind,
    RhythmModel,
    RhythmStatus,
    account_rhythm,
    fit_bgnbd,
    summarise,
)

#: Below this many accounts with a repeat event a population model says nothing
#: (the fit does not converge): the engine keeps the gap ratio instead.
MIN_FIT_ACCOUNTS = 20
# The signal's value: the chance of an event within this many days, the horizon the backtest
# asks about ("orders again within 180 days"). A window per account (its usual gap) made
# frequent and rare buyers equal, and ranked the accounts that order again far worse.
RETURN_WITHIN_DAYS = 180


@dataclass(frozen=True)
class EventDays:
    """Distinct event days of the accounts that have any, as offsets from the as-of day (<= 0)."""

    account_ids: np.ndarray
    days: np.ndarray


def _days_sql(model: type, column: str, extra: str, scope: Scope) -> str:
    offset = f"{day_number_sql(column, is_datetime=True)} - {day_number_sql(':as_of', is_datetime=True)}"
    return (
        f"SELECT account_id, CAST({offset} AS INTEGER) FROM {table(model)} "  # noqa: S608 - names only
        f"WHERE {column} <= :as_of{extra}{scope_sql('account_id', scope)}"
    )


def event_days(stream: str, as_of: datetime, scope: Scope) -> EventDays:
    """One query: the distinct (account, day) pairs of ``stream`` up to ``as_of``.

    Days are calendar days in the installation's time zone (``core.sql.day_number_sql``,
    the same on both databases and for every path the events came in by); several
    events on one day count once, as the models assume.
    """
    if stream == "orders":
        inner = _days_sql(Order, "placed_at", "", scope)
    elif stream == "contacts":
        customer = connection.ops.quote_name("initiated_by")
        inner = (
            # A complaint is evidence of trouble, never of engagement: it counts only in quietness.
            _days_sql(ServiceCase, "opened_at", f" AND is_complaint = {false()}", scope)
            + " UNION "
            + _days_sql(Touchpoint, "occurred_at", f" AND {customer} = :customer", scope)
        )
    else:
        raise ValueError(f"unknown rhythm stream {stream!r}")
    params = {"as_of": as_of, "customer": InitiatedBy.CUSTOMER.value}
    if connection.vendor == "postgresql":
        # Grouped by account, each account's distinct days sorted within it. The planner cannot
        # know how many (account, day) pairs there are (the two are correlated) and guesses far
        # too few: a DISTINCT over the pairs, hashed on that guess, spilled to disk again and
        # again, for minutes at a large portfolio even with fresh statistics.
        rows = run(
            f"SELECT d.account_id, array_agg(DISTINCT d.day) FROM ({inner}) AS d(account_id, day)"  # noqa: S608
            " GROUP BY d.account_id",
            **params,
        )
        if not rows:
            return _no_days()
        counts = np.fromiter((len(days) for _id, days in rows), dtype=np.int64, count=len(rows))
        ids = np.repeat(np.fromiter((a for a, _days in rows), dtype=np.int64, count=len(rows)), counts)
        days = np.fromiter((d for _id, found in rows for d in found), dtype=np.int64, count=int(counts.sum()))
        return EventDays(ids, days)
    # UNION already removes duplicates; DISTINCT covers the single-table stream.
    rows = run(f"SELECT DISTINCT * FROM ({inner}) AS d", **params)  # noqa: S608 - names only
    if not rows:
        return _no_days()
    data = np.asarray(rows, dtype=np.int64)
    return EventDays(data[:, 0], data[:, 1])


def _no_days() -> EventDays:
    return EventDays(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def _summary(events: EventDays) -> tuple[np.ndarray, Any]:
    ids, idx = np.unique(events.account_ids, return_inverse=True)
    return ids, summarise(idx, events.days, 0, n_accounts=ids.size, time_unit="day")


def _model_from(fit: Mapping[str, Any]) -> RhythmModel:
    return RhythmModel(
        kind=ModelKind(fit["kind"]), params={k: float(v) for k, v in fit["params"].items()},
        log_likelihood=float(fit["log_likelihood"]), n=int(fit["n"]),
        time_unit=fit["time_unit"], converged=bool(fit.get("converged", True)),
    )


def _days(value: float) -> int | None:
    return None if not math.isfinite(value) else round(value)


#: Why a stream is judged by the gap ratio instead of the fitted model (facts ``fallback``).
NO_MODEL = "no_model"
NOT_CONVERGED = "not_converged"


def usable(fit: Mapping[str, Any] | None) -> bool:
    """A stored fit the signals may use: a BG/NBD fit that converged."""
    return bool(fit) and fit.get("kind") == ModelKind.BGNBD.value and bool(fit.get("converged"))


class BGNBDRhythm:
    """The engine's rhythm model for one stream: BG/NBD for every account."""

    kind = "bgnbd"
    needs_fit = True
    #: The engine reads the stream through ``gather`` instead of its count/first/last query.
    wants_event_days = True

    def __init__(self, stream: str) -> None:
        self.stream = stream

    def gather(self, as_of: datetime, scope: Scope) -> EventDays:
        return event_days(self.stream, as_of, scope)

    def fit(self, as_of: datetime, stats: EventDays) -> dict[str, Any] | None:
        _, summary = _summary(stats)
        if int((summary.x > 0).sum()) < MIN_FIT_ACCOUNTS:
            return None
        try:
            model = fit_bgnbd(*summary.calibration(), time_unit="day")
        except (InsufficientData, ValueError):
            return None  # no repeat events anywhere yet: nothing to learn a rhythm from
        # Stored even when it did not converge, so ``scan --json`` shows it; ``usable`` keeps it out.
        result = model.as_dict()
        established = summary.has_history & (summary.x > 0)
        gaps = summary.median_gap[established]
        result["population_gap"] = float(np.median(gaps)) if gaps.size else None
        return result

    def assess(
        self, as_of: datetime, stats: EventDays, fit: Mapping[str, Any] | None
    ) -> dict[int, rhythm.RhythmAssessment]:
        if fit is None or not usable(fit):
            # Before the first scan, with too little data to fit, or a fit that did not
            # converge: the gap ratio still speaks, and says why.
            reason = NOT_CONVERGED if fit and fit.get("kind") == ModelKind.BGNBD.value else NO_MODEL
            return _fallback(self.stream, as_of, _gap_stats(stats), reason)
        ids, summary = _summary(stats)
        if ids.size == 0:
            return {}
        population_gap = fit.get("population_gap")
        # The portfolio's usual gap, not the evaluated part's: same answer for a one-account
        # refresh as for the scan.
        out = account_rhythm(summary, _model_from(fit),
                             population_gap=float(population_gap) if population_gap else None,
                             within=RETURN_WITHIN_DAYS)
        result: dict[int, rhythm.RhythmAssessment] = {}
        # A degenerate fit (perfectly regular event days drive BG/NBD's dropout towards zero)
        # can give a non-finite expectation: those accounts are judged by their own gap instead.
        has = out.status != RhythmStatus.NO_HISTORY.value
        broken = has & ~(np.isfinite(out.expected_next) & (np.isfinite(out.p_return)
                                                            | (out.status == RhythmStatus.NEW.value)))
        if broken.any():
            gap_stats = _gap_stats(stats)
            result.update(_fallback(self.stream, as_of, {
                account_id: gap_stats[account_id] for account_id in ids[broken].tolist()
            }, NOT_CONVERGED))
        for i, account_id in enumerate(ids.tolist()):
            if broken[i] or not has[i]:
                continue
            status = str(out.status[i])
            # A new account is not lost: too early to judge, so it is not scored down.
            p = 1.0 if status == RhythmStatus.NEW.value else float(out.p_return[i])
            facts = {
                "status": status,
                "p_return": round(p, 2),
                "expected_90": round(float(out.expected_next[i]), 2),
                "since_days": int(out.since_last[i]),
                "gap_days": _days(float(out.usual_gap[i])),
                "within_days": int(RETURN_WITHIN_DAYS),
                "insufficient_history": bool(out.insufficient_history[i]),
            }
            result[account_id] = rhythm.RhythmAssessment(value=p, facts=facts)
        return result

    def explain(self, facts: Mapping[str, Any]) -> str:
        if "status" not in facts:
            return _explain_fallback(self.stream, facts)
        values = {"since": facts["since_days"], "gap": facts["gap_days"] or 0,
                  "within": facts.get("within_days", facts["gap_days"] or 0),
                  "p": f"{number_format(100 * facts['p_return'], 0)}%",
                  "expected": number_format(facts["expected_90"], 1)}
        orders = self.stream == "orders"
        if facts["status"] == RhythmStatus.NEW.value:
            text = (_("First order %(since)s days ago; too early to expect the next one.") if orders
                    else _("First contact from the customer %(since)s days ago; too early to expect "
                           "the next one."))
        elif facts["status"] == RhythmStatus.ONE_EVENT.value:
            text = (_("Only one order so far, %(since)s days ago (customers usually reorder within "
                      "%(gap)s days); chance of an order within the next %(within)s days: %(p)s, an "
                      "estimate from one order.") if orders
                    else _("The customer reached out only once, %(since)s days ago (usually again within "
                           "%(gap)s days); chance it reaches out within the next %(within)s days: %(p)s, "
                           "an estimate from one contact."))
        else:
            text = (_("Orders usually every %(gap)s days; none for %(since)s days; chance of an order "
                      "within the next %(within)s days: %(p)s; %(expected)s orders expected in the next "
                      "90 days.") if orders
                    else _("The customer usually reaches out every %(gap)s days; nothing for %(since)s "
                           "days; chance it reaches out within the next %(within)s days: %(p)s; "
                           "%(expected)s contacts expected in the next 90 days."))
        return text % values


def _fallback(
    stream: str, as_of: datetime, stats: Mapping[int, rhythm.RhythmStats], reason: str
) -> dict[int, rhythm.RhythmAssessment]:
    """The gap ratio, with the reason the model was not used in each account's facts."""
    assessed = rhythm.GapRatioModel(stream).assess(as_of, stats, None)
    return {account_id: rhythm.RhythmAssessment(a.value, {**a.facts, "fallback": reason})
            for account_id, a in assessed.items()}


def _explain_fallback(stream: str, facts: Mapping[str, Any]) -> str:
    text = rhythm.GapRatioModel(stream).explain(facts)
    if facts.get("fallback") == NOT_CONVERGED:
        text += " " + _("The rhythm model did not settle on this portfolio's data, so the silence "
                        "is measured in the account's own usual gaps instead.")
    return text


def _gap_stats(stats: Any) -> dict[int, rhythm.RhythmStats]:
    """Count/first/last per account from event days, for the gap-ratio fallback."""
    if not isinstance(stats, EventDays):
        return dict(stats)
    result: dict[int, rhythm.RhythmStats] = {}
    ids, summary = _summary(stats)
    for i, account_id in enumerate(ids.tolist()):
        result[account_id] = rhythm.RhythmStats(
            int(summary.n_days[i]), float(-summary.first_day[i]), float(-summary.last_day[i]))
    return result


