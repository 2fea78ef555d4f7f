from datetime import date
from decimal import Decimal

from aftersale.economics.periods import Period, PeriodKind, period_containing
from aftersale.economics.profit import MarginBasis
from aftersale.economics.profitability import account_economics, account_history

AS_OF = date(2026, 6, 30)


def test_it_sums_revenue_margin_cost_and_profit_per_account(ledger, other_account):
    result = account_economics(period=period_containing(PeriodKind.LIFETIME, AS_OF))
    mine = result.figures[ledger.pk]

    assert mine.currency == "VND"
    assert mine.revenue == Decimal("1095000000")
    assert mine.line_margin == Decimal("318000000")
    assert mine.estimated_revenue == Decimal("50000000")
    assert mine.estimated_margin == Decimal("15215311")
    assert mine.margin_basis == MarginBasis.OWN
    assert mine.margin == Decimal("333215311")
    # Work was logged in VND and USD: the total converts exactly, the split does not.
    assert (mine.labour, mine.parts, mine.travel, mine.warranty) == (None, None, None, None)
    assert mine.cost_to_serve == Decimal("10500000")
    assert mine.profit == Decimal("322715311")
    assert mine.is_complete

    theirs = result.figures[other_account.pk]
    assert theirs.margin_basis == MarginBasis.PORTFOLIO
    assert theirs.estimated_margin == Decimal("3043062")
    assert theirs.profit == Decimal("3043062")


def test_it_splits_the_year_into_quarters_that_add_up_to_the_lifetime(ledger):
    history = account_history(ledger.pk, kind=PeriodKind.QUARTER, as_of=AS_OF, count=3)

    labels = [period.label for period, _ in history]
    assert labels == ["2025 Q4", "2026 Q1", "2026 Q2", "Lifetime"]
    q4, q1, q2, lifetime = (figures for _, figures in history)
    assert q4.revenue == 0 and q4.profit == 0
    assert q1.revenue == Decimal("1020000000")
    assert q1.margin == Decimal("308000000")
    assert q1.cost_to_serve == Decimal("8000000")
    assert (q1.labour, q1.parts, q1.travel, q1.warranty) == (
        Decimal("5000000"), Decimal("2000000"), Decimal("1000000"), Decimal("8000000"))
    assert q1.profit == Decimal("300000000")
    assert q2.revenue == Decimal("75000000")
    assert q2.margin == Decimal("25215311")
    assert q2.profit == Decimal("22715311")
    assert lifetime.profit == q1.profit + q2.profit == Decimal("322715311")


def test_it_ignores_everything_after_the_as_of_date(ledger):
    may = account_economics(period=Period(kind=PeriodKind.MONTH, start=date(2026, 5, 1),
                                          end=date(2026, 5, 31)), account_ids=[ledger.pk])
    figures = may.figures[ledger.pk]
    assert figures.revenue == Decimal("50000000")
    assert figures.line_margin == 0
    assert figures.cost_to_serve == 0


def test_it_names_a_currency_it_cannot_convert(ledger):
    before_rates = account_economics(
        period=Period(kind=PeriodKind.YEAR, start=date(2025, 1, 1), end=date(2025, 12, 31)),
        account_ids=[ledger.pk],
    )
    assert before_rates.figures[ledger.pk].missing_currencies == frozenset()
    from aftersale.commerce.models import ExchangeRate

    ExchangeRate.objects.all().delete()
    result = account_economics(period=period_containing(PeriodKind.LIFETIME, AS_OF))
    figures = result.figures[ledger.pk]
    assert figures.missing_currencies == {"USD"}
    assert not figures.is_complete


def test_it_reports_in_another_currency(ledger):
    result = account_economics(period=period_containing(PeriodKind.YEAR, AS_OF), currency="USD")
    figures = result.figures[ledger.pk]
    assert figures.revenue == Decimal("43800.00")  # 1,095,000,000 / 25,000
    assert figures.cost_to_serve == Decimal("420.00")


def test_it_leaves_margin_unknown_without_any_order_lines(other_account):
    from tests.commerce.conftest import at, make_order

    make_order(other_account, at(2026, 5, 2), "10000000")
    figures = account_economics(period=period_containing(PeriodKind.YEAR, AS_OF)).figures
    assert figures[other_account.pk].margin is None
    assert figures[other_account.pk].profit is None
    assert figures[other_account.pk].margin_basis == MarginBasis.UNKNOWN


def test_it_is_four_queries_for_the_whole_portfolio(ledger, django_assert_num_queries):
    with django_assert_num_queries(4):
        account_economics(period=period_containing(PeriodKind.YEAR, AS_OF))
