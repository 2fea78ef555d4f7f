"""The profitability rules over plain sums, without a database."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from aftersale.commerce.money import RateBook, quantum
from aftersale.economics.profit import (
    Economics,
    LineSums,
    MarginBasis,
    OrderSums,
    Standing,
    build_economics,
    choose_margin_rate,
    standing,
    total_of,
)
from aftersale.service.costs import CostBreakdown
from tests.economics.test_tco import walk

ON = date(2026, 6, 30)
RATES = RateBook.from_rows([
    ("USD", "VND", date(2026, 1, 1), Decimal("25000")),
    ("EUR", "VND", date(2026, 1, 1), Decimal("27500.5")),
])
CURRENCIES = st.sampled_from(["VND", "USD", "EUR"])
amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("10000000000"), places=2,
                      allow_nan=False, allow_infinity=False)
per_currency = st.dictionaries(CURRENCIES, amounts, max_size=3)


@st.composite
def order_sums(draw):
    sums = OrderSums()
    for currency, total in draw(per_currency).items():
        sums.add(currency=currency, total=total, has_lines=draw(st.booleans()), orders=1)
    return sums


@st.composite
def line_sums(draw):
    sums = LineSums()
    for currency, revenue in draw(per_currency).items():
        sums.add(revenue_currency=currency, revenue=revenue, cost_currency=draw(CURRENCIES),
                 cost=draw(amounts), orders=draw(st.integers(0, 5)))
    return sums


@st.composite
def costs(draw):
    by_currency = draw(per_currency)
    labour = sum(by_currency.values(), Decimal(0))
    return CostBreakdown(labour=labour, by_currency=by_currency)


@given(orders=order_sums(), lines=line_sums(), own=line_sums(), cost=costs(),
       currency=CURRENCIES,
       portfolio=st.one_of(st.none(), st.decimals(min_value=Decimal("-1"), max_value=Decimal("1"),
                                                  places=6, allow_nan=False)))
def test_it_keeps_every_figure_a_decimal_in_the_reporting_currency(orders, lines, own, cost,
                                                                   currency, portfolio):
    figures = build_economics(currency=currency, on=ON, rates=RATES, orders=orders, lines=lines,
                              own_lines=own, portfolio_rate=portfolio, cost=cost)
    for value in walk(figures):
        assert not isinstance(value, float)
    for amount in (figures.revenue, figures.line_margin, figures.cost_to_serve):
        assert amount == amount.quantize(quantum(currency))
    if figures.profit is not None:
        assert figures.profit == figures.margin - figures.cost_to_serve
    if figures.labour is not None:
        assert figures.labour + figures.parts + figures.travel == figures.cost_to_serve


def test_it_prefers_the_account_s_own_margin_rate_once_it_has_enough_orders():
    assert choose_margin_rate(Decimal("0.3"), 3, Decimal("0.2")) == (Decimal("0.3"), MarginBasis.OWN)
    assert choose_margin_rate(Decimal("0.3"), 2, Decimal("0.2")) == (
        Decimal("0.2"), MarginBasis.PORTFOLIO)
    assert choose_margin_rate(None, 0, None) == (None, MarginBasis.UNKNOWN)


def test_it_spots_accounts_where_money_and_health_disagree():
    assert standing(Decimal("-1"), "healthy") == Standing.UNPROFITABLE_HEALTHY
    assert standing(Decimal("1"), "at_risk") == Standing.PROFITABLE_FAILING
    assert standing(Decimal("1"), "healthy") is None
    assert standing(Decimal("-1"), "at_risk") is None
    assert standing(None, "healthy") is None
    assert standing(Decimal("-1"), None) is None


def test_it_adds_up_the_portfolio():
    a = Economics(currency="VND", revenue=Decimal(100), line_margin=Decimal(30),
                  cost_to_serve=Decimal(10), labour=Decimal(10), parts=Decimal(0), travel=Decimal(0),
                  warranty=Decimal(0))
    b = Economics(currency="VND", revenue=Decimal(50), estimated_revenue=Decimal(50),
                  estimated_margin=Decimal(10), cost_to_serve=Decimal(25), labour=None, parts=None,
                  travel=None, warranty=None)
    total = total_of({1: a, 2: b}, "VND")
    assert total.revenue == 150 and total.margin == 40 and total.profit == 5
    assert total.labour is None
