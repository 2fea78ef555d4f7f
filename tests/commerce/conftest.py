"""A small, hand-checked portfolio for the economics tests.

``account`` buys a press, ink and parts (orders with lines, in VND and USD) and one
order without lines; ``other_account`` only orders without lines. Work logs give
``account`` a cost-to-serve. Every figure in the tests is worked out in the comments.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersale.commerce.models import ExchangeRate, Order, OrderLine, Product, ProductKind
from aftersale.service.models import WorkLog


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def make_order(account, placed_at, total, currency="VND", lines=()):
    order = Order.objects.create(account=account, placed_at=placed_at, total=Decimal(total),
                                 currency=currency)
    for product, quantity, unit_price, unit_cost in lines:
        OrderLine.objects.create(
            order=order, product=product, quantity=Decimal(quantity), unit_price=Decimal(unit_price),
            unit_cost=None if unit_cost is None else Decimal(unit_cost),
        )
    return order


def make_log(account, user, day, labour="0", parts="0", travel="0", *, currency="VND",
             warranty=False, asset=None, case=None, hours="1"):
    return WorkLog.objects.create(
        account=account, user=user, department=user.department, worked_on=day, asset=asset,
        case=case, hours=Decimal(hours), labour_cost=Decimal(labour), parts_cost=Decimal(parts),
        travel_cost=Decimal(travel), is_warranty=warranty, currency=currency,
    )


@pytest.fixture
def usd_rate(db):
    return ExchangeRate.objects.create(currency="USD", base_currency="VND",
                                       valid_from=date(2026, 1, 1), rate=Decimal("25000"))


@pytest.fixture
def press(db):
    return Product.objects.create(
        external_id="P-PRESS", name="Offset press KX-5", kind=ProductKind.EQUIPMENT,
        list_price=Decimal("1000000000"), unit_cost=Decimal("700000000"),
        service_cost_per_year=Decimal("40000000"), life_years=10, currency="VND",
    )


@pytest.fixture
def ink(press):
    product = Product.objects.create(
        external_id="P-INK", name="Ink cartridge", kind=ProductKind.CONSUMABLE,
        list_price=Decimal("2000000"), unit_cost=Decimal("1200000"), currency="VND",
    )
    product.fits.add(press)
    return product


@pytest.fixture
def roller(db):
    return Product.objects.create(
        external_id="P-ROLLER", name="Roller", kind=ProductKind.PART,
        list_price=Decimal("250"), unit_cost=Decimal("150"), currency="USD",
    )


@pytest.fixture
def ledger(account, other_account, colleague, press, ink, roller, usd_rate):
    """Orders and work logs up to mid-2026. Reporting currency VND, 1 USD = 25,000 VND.

    account:
      Q1  A 2026-02-10  1 press @ 1,000,000,000 (cost 700,000,000)   margin 300,000,000
          B 2026-03-05  10 ink @ 2,000,000 (no snapshot: product cost 1,200,000)
                                                                     margin   8,000,000
          work 2026-03-10 labour 5,000,000 parts 2,000,000 travel 1,000,000, warranty
      Q2  C 2026-04-01  4 rollers @ 250 USD (cost 150 USD) = 1,000 USD
                                     margin 400 USD = 10,000,000 VND
          D 2026-05-01  50,000,000 without lines: own rate 318/1045 -> 15,215,311
          work 2026-06-01 labour 100 USD = 2,500,000 VND
    other_account: E 2026-05-02 10,000,000 without lines: portfolio rate -> 3,043,062
    """
    make_order(account, at(2026, 2, 10), "1000000000",
               lines=[(press, "1", "1000000000", "700000000")])
    make_order(account, at(2026, 3, 5), "20000000", lines=[(ink, "10", "2000000", None)])
    make_order(account, at(2026, 4, 1), "1000", currency="USD",
               lines=[(roller, "4", "250", "150")])
    make_order(account, at(2026, 5, 1), "50000000")
    make_order(other_account, at(2026, 5, 2), "10000000")
    make_log(account, colleague, date(2026, 3, 10), "5000000", "2000000", "1000000", warranty=True)
    make_log(account, colleague, date(2026, 6, 1), "100", currency="USD")
    # After the as-of date used by the tests: never counted.
    make_order(account, at(2026, 7, 2), "999000000")
    make_log(account, colleague, date(2026, 7, 3), "999000000")
    return account


@pytest.fixture
def installed_base(account, other_account, colleague, press, ink, usd_rate):
    """Two presses in service, as of 2026-06-30 three asset-years of history.

    Service spent on them: 30,000,000 VND + 1,000 USD (25,000,000 VND) = 55,000,000,
    i.e. 18,333,333 per asset-year. Ink bought by the owner: 30,000,000, i.e. 10,000,000
    per asset-year. Repairs: 24 h + 12 h (still open at the end of the as-of day) = 12 h
    per asset-year. Everything else below must not count.
    """
    from aftersale.accounts.models import Account
    from aftersale.service.models import Asset, CaseKind, ServiceCase

    first = Asset.objects.create(account=account, product=press, serial="KX5-001",
                                 installed_at=date(2024, 6, 30))
    second = Asset.objects.create(account=other_account, product=press, serial="KX5-002",
                                  installed_at=date(2025, 6, 30))
    make_log(account, colleague, date(2025, 3, 1), "30000000", asset=first)
    make_log(other_account, colleague, date(2026, 2, 1), "1000", currency="USD", asset=second)
    make_log(account, colleague, date(2026, 2, 2), "7000000")  # not on an asset
    make_order(account, at(2026, 3, 5), "30000000", lines=[(ink, "15", "2000000", None)])
    stranger = Account.objects.create(external_id="ACC-3", name="No press here",
                                      owner=account.owner)
    make_order(stranger, at(2026, 3, 5), "10000000", lines=[(ink, "5", "2000000", None)])

    def case(asset, opened, resolved=None, kind=CaseKind.REPAIR):
        return ServiceCase.objects.create(account=asset.account, asset=asset, kind=kind,
                                          title="Press down", opened_at=opened,
                                          resolved_at=resolved)

    case(first, at(2026, 1, 10, 8), at(2026, 1, 11, 8))
    case(second, at(2026, 6, 30, 12))
    case(first, at(2026, 2, 1, 8), at(2026, 2, 5, 12), kind=CaseKind.MAINTENANCE)
    case(first, at(2026, 7, 5, 8), at(2026, 7, 6, 8))  # after the as-of date
    return [first, second]


@pytest.fixture
def quote(account, owner, press, installed_base):
    """One press at list price against a cheaper competitor over ten years."""
    from aftersale.accounts.models import Competitor
    from aftersale.commerce.models import Quote, QuoteLine

    rival = Competitor.objects.create(name="Cheapo Presses")
    quote = Quote.objects.create(
        account=account, created_by=owner, title="KX-5 for the new hall", currency="VND",
        horizon_years=10, target_margin=Decimal("0.25"), service_included_years=2,
        downtime_cost_per_hour=Decimal("2000000"), competitor=rival,
        competitor_price=Decimal("800000000"), competitor_life_years=7,
        competitor_service_cost_per_year=Decimal("60000000"),
        competitor_service_included_years=1, competitor_downtime_hours_per_year=Decimal("40"),
    )
    QuoteLine.objects.create(quote=quote, product=press, quantity=1,
                             unit_price=Decimal("1000000000"))
    return quote
