""""Does trust pay?" (P17): per account, trust against cost-to-serve and purchasing effort.

The source claims high-trust relationships cost less: less face time haggling,
smaller purchasing effort. This report tests that on the user's own data:

- trust: the decayed mean trust rating (both directions), and the transactional
  share of face time over the 12 months;
- cost-to-serve ratio: service cost (work logs) over revenue (orders), both in the
  12 months up to ``as_of`` and converted to the reporting currency;
- purchasing effort: transactional minutes per revenue unit (see ``REVENUE_UNITS``).

A fixed number of queries for any number of accounts (one per measure plus one
exchange-rate lookup per currency met).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from aftersale.commerce.models import Order
from aftersale.commerce.money import NoExchangeRate, rate, reporting_currency
from aftersale.core.asof import day_after, start_of_day, year_before
from aftersale.reviews.measures import FaceTime, TrustMeasure, face_time, trust_measures
from aftersale.reviews.stats import Correlation, correlate
from aftersale.service.costs import cost_to_serve

# Purchasing effort is counted per this much revenue in the reporting currency
# (roughly comparable amounts: a billion dong is about forty thousand dollars).
REVENUE_UNITS = {"VND": Decimal(1_000_000_000), "USD": Decimal(10_000), "EUR": Decimal(10_000)}


@dataclass(frozen=True)
class TrustCostRow:
    account_id: int
    trust: float | None
    transactional_share: float | None
    transactional_minutes: int
    revenue: Decimal | None
    cost: Decimal | None

    @property
    def cost_ratio(self) -> float | None:
        if self.revenue is None or self.cost is None or self.revenue <= 0:
            return None
        return float(self.cost / self.revenue)

    def effort(self, unit: Decimal) -> float | None:
        """Transactional minutes per ``unit`` of revenue."""
        if self.revenue is None or self.revenue <= 0:
            return None
        return float(Decimal(self.transactional_minutes) * unit / self.revenue)


@dataclass(frozen=True)
class Finding:
    x: str  # "trust" or "transactional_share"
    y: str  # "cost_ratio" or "effort"
    result: Correlation | None


class RateBook:
    """Exchange rates to the reporting currency on one day, looked up once per currency."""

    def __init__(self, to_currency: str, on: date) -> None:
        self.to_currency, self.on = to_currency, on
        self.rates: dict[str, Decimal | None] = {}
        self.missing: set[str] = set()

    def convert(self, by_currency: Mapping[str, Decimal]) -> Decimal | None:
        total = Decimal(0)
        for currency, amount in by_currency.items():
            if currency not in self.rates:
                try:
                    self.rates[currency] = rate(currency, self.to_currency, self.on)
                except NoExchangeRate:
                    self.rates[currency] = None
            if self.rates[currency] is None:
                self.missing.add(currency)
                return None  # a partial sum would understate the amount
            total += amount * self.rates[currency]
        return total


def revenue_by_currency(as_of: date, account_ids: Iterable[int] | None) -> dict[int, dict[str, Decimal]]:
    """Order totals per account and currency, placed in the 12 months up to ``as_of`` (one query)."""
    start = year_before(as_of) + timedelta(days=1)
    orders = Order.objects.filter(
        placed_at__lt=day_after(as_of), placed_at__gte=start_of_day(start)
    )
    if account_ids is not None:
        orders = orders.filter(account_id__in=list(account_ids))
    result: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in orders.order_by().values("account_id", "currency").annotate(total=Sum("total")):
        result[row["account_id"]][row["currency"]] = row["total"] or Decimal(0)
    return dict(result)


def build_rows(
    account_ids: Iterable[int], *, trust: Mapping[int, TrustMeasure], face: Mapping[int, FaceTime],
    revenue: Mapping[int, Decimal | None], cost: Mapping[int, Decimal | None],
) -> list[TrustCostRow]:
    """One row per account from the measures (pure)."""
    rows = []
    for pk in account_ids:
        t, f = trust.get(pk), face.get(pk)
        rows.append(TrustCostRow(
            account_id=pk, trust=t.mean if t else None, transactional_share=f.share if f else None,
            transactional_minutes=f.transactional if f else 0, revenue=revenue.get(pk),
            cost=cost.get(pk, Decimal(0)) if revenue.get(pk) is not None else cost.get(pk),
        ))
    return rows


def findings(rows: list[TrustCostRow], unit: Decimal) -> list[Finding]:
    """The four correlations the report shows (pure)."""
    xs = {"trust": [r.trust for r in rows], "transactional_share": [r.transactional_share for r in rows]}
    ys = {"cost_ratio": [r.cost_ratio for r in rows], "effort": [r.effort(unit) for r in rows]}
    return [Finding(x, y, correlate(xs[x], ys[y])) for x in xs for y in ys]


def trust_cost_rows(as_of: date, account_ids: list[int]) -> tuple[list[TrustCostRow], str, set[str]]:
    """The report's rows for the given accounts, the reporting currency, and currencies
    left out for want of an exchange rate."""
    currency = reporting_currency()
    book = RateBook(currency, as_of)
    start = year_before(as_of) + timedelta(days=1)
    costs = cost_to_serve(end=as_of, start=start, account_ids=account_ids)
    revenue = {pk: book.convert(by) for pk, by in revenue_by_currency(as_of, account_ids).items()}
    cost = {pk: book.convert(item.by_currency) for pk, item in costs.items()}
    rows = build_rows(
        account_ids, trust=trust_measures(as_of, account_ids), face=face_time(as_of, account_ids),
        revenue=revenue, cost=cost,
    )
    return rows, currency, book.missing
