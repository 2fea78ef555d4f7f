"""Changes to quotes, priced with their after-sale cost: each one all-or-nothing (``transaction.atomic``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.accounts.models import Account
from aftersale.commerce.models import Product, Quote, QuoteLine, QuoteStatus
from aftersale.commerce.money import NoExchangeRate, format_money, rate, round_money
from aftersale.economics.quotes import line_estimates, pricing_check
from aftersale.economics.tco import PricingCheck
from aftersale.staff.models import User


class QuoteError(Exception):
    """A change the quote's state does not allow; the message is for the user."""


class QuoteUnderpriced(QuoteError):
    def __init__(self, check: PricingCheck) -> None:
        self.check = check
        super().__init__(
            _("The price does not cover the after-sale cost at the target margin: it falls "
              "short of the service-inclusive price by %(shortfall)s.")
            % {"shortfall": format_money(check.shortfall, check.currency)}
        )


@dataclass(frozen=True)
class LineInput:
    product: Product
    quantity: int
    unit_price: Decimal | None  # None: the product's list price in the quote's currency


def list_price_in(product: Product, currency: str, on: date) -> Decimal:
    """The product's list price in ``currency``; raises NoExchangeRate without a rate."""
    return round_money(product.list_price * rate(product.currency, currency, on), currency)


def check_lines(lines: list[LineInput], currency: str, on: date) -> list[tuple[Product, int, Decimal]]:
    """Resolve default prices; a missing rate is reported by product and currency pair."""
    if not lines:
        raise QuoteError(_("A quote needs at least one product."))
    resolved = []
    for item in lines:
        price = item.unit_price
        if price is None:
            try:
                price = list_price_in(item.product, currency, on)
            except NoExchangeRate:
                raise QuoteError(
                    _("%(product)s has no price in %(currency)s: there is no exchange rate from "
                      "%(from)s to %(currency)s on %(date)s. Enter the unit price or add the rate.")
                    % {"product": item.product, "currency": currency, "from": item.product.currency,
                       "date": on.isoformat()}
                ) from None
        resolved.append((item.product, item.quantity, price))
    return resolved


@transaction.atomic
def do_save_quote(quote: Quote, lines: list[LineInput], *, user: User) -> Quote:
    """Create or update a draft quote and replace its lines."""
    if quote.pk is not None and not Quote.objects.filter(pk=quote.pk, status=QuoteStatus.DRAFT).exists():
        raise QuoteError(_("Only a draft can be changed; this quote has been sent."))
    resolved = check_lines(lines, quote.currency, timezone.localdate())
    if quote.pk is None:
        quote.created_by = user
    quote.full_clean(exclude=["created_by", "account"])
    quote.save()
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create(
        QuoteLine(quote=quote, product=product, quantity=quantity, unit_price=price)
        for product, quantity, price in resolved
    )
    return quote


@transaction.atomic
def do_send_quote(quote_id: int, *, user: User, override: bool = False) -> Quote:
    """Freeze the quote's estimates and mark it sent, unless it under-prices service.

    Only a manager may send an under-priced quote, and only by saying so (``override``);
    the quote then records that it went out below the service-inclusive price.
    """
    quote = Quote.objects.select_for_update().get(pk=quote_id)
    if quote.status != QuoteStatus.DRAFT:
        raise QuoteError(_("This quote has already been sent."))
    today = timezone.localdate()
    lines = line_estimates(quote, today)
    if not lines:
        raise QuoteError(_("A quote needs at least one product."))
    missing = frozenset().union(*(item.missing_currencies for item in lines))
    if missing:
        raise QuoteError(
            _("Add exchange rates to %(currency)s for %(missing)s before sending: some costs "
              "cannot be converted.") % {"currency": quote.currency, "missing": ", ".join(sorted(missing))}
        )
    check = pricing_check(quote, lines)
    if check.underpriced and not (override and user.is_manager):
        raise QuoteUnderpriced(check)
    for item in lines:
        line = item.line
        line.unit_cost = item.unit_cost
        line.life_years = item.life_years
        line.catalogue_service_cost_per_year = item.catalogue_service_per_year
        line.observed_service_cost_per_year = item.observed_service_per_year
        line.service_cost_per_year = item.service_per_year
        line.consumables_per_year = item.consumables_per_year
        line.downtime_hours_per_year = item.downtime_hours_per_year
        line.asset_years = item.asset_years
    QuoteLine.objects.bulk_update([item.line for item in lines], [
        "unit_cost", "life_years", "catalogue_service_cost_per_year",
        "observed_service_cost_per_year", "service_cost_per_year", "consumables_per_year",
        "downtime_hours_per_year", "asset_years",
    ])
    quote.status = QuoteStatus.SENT
    quote.sent_at = timezone.now()
    quote.sent_by = user
    quote.sent_below_floor = check.underpriced
    quote.estimated_on = today
    quote.save(update_fields=["status", "sent_at", "sent_by", "sent_below_floor", "estimated_on",
                              "updated_at"])
    return quote


@transaction.atomic
def do_close_quote(quote_id: int, status: str) -> Quote:
    """Record the customer's answer to a sent quote."""
    if status not in (QuoteStatus.ACCEPTED, QuoteStatus.LOST):
        raise QuoteError(_("A quote is closed as accepted or lost."))
    changed = Quote.objects.filter(pk=quote_id, status=QuoteStatus.SENT).update(
        status=status, updated_at=timezone.now()
    )
    if changed != 1:
        raise QuoteError(_("Only a sent quote can be marked accepted or lost."))
    return Quote.objects.get(pk=quote_id)


def new_quote(account: Account) -> Quote:
    return Quote(account=account, currency=account.currency,
                 title=_("Offer for %(account)s") % {"account": account.name})
