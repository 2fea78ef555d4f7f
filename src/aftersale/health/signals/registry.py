"""What a signal is, and the registry of every signal the score combines.

A signal is a plain function ``compute(ctx, scope) -> {account_id: SignalValue}``
built from ONE set-based aggregate query over the accounts in ``scope`` (all
of them, an id range, or a few ids), ignoring everything after ``ctx.as_of``.
Accounts without data are simply absent from the result. The same function
serves the whole-portfolio scan and a one-account refresh.

Other features add signals with ``register(SignalDef(...))`` from their
``AppConfig.ready()``; a weight row with the default weight appears in the
admin after the next ``migrate``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise as LazyText

from aftersale.core.asof import as_date, start_of_day
from aftersale.core.sql import Scope
from aftersale.health.config import EngineConfig


@dataclass(frozen=True, slots=True)
class SignalValue:
    """One signal for one account: ``value`` 0..1 (1 is healthy), ``None`` without data,
    and the facts behind it, which fill the explanation (JSON-friendly values)."""

    value: float | None
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class EvalContext:
    """The moment and the settings every signal of one evaluation shares."""

    as_of: datetime
    config: EngineConfig
    # Fitted rhythm models by stream (see aftersale.health.rhythm), from the scan's start.
    fits: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if timezone.is_naive(self.as_of):
            raise ValueError("as_of must be an aware datetime")
        self.as_of_date: date = as_date(self.as_of)
        # The horizon is whole days (core.asof): the same events are read at any hour of the day.
        self.horizon_start_date: date = self.as_of_date - timedelta(days=self.config.horizon_days)
        self.horizon_start: datetime = start_of_day(self.horizon_start_date)
        self.rate: float = self.config.decay_rate
        self.months: int = self.config.horizon_months


Compute = Callable[[EvalContext, Scope], dict[int, SignalValue]]
Explain = Callable[[Mapping[str, Any]], str]
# A derived signal reads the other signals' values for one account, never the database.
Derive = Callable[[EvalContext, Mapping[str, SignalValue]], SignalValue]


@dataclass(frozen=True)
class EventsLink:
    """Where the events behind a signal are listed: the first URL name that exists wins."""

    url_name: str
    query: str = ""  # formatted with ``account`` (the account id)
    args: bool = False  # the URL takes the account id as its only argument

    def url(self, account_id: int) -> str | None:
        try:
            path = reverse(self.url_name, args=[account_id] if self.args else [])
        except NoReverseMatch:
            return None
        return path + self.query.format(account=account_id)


@dataclass(frozen=True)
class SignalDef:
    name: str
    label: str | LazyText
    principles: str
    description: str | LazyText  # what it measures and how, for the staff page
    default_weight: int
    compute: Compute | None
    explain: Explain
    no_data: str | LazyText  # formatted with ``months``
    events: tuple[EventsLink, ...] = ()
    order: int = 100
    # True for a signal whose facts may say ``caps_band``: that account is never banded
    # healthy, whatever its score (a quiet customer, P10).
    caps_band: bool = False
    # The account kinds (customer, supplier) this signal scores; empty for every kind. A
    # signal that does not apply to a kind is left out of its score and coverage altogether,
    # rather than counting as "no data" (a supplier places no orders with us).
    kinds: tuple[str, ...] = ()
    # The value an account without evidence gets in the score (its coverage still says
    # the evidence is missing). Every score is the weighted mean over the same signals, so
    # a first event can only move the score the way the event itself points: a first
    # missed target or overdue promise lowers it, a first kept one does not. 1.0 for
    # signals that count trouble (no trouble recorded is as good as it gets), the middle
    # of the scale for signals that measure something the relationship builds.
    neutral: float = 0.5
    # A derived signal: ``derive(ctx, values)`` from the other signals' values of one
    # account (``needs`` names them; they are computed even when their weight is 0).
    derive: Derive | None = None
    needs: tuple[str, ...] = ()

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def explanation(self, value: SignalValue, months: int) -> str:
        # A signal may say why it left one account unjudged (facts ``not_judged``).
        if value.value is None and "not_judged" not in value.facts:
            return str(self.no_data) % {"months": months}
        return self.explain(value.facts)

    def events_url(self, account_id: int) -> str | None:
        for link in (*self.events, EventsLink("account_detail", args=True)):
            url = link.url(account_id)
            if url is not None:
                return url
        return None


CUSTOMERS_ONLY = ("customer",)
SUPPLIERS_ONLY = ("supplier",)

_signals: dict[str, SignalDef] = {}


def register(definition: SignalDef) -> SignalDef:
    _signals[definition.name] = definition
    return definition


def get(name: str) -> SignalDef | None:
    return _signals.get(name)


def all() -> list[SignalDef]:  # noqa: A001 - reads as registry.all()
    return sorted(_signals.values(), key=lambda d: (d.order, d.name))


def names() -> list[str]:
    return [d.name for d in all()]


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    if math.isnan(value):
        return low
    return max(low, min(high, value))


def iso(value: date | datetime | None) -> str | None:
    """A date for the facts: the calendar date in the site's time zone, ISO formatted."""
    if value is None:
        return None
    if isinstance(value, datetime):
        # The default zone, not the active one: a scan's facts must not depend on who runs it.
        return as_date(value).isoformat()
    return value.isoformat()
