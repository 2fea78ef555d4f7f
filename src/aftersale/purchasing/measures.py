"""The buyer's-side measures of a supplier relationship (P17, P18, P19), as of any date.

Each function takes ``as_of`` and optional account ids and answers for all of
those suppliers at once with one aggregate query (two where two tables are
read), ignoring anything dated after ``as_of``. Face time and trust come from
the shared measures in ``aftersale.reviews.measures``; the supplier's promises
from ``aftersale.promises.measures`` with the direction *to us*. Which way a
promise or idea went is always explicit: ``Direction.TO_US`` is what the
supplier gave us, ``Direction.FROM_US`` what we gave it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from aftersale.commerce.money import RateBook, reporting_currency
from aftersale.core.asof import as_date, day_after, start_of_day, year_before
from aftersale.core.enums import Direction
from aftersale.engagement.models import Idea, IdeaStatus, Topic, Touchpoint
from aftersale.promises.measures import PromiseMeasures, promise_measures
from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort
from aftersale.reviews.measures import quarter_buckets, quarters_ending

AccountIds = Iterable[int] | None

# A purchasing person's working hours in a year: turns hours into "per person" figures.
HOURS_PER_PERSON_YEAR = 1760
PRICE_TOPICS = (Topic.PRICE, Topic.CONTRACT)


def _scoped(queryset: QuerySet, account_ids: AccountIds) -> QuerySet:
    if account_ids is None:
        return queryset
    return queryset.filter(account_id__in=list(account_ids))


def window(as_of: date | datetime, months: int = 12) -> tuple[date, date]:
    """The first and last day of the ``months`` (12 or a multiple of it, else whole
    30-day steps) that end on ``as_of``."""
    day = as_date(as_of)
    if months % 12 == 0:
        start = day
        for _year in range(months // 12):
            start = year_before(start)
        return start + timedelta(days=1), day
    return day - timedelta(days=round(months * 30.44)) + timedelta(days=1), day


# Incoming inspection (P18) ------------------------------------------------------------------

@dataclass
class Inspections:
    received: int = 0
    inspected: int = 0
    rejected: int = 0

    @property
    def inspection_rate(self) -> float | None:
        """Share of lots received that we inspected: trusted suppliers' goods go straight in."""
        return self.inspected / self.received if self.received else None

    @property
    def rejection_rate(self) -> float | None:
        """Share of inspected lots we rejected: the supplier's quality as we see it."""
        return self.rejected / self.inspected if self.inspected else None


def inspections(as_of: date | datetime, account_ids: AccountIds = None, *,
                months: int = 12) -> dict[int, Inspections]:
    """Lots received, inspected and rejected per supplier in the window (one query)."""
    first, last = window(as_of, months)
    rows = _scoped(IncomingInspection.objects.filter(received_on__gte=first, received_on__lte=last),
                   account_ids).order_by().values("account_id").annotate(
        received=Sum("lots_received"), inspected=Sum("lots_inspected"), rejected=Sum("lots_rejected"),
    )
    return {
        row["account_id"]: Inspections(row["received"] or 0, row["inspected"] or 0, row["rejected"] or 0)
        for row in rows
    }


def inspections_by_quarter(as_of: date | datetime, account_ids: AccountIds = None, *,
                           quarters: int = 8) -> dict[int, dict[date, Inspections]]:
    """Per supplier and calendar quarter up to ``as_of``: the inspection rate over time (one query)."""
    day = as_date(as_of)
    starts = quarters_ending(day, quarters)
    buckets = quarter_buckets("received_on", starts, is_datetime=False)
    sums = {}
    for i, (_start, q) in enumerate(buckets):
        sums[f"r{i}"] = Sum("lots_received", filter=q)
        sums[f"i{i}"] = Sum("lots_inspected", filter=q)
        sums[f"x{i}"] = Sum("lots_rejected", filter=q)
    rows = _scoped(IncomingInspection.objects.filter(received_on__gte=starts[0], received_on__lte=day),
                   account_ids).order_by().values("account_id").annotate(**sums)
    result: dict[int, dict[date, Inspections]] = {}
    for row in rows:
        result[row["account_id"]] = {
            start: Inspections(row[f"r{i}"], row[f"i{i}"] or 0, row[f"x{i}"] or 0)
            for i, (start, _q) in enumerate(buckets) if row[f"r{i}"]
        }
    return result


# Purchasing effort (P17, P18) ----------------------------------------------------------------

@dataclass
class Effort:
    """Purchasing staff hours and the purchase value they handled, in one currency.
    ``missing`` names currencies left out for want of an exchange rate."""

    hours: Decimal = Decimal(0)
    value: Decimal = Decimal(0)
    currency: str = ""
    missing: frozenset[str] = field(default_factory=frozenset)

    @property
    def value_per_hour(self) -> Decimal | None:
        return self.value / self.hours if self.hours else None

    @property
    def value_per_person(self) -> Decimal | None:
        """Purchases one full-time purchasing person would handle in a year at this pace."""
        per_hour = self.value_per_hour
        return None if per_hour is None else per_hour * HOURS_PER_PERSON_YEAR

    @property
    def hours_per_million(self) -> float | None:
        """Purchasing hours per million of purchases: the cost of buying, per unit bought."""
        return float(self.hours) * 1_000_000 / float(self.value) if self.value else None


def purchasing_effort(as_of: date | datetime, account_ids: AccountIds = None, *,
                      months: int = 12, currency: str | None = None) -> dict[int, Effort]:
    """Hours and purchase value per supplier over the periods that ended in the window,
    converted to ``currency`` (the reporting currency) at the rate on ``as_of``
    (one query, plus one for the exchange rates)."""
    first, last = window(as_of, months)
    currency = currency or reporting_currency()
    rows = _scoped(PurchasingEffort.objects.filter(period_end__gte=first, period_end__lte=last),
                   account_ids).order_by().values("account_id", "currency").annotate(
        hours=Sum("staff_hours"), value=Sum("purchase_value"),
    )
    hours: dict[int, Decimal] = defaultdict(Decimal)
    values: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        hours[row["account_id"]] += row["hours"] or 0
        values[row["account_id"]][row["currency"]] = row["value"] or Decimal(0)
    book = RateBook.load(last) if any(set(v) - {currency} for v in values.values()) else RateBook()
    result: dict[int, Effort] = {}
    for account_id, sums in values.items():
        total, missing = book.convert_sums(sums, currency, last)
        result[account_id] = Effort(hours[account_id], total, currency, missing)
    return result


def cost_ratios(efforts: dict[int, Effort]) -> dict[int, float]:
    """Each supplier's hours per million against the leanest supplier's: 1.0 for the
    leanest, 3.0 for one that costs three times as much purchasing time per unit bought
    (P17: several times higher at the least trusted)."""
    per_million = {k: e.hours_per_million for k, e in efforts.items() if e.hours_per_million}
    if not per_million:
        return {}
    leanest = min(per_million.values())
    return {k: v / leanest for k, v in per_million.items()}


# Price pressure (P17, P18) -------------------------------------------------------------------

@dataclass
class PricePressure:
    """What we did to the supplier's price: orders, competing bids and re-quotes, and
    the minutes of face time on price and contract out of all face time."""

    orders: int = 0
    competing_bids: int = 0
    requotes: int = 0
    price_minutes: int = 0
    face_minutes: int = 0

    @property
    def requotes_per_order(self) -> float | None:
        return self.requotes / self.orders if self.orders else None

    @property
    def bids_per_order(self) -> float | None:
        return self.competing_bids / self.orders if self.orders else None

    @property
    def per_order(self) -> float | None:
        """Competing bids and re-quotes together, per order."""
        return (self.competing_bids + self.requotes) / self.orders if self.orders else None

    @property
    def price_share(self) -> float | None:
        """Share of all face time spent on price and contract."""
        return self.price_minutes / self.face_minutes if self.face_minutes else None


def price_pressure(as_of: date | datetime, account_ids: AccountIds = None, *,
                   months: int = 12) -> dict[int, PricePressure]:
    """Bids, re-quotes and price talk per supplier in the window (two queries)."""
    first, last = window(as_of, months)
    result: dict[int, PricePressure] = defaultdict(PricePressure)
    purchases = _scoped(Purchase.objects.filter(ordered_on__gte=first, ordered_on__lte=last),
                        account_ids).order_by().values("account_id").annotate(
        n=Count("pk"), bids=Sum("competing_bids"), requotes=Sum("requotes"),
    )
    for row in purchases:
        pressure = result[row["account_id"]]
        pressure.orders, pressure.competing_bids, pressure.requotes = row["n"], row["bids"], row["requotes"]
    touchpoints = _scoped(
        Touchpoint.objects.filter(occurred_at__gte=start_of_day(first), occurred_at__lt=day_after(last)),
        account_ids,
    ).order_by().values("account_id").annotate(
        price=Sum("minutes", filter=Q(topic__in=PRICE_TOPICS)), face=Sum("minutes"),
    )
    for row in touchpoints:
        pressure = result[row["account_id"]]
        pressure.price_minutes, pressure.face_minutes = row["price"] or 0, row["face"] or 0
    return dict(result)


# What the supplier gives us (P19, P5) --------------------------------------------------------

@dataclass
class IdeasReceived:
    """Ideas the supplier offered us (direction to us), and what we did with them by ``as_of``."""

    received: int = 0
    adopted: int = 0
    rejected: int = 0

    @property
    def pending(self) -> int:
        return self.received - self.adopted - self.rejected

    @property
    def adoption_rate(self) -> float | None:
        decided = self.adopted + self.rejected
        return self.adopted / decided if decided else None


def ideas_received(as_of: date | datetime, account_ids: AccountIds = None, *,
                   months: int = 12) -> dict[int, IdeasReceived]:
    """Ideas from each supplier to us proposed in the window, adopted or not as of the day
    (a decision taken later is still pending; one query)."""
    first, last = window(as_of, months)
    decided = Q(decided_at__lte=last)
    adopted = Q(status=IdeaStatus.ADOPTED) & decided
    rows = _scoped(
        Idea.objects.filter(direction=Direction.TO_US, proposed_at__gte=first, proposed_at__lte=last),
        account_ids,
    ).order_by().values("account_id").annotate(
        n=Count("pk"), adopted=Count("pk", filter=adopted),
        rejected=Count("pk", filter=Q(status=IdeaStatus.REJECTED) & decided),
    )
    return {row["account_id"]: IdeasReceived(row["n"], row["adopted"], row["rejected"]) for row in rows}


def supplier_promises(as_of: date | datetime, account_ids: AccountIds = None, *,
                      months: int = 12) -> dict[int, PromiseMeasures]:
    """The promises suppliers made to us (direction to us): kept on time, late, broken,
    overdue, counted the way our own promises are."""
    return promise_measures(as_of, account_ids, direction=Direction.TO_US, months=months)
