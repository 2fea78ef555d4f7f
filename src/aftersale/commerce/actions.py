"""Changes to exchange rates, all-or-nothing (``transaction.atomic``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from aftersale.commerce.models import ExchangeRate


@transaction.atomic
def do_set_exchange_rate(*, currency: str, base_currency: str, valid_from: date,
                         value: Decimal) -> ExchangeRate:
    """Set the rate from a day (replacing one already set for that day)."""
    row, _created = ExchangeRate.objects.update_or_create(
        currency=currency, base_currency=base_currency, valid_from=valid_from,
        defaults={"rate": value},
    )
    return row
