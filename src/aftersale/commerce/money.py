"""Money arithmetic: Decimal only, rounded per currency, converted by dated rates."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from aftersale.core.enums import CURRENCY_DECIMALS


class NoExchangeRate(LookupError):
    """No rate is known for that pair of currencies on or before that date."""


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-CURRENCY_DECIMALS.get(currency, 2))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (VND has none), half up as accountants expect."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def rate(from_currency: str, to_currency: str, on: date) -> Decimal:
    """The rate valid on ``on``: the latest one set on or before that date, either way round."""
    from aftersale.commerce.models import ExchangeRate

    if from_currency == to_currency:
        return Decimal(1)
    direct = (
        ExchangeRate.objects.filter(
            currency=from_currency, base_currency=to_currency, valid_from__lte=on
        )
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if direct is not None:
        return direct
    inverse = (
        ExchangeRate.objects.filter(
            currency=to_currency, base_currency=from_currency, valid_from__lte=on
        )
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if inverse is not None:
        return Decimal(1) / inverse
    raise NoExchangeRate(f"no exchange rate from {from_currency} to {to_currency} on {on}")


def convert(amount: Decimal, from_currency: str, to_currency: str, on: date) -> Decimal:
    return round_money(amount * rate(from_currency, to_currency, on), to_currency)
