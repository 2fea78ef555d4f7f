"""The account's catalogue: what a contact can order, at which price, and what fits their equipment.

Every product we sell is offered at its list price in the account's currency,
converted at the day's exchange rate when the product is priced in another
currency. A product without such a rate is not offered (rather than at a
guessed price). "For your equipment" marks the parts, consumables and
services whose ``fits`` names a product installed at the account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aftersale.accounts.models import Account
from aftersale.commerce.models import Product
from aftersale.commerce.money import NoExchangeRate, rate, round_money
from aftersale.service.models import Asset, AssetStatus


@dataclass(frozen=True)
class Offer:
    product: Product
    price: Decimal
    unit_cost: Decimal  # our cost in the same currency, kept on the order line
    currency: str
    fits_mine: bool


class Rates:
    """Exchange rates into one currency on one day, each looked up once."""

    def __init__(self, currency: str, on: date) -> None:
        self.currency, self.on = currency, on
        self._known: dict[str, Decimal | None] = {}

    def get(self, from_currency: str) -> Decimal | None:
        if from_currency not in self._known:
            try:
                self._known[from_currency] = rate(from_currency, self.currency, self.on)
            except NoExchangeRate:
                self._known[from_currency] = None
        return self._known[from_currency]


def installed_products(account: Account) -> set[int]:
    """Products of the account's equipment that is installed or on its way."""
    return set(
        Asset.objects.filter(account=account)
        .exclude(status=AssetStatus.RETIRED)
        .values_list("product_id", flat=True)
    )


def fitting_products(equipment: Iterable[int]) -> set[int]:
    """Products whose ``fits`` names any of ``equipment`` (one query)."""
    fits = Product.fits.through
    rows = fits.objects.filter(to_product_id__in=list(equipment)).values_list("from_product_id", flat=True)
    return set(rows)


def offers(account: Account, on: date, products: Iterable[Product] | None = None) -> list[Offer]:
    """The account's catalogue (or the given products, if sold), in the account's currency."""
    if products is None:
        products = Product.objects.filter(is_active=True).order_by("kind", "name")
    else:
        products = [p for p in products if p.is_active]
    mine = fitting_products(installed_products(account))
    rates = Rates(account.currency, on)
    result = []
    for product in products:
        factor = rates.get(product.currency)
        if factor is None:
            continue
        result.append(Offer(
            product=product,
            price=round_money(product.list_price * factor, account.currency),
            unit_cost=round_money(product.unit_cost * factor, account.currency),
            currency=account.currency,
            fits_mine=product.pk in mine,
        ))
    return result
