from datetime import date
from decimal import Decimal

import pytest

from aftersale.commerce.models import ExchangeRate
from aftersale.commerce.money import NoExchangeRate, convert, round_money


def test_it_rounds_vnd_to_whole_dong_and_usd_to_cents():
    assert round_money(Decimal("1234.5"), "VND") == Decimal("1235")
    assert round_money(Decimal("1.005"), "USD") == Decimal("1.01")


def test_it_refuses_floats():
    with pytest.raises(TypeError):
        round_money(1.5, "USD")  # type: ignore[arg-type]


@pytest.mark.django_db
def test_it_converts_with_the_rate_valid_on_the_day_either_way_round():
    ExchangeRate.objects.create(currency="USD", base_currency="VND", valid_from=date(2026, 1, 1),
                                rate=Decimal("25000"))
    ExchangeRate.objects.create(currency="USD", base_currency="VND", valid_from=date(2026, 7, 1),
                                rate=Decimal("26000"))
    assert convert(Decimal("2"), "USD", "VND", date(2026, 3, 1)) == Decimal("50000")
    assert convert(Decimal("2"), "USD", "VND", date(2026, 8, 1)) == Decimal("52000")
    assert convert(Decimal("52000"), "VND", "USD", date(2026, 8, 1)) == Decimal("2.00")
    with pytest.raises(NoExchangeRate):
        convert(Decimal("1"), "USD", "VND", date(2025, 1, 1))
