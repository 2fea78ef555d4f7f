"""What the installed base says a product costs to own, per asset-year (P13).

For each quoted product: the service cost actually spent on its installed units (work
logs booked against those assets, through ``aftersale.service.costs``), the parts and
consumables their owners bought for it (order lines of products that fit it), and the
downtime of its repair cases. One query per measure for all the quoted products.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Sum,
    Value,
    When,
)

from aftersale.commerce.models import OrderLine, Product, ProductKind
from aftersale.commerce.money import ZERO, NoExchangeRate, RateBook, round_money
from aftersale.core.asof import day_after
from aftersale.economics.profitability import MONEY
from aftersale.economics.tco import asset_years, blend, per_asset_year, round_hours
from aftersale.service.costs import cost_to_serve
from aftersale.service.models import Asset, CaseKind, ServiceCase

SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class ProductEstimate:
    """One product's expected cost of ownership per unit and year, in one currency."""

    product_id: int
    name: str
    kind: str
    currency: str
    list_price: Decimal
    unit_cost: Decimal
    life_years: int | None
    catalogue_service_per_year: Decimal
    observed_service_per_year: Decimal | None  # None: too little history
    asset_years: Decimal
    consumables_per_year: Decimal | None
    downtime_hours_per_year: Decimal | None
    missing_currencies: frozenset[str] = frozenset()

    @property
    def service_per_year(self) -> Decimal:
        """The figure the TCO uses: catalogue and observations blended by credibility."""
        return round_money(
            blend(self.catalogue_service_per_year, self.observed_service_per_year, self.asset_years),
            self.currency,
        )

    @property
    def is_equipment(self) -> bool:
        return self.kind == ProductKind.EQUIPMENT


def _downtime_hours(product_ids: list[int], as_of: date) -> dict[int, Decimal]:
    """Hours from opening to resolution of repair cases on each product's units; a case
    still open on the as-of date counts up to the end of that day."""
    end = day_after(as_of)
    until = Case(
        When(resolved_at__lt=end, then=F("resolved_at")),
        default=Value(end), output_field=DateTimeField(),
    )
    rows = (
        ServiceCase.objects.filter(kind=CaseKind.REPAIR, asset__product_id__in=product_ids,
                                   opened_at__lt=end)
        .values("asset__product_id")
        .annotate(down=Sum(ExpressionWrapper(until - F("opened_at"), output_field=DurationField())))
    )
    return {
        row["asset__product_id"]: Decimal(row["down"].total_seconds()) / SECONDS_PER_HOUR
        if row["down"] is not None else ZERO
        for row in rows
    }


def _consumables(
    product_ids: list[int], owners: dict[int, set[int]], as_of: date
) -> dict[int, dict[str, Decimal]]:
    """Parts and consumables that fit each product, bought by accounts that have it installed.

    Two queries: which parts fit which products (small), then the purchases of those
    parts by any owner, per part, account and currency; the pairing is done here, so a
    part that fits two products counts for each only where that product is installed.
    """
    fits = Product.fits.through.objects.filter(
        to_product_id__in=product_ids,
        from_product__kind__in=[ProductKind.PART, ProductKind.CONSUMABLE],
    ).values_list("from_product_id", "to_product_id")
    fits_by_part: dict[int, list[int]] = defaultdict(list)
    for part_id, product_id in fits:
        fits_by_part[part_id].append(product_id)
    if not fits_by_part:
        return {}
    owner_accounts = Asset.objects.filter(product_id__in=product_ids, installed_at__lte=as_of)
    rows = (
        OrderLine.objects.filter(
            product_id__in=list(fits_by_part),
            order__placed_at__lt=day_after(as_of),
            order__account_id__in=owner_accounts.values("account_id"),
        )
        .values("product_id", "order__account_id", "order__currency")
        .annotate(amount=Sum(ExpressionWrapper(F("quantity") * F("unit_price"), output_field=MONEY)))
    )
    result: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        for product_id in fits_by_part[row["product_id"]]:
            if row["order__account_id"] in owners[product_id]:
                result[product_id][row["order__currency"]] += row["amount"] or ZERO
    return result


# Above this many owner accounts, reading every asset's cost (one grouped query) is
# cheaper than an IN list that long (and SQLite caps the number of parameters).
MAX_OWNERS_IN_FILTER = 500


def estimate_products(
    product_ids: Iterable[int], *, as_of: date, currency: str, rates: RateBook | None = None,
) -> dict[int, ProductEstimate]:
    """Per-unit, per-year estimates for each product, in ``currency`` at ``as_of`` rates."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rates = rates or RateBook.load(up_to=as_of)
    products = Product.objects.filter(pk__in=ids).values(
        "id", "name", "kind", "currency", "list_price", "unit_cost", "service_cost_per_year",
        "life_years",
    )
    units = list(
        Asset.objects.filter(product_id__in=ids, installed_at__lte=as_of)
        .values_list("id", "product_id", "account_id", "installed_at")
    )
    product_of_asset = {asset_id: product_id for asset_id, product_id, _, _ in units}
    installed: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    owners: dict[int, set[int]] = defaultdict(set)
    for _, product_id, account_id, installed_at in units:
        installed[product_id][installed_at] += 1
        owners[product_id].add(account_id)
    all_owners = set().union(*owners.values())

    service: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    if all_owners:
        narrow = all_owners if len(all_owners) <= MAX_OWNERS_IN_FILTER else None
        for asset_id, cost in cost_to_serve(end=as_of, account_ids=narrow, group_by="asset").items():
            product_id = product_of_asset.get(asset_id)
            if product_id is None:
                continue
            for cost_currency, amount in cost.by_currency.items():
                service[product_id][cost_currency] += amount
    consumables = _consumables(ids, owners, as_of) if all_owners else {}
    downtime = _downtime_hours(ids, as_of) if all_owners else {}

    estimates = {}
    for p in products:
        missing: set[str] = set()

        def convert(amount: Decimal, from_currency: str, missing: set[str] = missing) -> Decimal:
            try:
                return rates.convert(amount, from_currency, currency, as_of)
            except NoExchangeRate:
                missing.add(from_currency)
                return ZERO

        years = asset_years(installed[p["id"]].items(), as_of)
        spent, missing_spent = rates.convert_sums(service[p["id"]], currency, as_of)
        bought, missing_bought = rates.convert_sums(consumables.get(p["id"], {}), currency, as_of)
        observed = per_asset_year(spent, years)
        bought_rate = per_asset_year(bought, years)
        hours_rate = per_asset_year(downtime.get(p["id"], ZERO), years)
        estimates[p["id"]] = ProductEstimate(
            product_id=p["id"], name=p["name"], kind=p["kind"], currency=currency,
            list_price=convert(p["list_price"], p["currency"]),
            unit_cost=convert(p["unit_cost"], p["currency"]),
            life_years=p["life_years"],
            catalogue_service_per_year=convert(p["service_cost_per_year"], p["currency"]),
            observed_service_per_year=None if observed is None else round_money(observed, currency),
            asset_years=years,
            consumables_per_year=None if bought_rate is None else round_money(bought_rate, currency),
            downtime_hours_per_year=None if hours_rate is None else round_hours(hours_rate),
            missing_currencies=frozenset(missing | missing_spent | missing_bought),
        )
    return estimates
