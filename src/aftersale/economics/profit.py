"""Lifetime profitability of an account, as plain arithmetic over sums (no ORM here).

The queries in ``economics.py`` hand over amounts per currency; this module turns
them into one reporting currency and applies the documented rules:

- **Revenue** is the sum of order totals.
- **Product margin** is exact for orders with lines: (unit price - unit cost) x quantity.
  Orders without lines get an estimated margin: their total times the account's own
  margin rate (from all its orders with lines up to the as-of date) when it has at least
  ``MIN_OWN_ORDERS`` such orders, else the portfolio's rate, else it is unknown.
- **Cost-to-serve** is service work (labour), parts and travel from the work logs;
  warranty work is the part of it spent under warranty.
- **Profitability** = product margin - cost-to-serve.
- Foreign-currency sums are converted at the rate valid on the last day of the period
  (the closing rate) and rounded once, to the reporting currency's minor unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.commerce.money import ZERO, RateBook, round_money

# Below this many orders with lines, an account's own margin rate is too thin to trust.
MIN_OWN_ORDERS = 3
RATE_PLACES = Decimal("0.0001")


class MarginBasis(models.TextChoices):
    LINES = "lines", _("from order lines")
    OWN = "own", _("partly estimated with the account's own margin rate")
    PORTFOLIO = "portfolio", _("partly estimated with the portfolio's margin rate")
    UNKNOWN = "unknown", _("unknown: no order lines to estimate from")


class Standing(models.TextChoices):
    """Where money and health disagree: the accounts a manager should look at first."""

    UNPROFITABLE_HEALTHY = "unprofitable_healthy", _("Unprofitable but healthy")
    PROFITABLE_FAILING = "profitable_failing", _("Profitable but failing")


class CostSums(Protocol):
    """What ``aftersale.service.costs.CostBreakdown`` carries (amounts in mixed currencies)."""

    labour: Decimal
    parts: Decimal
    travel: Decimal
    warranty: Decimal
    by_currency: dict[str, Decimal]


def _add(target: dict[str, Decimal], currency: str, amount: Decimal | None) -> None:
    if amount:
        target[currency] = target.get(currency, ZERO) + amount


@dataclass
class LineSums:
    """Order lines: what they sold for and what they cost us, per currency."""

    revenue: dict[str, Decimal] = field(default_factory=dict)
    cost: dict[str, Decimal] = field(default_factory=dict)
    orders: int = 0

    def add(self, *, revenue_currency: str, revenue: Decimal | None, cost_currency: str,
            cost: Decimal | None, orders: int = 0) -> None:
        _add(self.revenue, revenue_currency, revenue)
        _add(self.cost, cost_currency, cost)
        self.orders += orders

    def merge(self, other: LineSums) -> None:
        for currency, amount in other.revenue.items():
            _add(self.revenue, currency, amount)
        for currency, amount in other.cost.items():
            _add(self.cost, currency, amount)
        self.orders += other.orders


@dataclass
class OrderSums:
    """Order totals per currency, and the part of them from orders without lines."""

    revenue: dict[str, Decimal] = field(default_factory=dict)
    unlined: dict[str, Decimal] = field(default_factory=dict)
    orders: int = 0

    def add(self, *, currency: str, total: Decimal | None, has_lines: bool, orders: int) -> None:
        _add(self.revenue, currency, total)
        if not has_lines:
            _add(self.unlined, currency, total)
        self.orders += orders

    def merge(self, other: OrderSums) -> None:
        for currency, amount in other.revenue.items():
            _add(self.revenue, currency, amount)
        for currency, amount in other.unlined.items():
            _add(self.unlined, currency, amount)
        self.orders += other.orders


@dataclass(frozen=True)
class Economics:
    """One account's figures for one period, in one currency."""

    currency: str
    revenue: Decimal = ZERO
    estimated_revenue: Decimal = ZERO  # revenue of orders without lines
    line_margin: Decimal = ZERO
    estimated_margin: Decimal | None = ZERO
    margin_rate: Decimal | None = None  # the rate applied to orders without lines
    margin_basis: str = MarginBasis.LINES
    cost_to_serve: Decimal = ZERO
    # The split of cost-to-serve; None when the work was logged in several currencies
    # (the service aggregate sums components across currencies, so only the total
    # converts exactly).
    labour: Decimal | None = ZERO
    parts: Decimal | None = ZERO
    travel: Decimal | None = ZERO
    warranty: Decimal | None = ZERO
    orders: int = 0
    missing_currencies: frozenset[str] = frozenset()

    @property
    def margin(self) -> Decimal | None:
        if self.estimated_margin is None:
            return None
        return self.line_margin + self.estimated_margin

    @property
    def profit(self) -> Decimal | None:
        margin = self.margin
        return None if margin is None else margin - self.cost_to_serve

    @property
    def profit_rate(self) -> Decimal | None:
        """Profitability as a share of revenue."""
        profit = self.profit
        if profit is None or not self.revenue:
            return None
        return (profit / self.revenue).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)

    @property
    def is_complete(self) -> bool:
        return not self.missing_currencies and self.margin is not None


def margin_rate(lines: LineSums, rates: RateBook, currency: str, on: date) -> Decimal | None:
    """(revenue - cost) / revenue of order lines, or None without line revenue."""
    revenue, missing_r = rates.convert_sums(lines.revenue, currency, on)
    cost, missing_c = rates.convert_sums(lines.cost, currency, on)
    if revenue <= 0 or missing_r or missing_c:
        return None
    return (revenue - cost) / revenue


# The portfolio's margin rate, or a function giving it: reading it costs a pass over
# every order line, which one account's page only needs when its own rate is too thin.
PortfolioRate = Decimal | None | Callable[[], Decimal | None]


def choose_margin_rate(
    own: Decimal | None, own_orders: int, portfolio: PortfolioRate
) -> tuple[Decimal | None, str]:
    if own is not None and own_orders >= MIN_OWN_ORDERS:
        return own, MarginBasis.OWN
    if callable(portfolio):
        portfolio = portfolio()
    if portfolio is not None:
        return portfolio, MarginBasis.PORTFOLIO
    return None, MarginBasis.UNKNOWN


@dataclass(frozen=True)
class CostFigures:
    total: Decimal = ZERO
    labour: Decimal | None = ZERO
    parts: Decimal | None = ZERO
    travel: Decimal | None = ZERO
    warranty: Decimal | None = ZERO
    missing: frozenset[str] = frozenset()


def convert_costs(cost: CostSums | None, rates: RateBook, currency: str, on: date) -> CostFigures:
    """Convert a cost breakdown. The total is exact in any case; the split only when all
    the work was logged in one currency (its components are summed across currencies)."""
    if cost is None:
        return CostFigures()
    total, missing = rates.convert_sums(cost.by_currency, currency, on)
    used = [c for c, amount in cost.by_currency.items() if amount]
    if len(used) > 1 or missing:
        return CostFigures(total=total, labour=None, parts=None, travel=None, warranty=None,
                           missing=missing)
    if not used:
        return CostFigures()
    labour = rates.convert(cost.labour, used[0], currency, on)
    parts = rates.convert(cost.parts, used[0], currency, on)
    warranty = rates.convert(cost.warranty, used[0], currency, on)
    # The travel share absorbs the rounding so that the split adds up to the total.
    return CostFigures(total=total, labour=labour, parts=parts, travel=total - labour - parts,
                       warranty=warranty)


def build_economics(
    *,
    currency: str,
    on: date,
    rates: RateBook,
    orders: OrderSums | None,
    lines: LineSums | None,
    own_lines: LineSums | None,
    portfolio_rate: PortfolioRate,
    cost: CostSums | None,
) -> Economics:
    """Figures for one account and one period, converted at the rates valid ``on``.

    ``lines`` are the order lines of the period; ``own_lines`` all the account's lines
    up to the as-of date (the basis of its own margin rate).
    """
    orders = orders or OrderSums()
    lines = lines or LineSums()
    revenue, missing_revenue = rates.convert_sums(orders.revenue, currency, on)
    unlined, missing_unlined = rates.convert_sums(orders.unlined, currency, on)
    line_revenue, missing_lr = rates.convert_sums(lines.revenue, currency, on)
    line_cost, missing_lc = rates.convert_sums(lines.cost, currency, on)
    costs = convert_costs(cost, rates, currency, on)

    rate: Decimal | None = None
    basis: str = MarginBasis.LINES
    estimated: Decimal | None = ZERO
    if unlined:
        own = margin_rate(own_lines, rates, currency, on) if own_lines else None
        rate, basis = choose_margin_rate(own, own_lines.orders if own_lines else 0, portfolio_rate)
        estimated = None if rate is None else round_money(unlined * rate, currency)
    return Economics(
        currency=currency,
        revenue=revenue,
        estimated_revenue=unlined,
        line_margin=line_revenue - line_cost,
        estimated_margin=estimated,
        margin_rate=None if rate is None else rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP),
        margin_basis=basis,
        cost_to_serve=costs.total,
        labour=costs.labour,
        parts=costs.parts,
        travel=costs.travel,
        warranty=costs.warranty,
        orders=orders.orders,
        missing_currencies=(
            missing_revenue | missing_unlined | missing_lr | missing_lc | costs.missing
        ),
    )


def standing(profit: Decimal | None, band: str | None) -> str | None:
    """Flag accounts whose money and health disagree (health bands as the engine names them)."""
    if profit is None or band is None:
        return None
    if profit < 0 and band == "healthy":
        return Standing.UNPROFITABLE_HEALTHY
    if profit > 0 and band == "at_risk":
        return Standing.PROFITABLE_FAILING
    return None


def _sum_or_none(values: Iterable[Decimal | None]) -> Decimal | None:
    total = ZERO
    for value in values:
        if value is None:
            return None
        total += value
    return total


def total_of(figures: Mapping[int, Economics], currency: str) -> Economics:
    """The portfolio's figures: the sum of every account's (already converted) figures."""
    known = [f.estimated_margin for f in figures.values()]
    return Economics(
        currency=currency,
        revenue=sum((f.revenue for f in figures.values()), ZERO),
        estimated_revenue=sum((f.estimated_revenue for f in figures.values()), ZERO),
        line_margin=sum((f.line_margin for f in figures.values()), ZERO),
        estimated_margin=None if any(m is None for m in known)
        else sum((m for m in known if m is not None), ZERO),
        cost_to_serve=sum((f.cost_to_serve for f in figures.values()), ZERO),
        labour=_sum_or_none(f.labour for f in figures.values()),
        parts=_sum_or_none(f.parts for f in figures.values()),
        travel=_sum_or_none(f.travel for f in figures.values()),
        warranty=_sum_or_none(f.warranty for f in figures.values()),
        orders=sum(f.orders for f in figures.values()),
        missing_currencies=frozenset().union(*(f.missing_currencies for f in figures.values())),
    )
