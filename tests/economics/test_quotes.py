from datetime import date
from decimal import Decimal

import pytest
import time_machine

from aftersale.commerce.models import QuoteStatus
from aftersale.economics.actions import (
    LineInput,
    QuoteError,
    QuoteUnderpriced,
    do_close_quote,
    do_save_quote,
    do_send_quote,
)
from aftersale.economics.estimates import estimate_products
from aftersale.economics.quotes import quote_economics
from tests.commerce.conftest import make_log

AS_OF = date(2026, 6, 30)


def test_it_estimates_service_consumables_and_downtime_per_asset_year(press, installed_base,
                                                                       django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        estimate = estimate_products([press.pk], as_of=AS_OF, currency="VND")[press.pk]
    assert estimate.asset_years == Decimal("3.00")
    assert estimate.observed_service_per_year == Decimal("18333333")
    # Three asset-years against a credibility of five: 3/8 observed, 5/8 catalogue.
    assert estimate.service_per_year == Decimal("31875000")
    assert estimate.consumables_per_year == Decimal("10000000")
    assert estimate.downtime_hours_per_year == Decimal("12.00")
    assert estimate.unit_cost == Decimal("700000000")


def test_it_converts_catalogue_figures_to_the_quote_currency(press, usd_rate):
    estimate = estimate_products([press.pk], as_of=AS_OF, currency="USD")[press.pk]
    assert estimate.asset_years == 0
    assert estimate.observed_service_per_year is None
    assert estimate.service_per_year == Decimal("1600.00")  # 40,000,000 VND
    assert estimate.list_price == Decimal("40000.00")
    assert estimate.consumables_per_year is None


@time_machine.travel("2026-06-30 15:00 +07:00", tick=False)
def test_it_compares_the_quote_with_the_competitor_year_by_year(quote):
    economics = quote_economics(quote)
    ours, theirs = economics.comparison.ours, economics.comparison.theirs
    # Ours: 1,000M; service 31,875,000 in years 3-10; ink 10M a year; 12 h x 2M a year.
    assert ours.total == Decimal("1000000000") + 8 * Decimal("31875000") + 10 * Decimal(
        "10000000") + 10 * 12 * Decimal("2000000")
    # Theirs: bought again in year 8, ink as ours, 40 h x 2M a year.
    assert theirs.purchase == Decimal("1600000000")
    assert theirs.consumables == ours.consumables
    assert theirs.downtime == 10 * 40 * Decimal("2000000")
    assert economics.comparison.saving > 0
    assert len(economics.rows) == 11


@time_machine.travel("2026-06-30 15:00 +07:00", tick=False)
def test_it_flags_and_refuses_to_send_a_quote_that_under_prices_service(quote, owner):
    economics = quote_economics(quote)
    # 700M + 2 years x 31,875,000 = 763,750,000 at a 25 % margin.
    assert economics.pricing.floor == Decimal("1018333334")
    assert economics.pricing.underpriced
    with pytest.raises(QuoteUnderpriced, match="service-inclusive price"):
        do_send_quote(quote.pk, user=owner)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT and quote.sent_at is None


@time_machine.travel("2026-06-30 15:00 +07:00", tick=False)
def test_it_lets_only_a_manager_send_it_anyway_and_records_that(quote, owner, manager):
    with pytest.raises(QuoteUnderpriced):
        do_send_quote(quote.pk, user=owner, override=True)
    sent = do_send_quote(quote.pk, user=manager, override=True)
    assert sent.status == QuoteStatus.SENT
    assert sent.sent_below_floor and sent.sent_by == manager


@time_machine.travel("2026-06-30 15:00 +07:00", tick=False)
def test_it_keeps_the_estimates_a_quote_was_sent_with(quote, owner, account, colleague,
                                                      installed_base):
    line = quote.lines.get()
    line.unit_price = Decimal("1100000000")
    line.save()
    do_send_quote(quote.pk, user=owner)
    quote.refresh_from_db()
    before = quote_economics(quote)
    make_log(account, colleague, date(2026, 6, 29), "900000000", asset=installed_base[0])
    after = quote_economics(quote)
    assert after.comparison.ours.total == before.comparison.ours.total
    assert quote.lines.get().service_cost_per_year == Decimal("31875000")
    assert not quote.sent_below_floor
    with pytest.raises(QuoteError):
        do_send_quote(quote.pk, user=owner)
    assert do_close_quote(quote.pk, QuoteStatus.ACCEPTED).status == QuoteStatus.ACCEPTED


def test_it_saves_a_draft_with_list_prices_in_the_quote_currency(account, owner, press, usd_rate):
    from aftersale.economics.actions import new_quote

    quote = new_quote(account)
    quote.currency = "USD"
    do_save_quote(quote, [LineInput(product=press, quantity=2, unit_price=None)], user=owner)
    line = quote.lines.get()
    assert line.unit_price == Decimal("40000.00")
    assert quote.created_by == owner


def test_it_names_the_missing_rate_when_it_cannot_price_a_line(account, owner, press):
    from aftersale.economics.actions import new_quote

    quote = new_quote(account)
    quote.currency = "USD"
    with pytest.raises(QuoteError, match="no exchange rate from VND to USD"):
        do_save_quote(quote, [LineInput(product=press, quantity=1, unit_price=None)], user=owner)
    assert quote.pk is None
