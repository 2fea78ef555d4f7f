"""Total cost of ownership and the service-inclusive price (P13, P14): pure arithmetic.

No ORM here: ``estimates.py`` reads the installed base and ``actions.py`` stores the
results. Every amount is a ``Decimal`` in one currency, rounded to that currency's
minor unit figure by figure, so the year-by-year table adds up to its totals.

The customer's cost of an offer over ``horizon_years``:

- **purchase**: the price in year 0; a unit that reaches the end of its expected life
  inside the horizon is bought again at the same price;
- **remaining value**: in the last year, units still in service are credited with the
  straight-line value of the life they have left, so an offer is not charged a whole
  machine for a replacement used only a year or two;
- **service**: the expected service cost per year, except in the years of each unit's
  life that are included in its price (warranty or a service contract);
- **consumables**: parts and consumables per year;
- **downtime**: expected hours of downtime per year x the customer's cost of an hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aftersale.commerce.money import ZERO, round_money, round_money_up

# Credibility weighting of observed service cost against the catalogue estimate: with
# this many asset-years of history, each counts half (more history, more weight).
CREDIBILITY_ASSET_YEARS = Decimal(5)
# Below this much history, observed figures are not used at all.
MIN_ASSET_YEARS = Decimal(1)
DAYS_PER_YEAR = Decimal("365.25")
ASSET_YEAR_PLACES = Decimal("0.01")
HOURS_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Equipment:
    """One line of an offer, for all its units together."""

    name: str
    price: Decimal
    life_years: int | None = None  # None: lasts the whole comparison
    service_per_year: Decimal = ZERO
    service_included_years: int = 0
    consumables_per_year: Decimal = ZERO
    downtime_hours_per_year: Decimal = ZERO

    def age_in(self, year: int) -> int:
        """How old the unit in use during ``year`` (1-based) is, in its own years."""
        if not self.life_years:
            return year
        return (year - 1) % self.life_years + 1

    def replaced_in(self, year: int) -> bool:
        return bool(self.life_years) and year > 1 and self.age_in(year) == 1

    def remaining_value(self, horizon: int) -> Decimal:
        """Straight-line value left in the unit in service at the end of ``horizon``."""
        if not self.life_years:
            return ZERO
        return self.price * (self.life_years - self.age_in(horizon)) / self.life_years


@dataclass(frozen=True)
class Offer:
    label: str
    items: tuple[Equipment, ...]


@dataclass(frozen=True)
class YearCost:
    year: int  # 0 is the purchase
    purchase: Decimal
    service: Decimal
    consumables: Decimal
    downtime: Decimal
    cumulative: Decimal
    remaining_value: Decimal = ZERO  # credited in the last year only

    @property
    def total(self) -> Decimal:
        return (self.purchase + self.service + self.consumables + self.downtime
                - self.remaining_value)


@dataclass(frozen=True)
class Tco:
    label: str
    currency: str
    years: tuple[YearCost, ...]

    def _sum(self, name: str) -> Decimal:
        return sum((getattr(y, name) for y in self.years), ZERO)

    @property
    def purchase(self) -> Decimal:
        return self._sum("purchase")

    @property
    def service(self) -> Decimal:
        return self._sum("service")

    @property
    def consumables(self) -> Decimal:
        return self._sum("consumables")

    @property
    def downtime(self) -> Decimal:
        return self._sum("downtime")

    @property
    def remaining_value(self) -> Decimal:
        return self._sum("remaining_value")

    @property
    def total(self) -> Decimal:
        return self.years[-1].cumulative if self.years else ZERO

    @property
    def cumulative(self) -> list[Decimal]:
        return [y.cumulative for y in self.years]


def _check_money(**amounts: Decimal) -> None:
    for name, value in amounts.items():
        if not isinstance(value, Decimal):
            raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
        if value < 0:
            raise ValueError(f"{name} must not be negative")


def total_cost_of_ownership(
    offer: Offer, *, horizon_years: int, downtime_cost_per_hour: Decimal, currency: str
) -> Tco:
    """The customer's cost of ``offer`` year by year, year 0 being the purchase."""
    if horizon_years < 1:
        raise ValueError("the comparison needs at least one year")
    _check_money(downtime_cost_per_hour=downtime_cost_per_hour)
    for item in offer.items:
        _check_money(price=item.price, service_per_year=item.service_per_year,
                     consumables_per_year=item.consumables_per_year,
                     downtime_hours_per_year=item.downtime_hours_per_year)
    purchase = round_money(sum((i.price for i in offer.items), ZERO), currency)
    years = [YearCost(0, purchase, ZERO, ZERO, ZERO, purchase)]
    cumulative = purchase
    for year in range(1, horizon_years + 1):
        row = YearCost(
            year=year,
            purchase=round_money(
                sum((i.price for i in offer.items if i.replaced_in(year)), ZERO), currency),
            service=round_money(sum(
                (i.service_per_year for i in offer.items
                 if i.age_in(year) > i.service_included_years), ZERO), currency),
            consumables=round_money(
                sum((i.consumables_per_year for i in offer.items), ZERO), currency),
            downtime=round_money(
                sum((i.downtime_hours_per_year for i in offer.items), ZERO)
                * downtime_cost_per_hour, currency),
            cumulative=ZERO,
            remaining_value=round_money(
                sum((i.remaining_value(horizon_years) for i in offer.items), ZERO), currency)
            if year == horizon_years else ZERO,
        )
        cumulative += row.total
        years.append(YearCost(row.year, row.purchase, row.service, row.consumables,
                              row.downtime, cumulative, row.remaining_value))
    return Tco(label=offer.label, currency=currency, years=tuple(years))


@dataclass(frozen=True)
class Comparison:
    ours: Tco
    theirs: Tco | None

    @property
    def saving(self) -> Decimal | None:
        """What the customer saves over the horizon by taking our offer (negative: loses)."""
        return None if self.theirs is None else self.theirs.total - self.ours.total

    @property
    def price_gap(self) -> Decimal | None:
        """How much more our purchase price is than theirs (year 0)."""
        return None if self.theirs is None else self.ours.years[0].total - self.theirs.years[0].total

    @property
    def cheaper_from_year(self) -> int | None:
        """The year from which our offer has cost the customer no more, to the horizon."""
        if self.theirs is None:
            return None
        found = None
        for ours, theirs in zip(reversed(self.ours.years), reversed(self.theirs.years), strict=True):
            if ours.cumulative > theirs.cumulative:
                break
            found = ours.year
        return found


def compare(ours: Offer, theirs: Offer | None, *, horizon_years: int,
            downtime_cost_per_hour: Decimal, currency: str) -> Comparison:
    args = {"horizon_years": horizon_years, "downtime_cost_per_hour": downtime_cost_per_hour,
            "currency": currency}
    return Comparison(
        ours=total_cost_of_ownership(ours, **args),
        theirs=None if theirs is None else total_cost_of_ownership(theirs, **args),
    )


# --- the vendor's side: does the price cover what we will spend after the sale? ------


@dataclass(frozen=True)
class PricedLine:
    """A quoted line as the vendor sees it (amounts per unit)."""

    name: str
    quantity: int
    unit_price: Decimal
    unit_cost: Decimal
    service_per_year: Decimal
    service_included_years: int
    life_years: int | None = None

    @property
    def included_years(self) -> int:
        """Years of service the vendor pays for: those included, but not past the life."""
        if self.life_years:
            return min(self.service_included_years, self.life_years)
        return self.service_included_years

    @property
    def after_sale_cost(self) -> Decimal:
        """Expected service cost the vendor bears per unit."""
        return self.service_per_year * self.included_years


def service_inclusive_price(
    *, unit_cost: Decimal, after_sale_cost: Decimal, target_margin: Decimal, currency: str
) -> Decimal:
    """The lowest price that covers the product and the after-sale cost we bear and still
    leaves ``target_margin`` of the price: (cost + after-sale) / (1 - margin), rounded up."""
    _check_money(unit_cost=unit_cost, after_sale_cost=after_sale_cost)
    if not (ZERO <= target_margin < 1):
        raise ValueError("the target margin must be at least 0 and below 1")
    return round_money_up((unit_cost + after_sale_cost) / (1 - target_margin), currency)


@dataclass(frozen=True)
class LineCheck:
    line: PricedLine
    floor: Decimal  # per unit
    full_service_price: Decimal | None  # per unit, with service for the whole life included

    @property
    def underpriced(self) -> bool:
        return self.line.unit_price < self.floor


@dataclass(frozen=True)
class PricingCheck:
    currency: str
    target_margin: Decimal
    lines: tuple[LineCheck, ...]

    @property
    def price(self) -> Decimal:
        return sum((c.line.unit_price * c.line.quantity for c in self.lines), ZERO)

    @property
    def cost(self) -> Decimal:
        """Our cost: the products plus the after-sale service we bear."""
        return sum(((c.line.unit_cost + c.line.after_sale_cost) * c.line.quantity
                    for c in self.lines), ZERO)

    @property
    def after_sale_cost(self) -> Decimal:
        return sum((c.line.after_sale_cost * c.line.quantity for c in self.lines), ZERO)

    @property
    def floor(self) -> Decimal:
        """The service-inclusive price of the whole quote."""
        return sum((c.floor * c.line.quantity for c in self.lines), ZERO)

    @property
    def margin(self) -> Decimal | None:
        """The margin the quoted price leaves after product and after-sale cost."""
        price = self.price
        return None if not price else (price - self.cost) / price

    @property
    def shortfall(self) -> Decimal:
        return max(self.floor - self.price, ZERO)

    @property
    def underpriced(self) -> bool:
        """Flagged when the quote as a whole does not cover the after-sale cost at the
        target margin (one line may carry another)."""
        return bool(self.lines) and self.price < self.floor


def check_pricing(
    lines: Iterable[PricedLine], *, target_margin: Decimal, currency: str
) -> PricingCheck:
    checks = []
    for line in lines:
        floor = service_inclusive_price(unit_cost=line.unit_cost, after_sale_cost=line.after_sale_cost,
                                        target_margin=target_margin, currency=currency)
        full = None
        if line.life_years:
            full = service_inclusive_price(
                unit_cost=line.unit_cost, after_sale_cost=line.service_per_year * line.life_years,
                target_margin=target_margin, currency=currency)
        checks.append(LineCheck(line=line, floor=floor, full_service_price=full))
    return PricingCheck(currency=currency, target_margin=target_margin, lines=tuple(checks))


# --- estimates from the installed base ----------------------------------------------


def asset_years(installed: Iterable[tuple[date, int]], as_of: date) -> Decimal:
    """Years of use observed: for each install date, units x years from then to ``as_of``."""
    days = sum((max((as_of - day).days, 0) * count for day, count in installed), 0)
    return (Decimal(days) / DAYS_PER_YEAR).quantize(ASSET_YEAR_PLACES)


def per_asset_year(total: Decimal, years: Decimal) -> Decimal | None:
    """An observed rate, or None when there is too little history to trust it."""
    if years < MIN_ASSET_YEARS:
        return None
    return total / years


def blend(catalogue: Decimal, observed: Decimal | None, years: Decimal) -> Decimal:
    """Credibility-weighted mix of what we observed and what the catalogue says.

    weight = years / (years + CREDIBILITY_ASSET_YEARS); without observations the
    catalogue alone; without a catalogue figure the observations alone.
    """
    if observed is None:
        return catalogue
    if not catalogue:
        return observed
    weight = years / (years + CREDIBILITY_ASSET_YEARS)
    return weight * observed + (1 - weight) * catalogue


def round_hours(hours: Decimal) -> Decimal:
    return hours.quantize(HOURS_PLACES)

