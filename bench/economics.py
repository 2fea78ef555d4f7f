"""Benchmark: portfolio profitability, one account's history and a quote's TCO estimates.

Run from the repository root (never part of the test suite):

    DEBUG=1 PYTHONPATH=src python bench/economics.py [--accounts 10000] [--orders 10]

It builds a throw-away SQLite database in var/bench-economics.sqlite3 (or uses
DATABASE_URL if set, which must point at a database you can wipe), fills it with
a random portfolio and prints the time of each read (best of three, after a warm-up).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from _common import setup_django

AS_OF = date(2026, 6, 30)


def build(accounts: int, orders_per_account: int, seed: int) -> None:
    from aftersale.accounts.models import Account
    from aftersale.commerce.models import ExchangeRate, Order, OrderLine, Product, ProductKind
    from aftersale.service.models import Asset, CaseKind, ServiceCase, WorkLog
    from aftersale.staff.models import User

    rng = random.Random(seed)
    staff = User.objects.create_user("bench@vendor.test", "x" * 12, name="Bench", department="service",
                                      role="manager")
    ExchangeRate.objects.create(currency="USD", base_currency="VND", valid_from=date(2018, 1, 1),
                                rate=Decimal("23000"))
    ExchangeRate.objects.create(currency="USD", base_currency="VND", valid_from=date(2024, 1, 1),
                                rate=Decimal("25000"))
    presses = [Product.objects.create(
        external_id=f"EQ-{i}", name=f"Press {i}", kind=ProductKind.EQUIPMENT,
        list_price=Decimal(800_000_000 + 100_000_000 * i), unit_cost=Decimal(600_000_000),
        service_cost_per_year=Decimal(40_000_000), life_years=8 + i) for i in range(5)]
    consumables = []
    for i in range(20):
        item = Product.objects.create(external_id=f"C-{i}", name=f"Consumable {i}",
                                      kind=ProductKind.CONSUMABLE, list_price=Decimal(2_000_000),
                                      unit_cost=Decimal(1_200_000))
        item.fits.add(presses[i % 5])
        consumables.append(item)
    Account.objects.bulk_create(
        Account(external_id=f"B-{i}", name=f"Account {i}", owner=staff,
                currency="USD" if i % 10 == 0 else "VND") for i in range(accounts))
    ids = list(Account.objects.values_list("pk", flat=True))
    start = datetime(2019, 1, 1, tzinfo=UTC)
    span = (datetime(2026, 6, 30, tzinfo=UTC) - start).days

    orders = []
    for account_id in ids:
        usd = account_id % 10 == 0
        for _ in range(orders_per_account):
            total = Decimal(rng.randint(1_000, 50_000)) if usd else Decimal(rng.randint(5, 500) * 1_000_000)
            orders.append(Order(account_id=account_id, total=total, currency="USD" if usd else "VND",
                                placed_at=start + timedelta(days=rng.randrange(span))))
    Order.objects.bulk_create(orders, batch_size=5000)
    lines = []
    for order in Order.objects.values("pk", "total", "currency").iterator():
        if rng.random() < 0.6:  # 40 % of orders come without lines (imported totals)
            product = rng.choice(consumables)
            lines.append(OrderLine(order_id=order["pk"], product=product, quantity=Decimal(1),
                                   unit_price=order["total"],
                                   unit_cost=(order["total"] * Decimal("0.7")).quantize(Decimal(1))
                                   if rng.random() < 0.5 else None))
    OrderLine.objects.bulk_create(lines, batch_size=5000)
    assets = [Asset(account_id=account_id, product=rng.choice(presses), serial=f"S-{account_id}",
                    installed_at=date(2019, 1, 1) + timedelta(days=rng.randrange(span)))
              for account_id in ids]
    Asset.objects.bulk_create(assets, batch_size=5000)
    logs, cases = [], []
    for asset in Asset.objects.values("pk", "account_id", "installed_at").iterator():
        in_use = max((AS_OF - asset["installed_at"]).days, 1)
        for _ in range(rng.randint(0, 10)):
            day = asset["installed_at"] + timedelta(days=rng.randrange(in_use))
            logs.append(WorkLog(account_id=asset["account_id"], asset_id=asset["pk"], user=staff,
                                department="service", worked_on=day, hours=Decimal(4),
                                labour_cost=Decimal(rng.randint(1, 20) * 1_000_000),
                                parts_cost=Decimal(rng.randint(0, 5) * 1_000_000),
                                travel_cost=Decimal(500_000), is_warranty=rng.random() < 0.2))
        for _ in range(rng.randint(0, 3)):
            opened = datetime.combine(asset["installed_at"], datetime.min.time(), UTC) + timedelta(
                days=rng.randrange(in_use))
            cases.append(ServiceCase(account_id=asset["account_id"], asset_id=asset["pk"],
                                     kind=CaseKind.REPAIR, title="Down", opened_at=opened,
                                     resolved_at=opened + timedelta(hours=rng.randint(2, 72))))
    WorkLog.objects.bulk_create(logs, batch_size=5000)
    ServiceCase.objects.bulk_create(cases, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=10, help="orders per account")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reuse", action="store_true", help="time the database left by a previous run")
    args = parser.parse_args()

    db = Path("var/bench-economics.sqlite3").resolve()
    setup_django(db, fresh=not args.reuse)
    from django.core.management import call_command
    from django.db import connection

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build(args.accounts, args.orders, args.seed)
        print(f"built in {time.perf_counter() - started:.1f} s")

    from aftersale.accounts.models import Account
    from aftersale.commerce.models import Order, OrderLine, Product
    from aftersale.economics.estimates import estimate_products
    from aftersale.economics.periods import PeriodKind, period_containing
    from aftersale.economics.profitability import account_economics, account_history
    from aftersale.service.models import ServiceCase, WorkLog

    print(f"{Account.objects.count()} accounts, {Order.objects.count()} orders, "
          f"{OrderLine.objects.count()} order lines, {WorkLog.objects.count()} work logs, "
          f"{ServiceCase.objects.count()} repair cases; {connection.vendor}")

    def timed(label: str, fn) -> None:
        fn()
        best = min(_once(fn) for _ in range(3))
        print(f"{label:<58} {best * 1000:9.0f} ms")

    def _once(fn) -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    one = Account.objects.order_by("pk").values_list("pk", flat=True)[1]
    presses = list(Product.objects.filter(kind="equipment").values_list("pk", flat=True))
    timed("account_economics(year), whole portfolio",
          lambda: account_economics(period=period_containing(PeriodKind.YEAR, AS_OF)))
    timed("account_economics(lifetime), whole portfolio",
          lambda: account_economics(period=period_containing(PeriodKind.LIFETIME, AS_OF)))
    timed("account_economics(year), one account",
          lambda: account_economics(period=period_containing(PeriodKind.YEAR, AS_OF), account_ids=[one]))
    timed("account_history(quarter, 4 + lifetime), one account",
          lambda: account_history(one, kind=PeriodKind.QUARTER, as_of=AS_OF, count=4))
    timed("estimate_products(5 presses), installed base",
          lambda: estimate_products(presses, as_of=AS_OF, currency="VND"))
    timed("estimate_products(1 press)",
          lambda: estimate_products(presses[:1], as_of=AS_OF, currency="VND"))

    from django.test import Client

    from aftersale.staff.models import User

    client = Client()
    client.force_login(User.objects.get(email="bench@vendor.test"))
    timed("GET /economics/?period=year (portfolio page, 50 rows shown)",
          lambda: client.get(f"/economics/?period=year&as_of={AS_OF}"))
    timed(f"GET /accounts/{one}/ (account page with its economics)",
          lambda: client.get(f"/accounts/{one}/"))


if __name__ == "__main__":
    main()
