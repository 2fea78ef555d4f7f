"""Per-account economics (P14) from the database: revenue, product margin, cost-to-serve.

Set-based: one aggregate query per measure for any number of accounts (orders, order
lines, work logs through ``aftersale.service.costs``), plus one query for the exchange
rates. The rules themselves live in ``profit.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Trunc

from aftersale.commerce.models import Order, OrderLine
from aftersale.commerce.money import ZERO, RateBook, reporting_currency
from aftersale.core.asof import day_after, start_of_day
from aftersale.economics.periods import Period, PeriodKind, period_start, recent_periods
from aftersale.economics.profit import (
    Economics,
    LineSums,
    MarginBasis,
    OrderSums,
    build_economics,
    margin_rate,
)
from aftersale.service.costs import cost_to_serve

MONEY = DecimalField(max_digits=30, decimal_places=5)


def _orders(start: date | None, end: date, account_ids: Iterable[int] | None) -> QuerySet[Order]:
    orders = Order.objects.filter(placed_at__lt=day_after(end))
    if start is not None:
        orders = orders.filter(placed_at__gte=start_of_day(start))
    if account_ids is not None:
        orders = orders.filter(account_id__in=list(account_ids))
    return orders.annotate(has_lines=Exists(OrderLine.objects.filter(order=OuterRef("pk"))))


def _lines(end: date, account_ids: Iterable[int] | None) -> QuerySet[OrderLine]:
    lines = OrderLine.objects.filter(order__placed_at__lt=day_after(end))
    if account_ids is not None:
        lines = lines.filter(order__account_id__in=list(account_ids))
    return lines


# A line's cost is its snapshot (in the order's currency) when it has one, else the
# product's current unit cost (in the product's currency): two sums, two currencies.
_LINE_SUMS = {
    "revenue": Sum(ExpressionWrapper(F("quantity") * F("unit_price"), output_field=MONEY)),
    "snapshot_cost": Sum(
        Case(
            When(unit_cost__isnull=False, then=F("quantity") * F("unit_cost")),
            default=Value(ZERO), output_field=MONEY,
        )
    ),
    "product_cost": Sum(
        Case(
            When(unit_cost__isnull=True, then=F("quantity") * F("product__unit_cost")),
            default=Value(ZERO), output_field=MONEY,
        )
    ),
    "n_orders": Count("order_id", distinct=True),
}


def _add_line_row(target: LineSums, row: dict) -> None:
    target.add(revenue_currency=row["order__currency"], revenue=row["revenue"],
               cost_currency=row["order__currency"], cost=row["snapshot_cost"],
               orders=row["n_orders"])
    target.add(revenue_currency=row["order__currency"], revenue=None,
               cost_currency=row["product__currency"], cost=row["product_cost"])


def portfolio_lines(end: date) -> LineSums:
    """Every order line up to ``end``, for the portfolio's margin rate (one query)."""
    sums = LineSums()
    for row in _lines(end, None).values("order__currency", "product__currency").annotate(**_LINE_SUMS):
        _add_line_row(sums, row)
    return sums


def _lazy_portfolio_rate(rates: RateBook, currency: str, end: date) -> Callable[[], Decimal | None]:
    """The portfolio margin rate, read on first use and then remembered."""
    memo: list[Decimal | None] = []

    def get() -> Decimal | None:
        if not memo:
            memo.append(margin_rate(portfolio_lines(end), rates, currency, end))
        return memo[0]

    return get


@dataclass(frozen=True)
class Portfolio:
    """Every requested account's figures for one period, and what they rest on."""

    period: Period
    currency: str
    figures: dict[int, Economics]
    portfolio_margin_rate: Decimal | None  # None also when not read (one account, own rate)


def account_economics(
    *, period: Period, account_ids: Iterable[int] | None = None, currency: str | None = None,
) -> Portfolio:
    """Figures for ``period`` for the given accounts (default: every account with activity).

    Four queries whatever the number of accounts: orders, order lines, work logs, rates
    (five when ``account_ids`` is given: the portfolio margin rate then needs all lines).
    """
    currency = currency or reporting_currency()
    end, start = period.end, period.start
    ids = None if account_ids is None else list(account_ids)

    orders: dict[int, OrderSums] = defaultdict(OrderSums)
    rows = _orders(start, end, ids).values("account_id", "currency", "has_lines").annotate(
        total=Sum("total"), n=Count("id")
    )
    for row in rows:
        orders[row["account_id"]].add(currency=row["currency"], total=row["total"],
                                      has_lines=row["has_lines"], orders=row["n"])

    in_period = (
        Case(When(Q(order__placed_at__gte=start_of_day(start)), then=Value(True)),
             default=Value(False), output_field=BooleanField())
        if start is not None else Value(True, output_field=BooleanField())
    )
    period_lines: dict[int, LineSums] = defaultdict(LineSums)
    own_lines: dict[int, LineSums] = defaultdict(LineSums)
    everything = LineSums()
    line_rows = (
        _lines(end, ids).annotate(in_period=in_period)
        .values("order__account_id", "order__currency", "product__currency", "in_period")
        .annotate(**_LINE_SUMS)
    )
    for row in line_rows:
        account_id = row["order__account_id"]
        _add_line_row(own_lines[account_id], row)
        _add_line_row(everything, row)
        if row["in_period"]:
            _add_line_row(period_lines[account_id], row)

    costs = cost_to_serve(start=start, end=end, account_ids=ids)
    rates = RateBook.load(up_to=end)
    portfolio_rate: Decimal | None | Callable[[], Decimal | None]
    if ids is None:
        portfolio_rate = margin_rate(everything, rates, currency, end)
    else:
        portfolio_rate = _lazy_portfolio_rate(rates, currency, end)

    keys = set(orders) | set(own_lines) | set(costs) if ids is None else set(ids)
    figures = {
        account_id: build_economics(
            currency=currency, on=end, rates=rates, orders=orders.get(account_id),
            lines=period_lines.get(account_id), own_lines=own_lines.get(account_id),
            portfolio_rate=portfolio_rate, cost=costs.get(account_id),
        )
        for account_id in keys
    }
    if callable(portfolio_rate):
        portfolio_rate = portfolio_rate() if any(
            f.margin_basis == MarginBasis.PORTFOLIO for f in figures.values()) else None
    return Portfolio(period=period, currency=currency, figures=figures,
                     portfolio_margin_rate=portfolio_rate)


def account_history(
    account_id: int, *, kind: str, as_of: date, count: int = 4, currency: str | None = None,
) -> list[tuple[Period, Economics]]:
    """One account's recent periods of ``kind`` (oldest first) and then its lifetime.

    Orders and lines are read once, bucketed by period in the database; cost-to-serve
    is one query per column shown.
    """
    currency = currency or reporting_currency()
    periods = recent_periods(kind, as_of, count) if kind != PeriodKind.LIFETIME else []
    lifetime = Period(kind=PeriodKind.LIFETIME, start=None, end=as_of)
    bucket_kind = kind if kind != PeriodKind.LIFETIME else PeriodKind.YEAR
    bucket = Trunc("placed_at", bucket_kind, output_field=DateField())
    line_bucket = Trunc("order__placed_at", bucket_kind, output_field=DateField())

    orders: dict[date, OrderSums] = defaultdict(OrderSums)
    for row in (
        _orders(None, as_of, [account_id]).annotate(bucket=bucket)
        .values("bucket", "currency", "has_lines").annotate(total=Sum("total"), n=Count("id"))
    ):
        orders[row["bucket"]].add(currency=row["currency"], total=row["total"],
                                  has_lines=row["has_lines"], orders=row["n"])
    lines: dict[date, LineSums] = defaultdict(LineSums)
    for row in (
        _lines(as_of, [account_id]).annotate(bucket=line_bucket)
        .values("bucket", "order__currency", "product__currency").annotate(**_LINE_SUMS)
    ):
        _add_line_row(lines[row["bucket"]], row)

    all_orders, all_lines = OrderSums(), LineSums()
    for sums in orders.values():
        all_orders.merge(sums)
    for line_sums in lines.values():
        all_lines.merge(line_sums)

    rates = RateBook.load(up_to=as_of)
    portfolio_rate = _lazy_portfolio_rate(rates, currency, as_of)

    result = []
    for period in [*periods, lifetime]:
        if period.start is None:
            period_orders, period_lines = all_orders, all_lines
        else:
            key = period_start(bucket_kind, period.start)
            period_orders, period_lines = orders.get(key), lines.get(key)
        cost = cost_to_serve(start=period.start, end=period.end, account_ids=[account_id])
        result.append((period, build_economics(
            currency=currency, on=period.end, rates=rates, orders=period_orders,
            lines=period_lines, own_lines=all_lines, portfolio_rate=portfolio_rate,
            cost=cost.get(account_id),
        )))
    return result
