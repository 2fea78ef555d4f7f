"""A quote's economics: its lines' estimates, the customer's TCO beside the competitor's
offer, and whether the price covers the after-sale cost we bear.

A draft's estimates follow the data (read when the quote is shown); a sent quote keeps
the estimates it was sent with (stored on its lines by ``do_send_quote``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.commerce.models import ProductKind, Quote, QuoteLine
from aftersale.commerce.money import ZERO, RateBook
from aftersale.economics.estimates import ProductEstimate, estimate_products
from aftersale.economics.tco import (
    Comparison,
    Equipment,
    Offer,
    PricedLine,
    PricingCheck,
    check_pricing,
    compare,
)


@dataclass(frozen=True)
class LineEstimate:
    """A quote line with the per-unit figures its TCO rests on (quote currency)."""

    line: QuoteLine
    unit_cost: Decimal
    life_years: int | None
    catalogue_service_per_year: Decimal
    observed_service_per_year: Decimal | None
    service_per_year: Decimal
    consumables_per_year: Decimal
    downtime_hours_per_year: Decimal
    asset_years: Decimal
    is_equipment: bool
    missing_currencies: frozenset[str] = frozenset()

    @property
    def amount(self) -> Decimal:
        return self.line.unit_price * self.line.quantity


def _from_estimate(line: QuoteLine, estimate: ProductEstimate) -> LineEstimate:
    equipment = estimate.is_equipment
    return LineEstimate(
        line=line,
        unit_cost=estimate.unit_cost,
        life_years=estimate.life_years if equipment else None,
        catalogue_service_per_year=estimate.catalogue_service_per_year if equipment else ZERO,
        observed_service_per_year=estimate.observed_service_per_year if equipment else None,
        service_per_year=estimate.service_per_year if equipment else ZERO,
        consumables_per_year=(estimate.consumables_per_year or ZERO) if equipment else ZERO,
        downtime_hours_per_year=(estimate.downtime_hours_per_year or ZERO) if equipment else ZERO,
        asset_years=estimate.asset_years,
        is_equipment=equipment,
        missing_currencies=estimate.missing_currencies,
    )


def _from_snapshot(line: QuoteLine) -> LineEstimate:
    return LineEstimate(
        line=line,
        unit_cost=line.unit_cost or ZERO,
        life_years=line.life_years,
        catalogue_service_per_year=line.catalogue_service_cost_per_year or ZERO,
        observed_service_per_year=line.observed_service_cost_per_year,
        service_per_year=line.service_cost_per_year or ZERO,
        consumables_per_year=line.consumables_per_year or ZERO,
        downtime_hours_per_year=line.downtime_hours_per_year or ZERO,
        asset_years=line.asset_years or ZERO,
        is_equipment=line.product.kind == ProductKind.EQUIPMENT,
    )


def line_estimates(quote: Quote, as_of: date | None = None,
                   rates: RateBook | None = None) -> list[LineEstimate]:
    lines = list(quote.lines.select_related("product").order_by("pk"))
    if quote.estimated_on is not None:
        return [_from_snapshot(line) for line in lines]
    as_of = as_of or timezone.localdate()
    estimates = estimate_products({line.product_id for line in lines}, as_of=as_of,
                                  currency=quote.currency, rates=rates)
    return [_from_estimate(line, estimates[line.product_id]) for line in lines]


def our_offer(quote: Quote, lines: list[LineEstimate]) -> Offer:
    return Offer(_("Our offer"), tuple(
        Equipment(
            name=str(item.line.product),
            price=item.amount,
            life_years=item.life_years,
            service_per_year=item.service_per_year * item.line.quantity,
            service_included_years=quote.service_included_years,
            consumables_per_year=item.consumables_per_year * item.line.quantity,
            downtime_hours_per_year=item.downtime_hours_per_year * item.line.quantity,
        )
        for item in lines
    ))


def competitor_offer(quote: Quote, ours: Offer) -> Offer | None:
    """The competitor's offer as entered; every figure left blank is taken as ours."""
    if quote.competitor_price is None:
        return None
    lives = [item.life_years for item in ours.items if item.life_years]

    def ours_total(name: str) -> Decimal:
        return sum((getattr(item, name) for item in ours.items), ZERO)

    def given(value, default):
        return default if value is None else value

    label = str(quote.competitor) if quote.competitor else _("Competitor's offer")
    return Offer(label, (Equipment(
        name=label,
        price=quote.competitor_price,
        life_years=given(quote.competitor_life_years, max(lives) if lives else None),
        service_per_year=given(quote.competitor_service_cost_per_year, ours_total("service_per_year")),
        service_included_years=given(quote.competitor_service_included_years,
                                     quote.service_included_years),
        consumables_per_year=given(quote.competitor_consumables_per_year,
                                   ours_total("consumables_per_year")),
        downtime_hours_per_year=given(quote.competitor_downtime_hours_per_year,
                                      ours_total("downtime_hours_per_year")),
    ),))


def pricing_check(quote: Quote, lines: list[LineEstimate]) -> PricingCheck:
    return check_pricing(
        [PricedLine(
            name=str(item.line.product), quantity=item.line.quantity,
            unit_price=item.line.unit_price, unit_cost=item.unit_cost,
            service_per_year=item.service_per_year,
            service_included_years=quote.service_included_years, life_years=item.life_years,
        ) for item in lines],
        target_margin=quote.target_margin, currency=quote.currency,
    )


@dataclass(frozen=True)
class QuoteEconomics:
    quote: Quote
    lines: list[LineEstimate]
    comparison: Comparison
    pricing: PricingCheck
    as_of: date

    @property
    def missing_currencies(self) -> frozenset[str]:
        return frozenset().union(*(item.missing_currencies for item in self.lines))

    @property
    def rows(self) -> list[tuple]:
        """Year-by-year rows: (ours, theirs or None)."""
        theirs = self.comparison.theirs
        return [(ours, theirs.years[i] if theirs else None)
                for i, ours in enumerate(self.comparison.ours.years)]


def quote_economics(quote: Quote, as_of: date | None = None) -> QuoteEconomics:
    as_of = quote.estimated_on or as_of or timezone.localdate()
    lines = line_estimates(quote, as_of)
    ours = our_offer(quote, lines)
    comparison = compare(ours, competitor_offer(quote, ours), horizon_years=quote.horizon_years,
                         downtime_cost_per_hour=quote.downtime_cost_per_hour,
                         currency=quote.currency)
    return QuoteEconomics(quote=quote, lines=lines, comparison=comparison,
                          pricing=pricing_check(quote, lines), as_of=as_of)
