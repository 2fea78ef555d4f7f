"""Benchmark: the buyer's-side measures, supplier signals and the supplier list on many suppliers.

Run from the repository root (never part of the test suite):

    DEBUG=1 PYTHONPATH=src python bench/suppliers.py [--suppliers 2000] [--customers 20000]

It builds a throw-away SQLite database in var/bench-suppliers.sqlite3 (or uses
DATABASE_URL if set, which must point at a database you can wipe): customers
with no purchasing records, and suppliers with two years of inspections (about
one every three weeks), orders, quarterly purchasing effort and a few ideas each;
then prints the time of each set-based read.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from _common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suppliers", type=int, default=2_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the database left by a previous run")
    args = parser.parse_args()

    db = Path("var/bench-suppliers.sqlite3").resolve()
    setup_django(db, fresh=not args.reuse)
    from django.core.management import call_command
    from django.db import connection

    as_of = date(2026, 6, 30)
    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build(args.suppliers, args.customers, args.seed, as_of)
        print(f"built in {time.perf_counter() - started:.1f} s")

    from aftersale.accounts.models import Account
    from aftersale.health.evaluate import evaluate, make_context
    from aftersale.health.signals import registry
    from aftersale.purchasing import measures
    from aftersale.purchasing.models import IncomingInspection, Purchase
    from aftersale.purchasing.report import supplier_rows

    print(f"{Account.objects.suppliers().count()} suppliers, "
          f"{Account.objects.customers().count()} customers, "
          f"{IncomingInspection.objects.count()} inspections, {Purchase.objects.count()} purchases, "
          f"{connection.vendor}")
    moment = datetime(2026, 6, 30, 12, tzinfo=UTC)
    ctx = make_context(moment, fits={})

    def timed(label: str, fn) -> None:
        fn()  # warm the page cache
        best = min(_time(fn) for _ in range(3))
        print(f"{label:<62} {best * 1000:9.0f} ms")

    one = Account.objects.suppliers().order_by("pk").first()
    suppliers = list(Account.objects.suppliers().select_related("owner").order_by("name"))
    timed("inspections(as_of), every supplier", lambda: measures.inspections(as_of))
    timed("inspections_by_quarter(as_of), 8 quarters", lambda: measures.inspections_by_quarter(as_of))
    timed("purchasing_effort(as_of)", lambda: measures.purchasing_effort(as_of))
    timed("price_pressure(as_of)", lambda: measures.price_pressure(as_of))
    timed("ideas_received(as_of)", lambda: measures.ideas_received(as_of))
    timed("supplier_rows (the list and report), every supplier", lambda: supplier_rows(suppliers, as_of))
    for definition in registry.all():
        if definition.kinds == registry.SUPPLIERS_ONLY:
            timed(f"signal {definition.name}, whole portfolio", lambda d=definition: d.compute(ctx, None))
    timed("evaluate(), whole portfolio (every signal)", lambda: evaluate(ctx, None))
    timed("evaluate(), one supplier", lambda: evaluate(ctx, [one.pk]))


def _time(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def build(n_suppliers: int, n_customers: int, seed: int, as_of: date) -> None:
    from aftersale.accounts.models import Account, AccountKind
    from aftersale.core.enums import Direction
    from aftersale.engagement.models import Idea
    from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort
    from aftersale.staff.models import Role, User

    rng = random.Random(seed)
    owner = User.objects.create_user(email="buyer@bench.test", password=None, name="Buyer",
                                     department="purchasing", role=Role.MEMBER)
    Account.objects.bulk_create(
        [Account(external_id=f"C-{i}", name=f"Customer {i}", owner=owner) for i in range(n_customers)]
        + [Account(external_id=f"S-{i}", name=f"Supplier {i}", kind=AccountKind.SUPPLIER, owner=owner)
           for i in range(n_suppliers)],
        batch_size=2000,
    )
    inspections, purchases, efforts, ideas = [], [], [], []
    for pk in Account.objects.suppliers().values_list("pk", flat=True):
        rate, reject = rng.random(), rng.random() * 0.1
        for n in range(35):
            lots = rng.randint(5, 15)
            inspected = min(lots, round(lots * rate))
            inspections.append(IncomingInspection(
                external_id=f"I-{pk}-{n}", account_id=pk, received_on=as_of - timedelta(days=21 * n + 1),
                lots_received=lots, lots_inspected=inspected,
                lots_rejected=min(inspected, round(inspected * reject))))
        for n in range(20):
            bids = rng.randint(0, 3)
            purchases.append(Purchase(
                external_id=f"P-{pk}-{n}", account_id=pk, ordered_on=as_of - timedelta(days=36 * n + 1),
                value=Decimal(rng.randint(1, 900) * 1_000_000), competing_bids=bids,
                requotes=rng.randint(0, 3)))
        for n in range(8):
            end = as_of - timedelta(days=91 * n + 1)
            efforts.append(PurchasingEffort(
                external_id=f"E-{pk}-{n}", account_id=pk, period_start=end - timedelta(days=90),
                period_end=end,
                staff_hours=Decimal(rng.randint(20, 400)), purchase_value=Decimal(rng.randint(1, 9) * 10**9)))
        for n in range(rng.randint(0, 6)):
            ideas.append(Idea(external_id=f"D-{pk}-{n}", account_id=pk, direction=Direction.TO_US,
                              title="Idea", proposed_at=as_of - timedelta(days=rng.randint(1, 700))))
    for model, rows in ((IncomingInspection, inspections), (Purchase, purchases),
                        (PurchasingEffort, efforts), (Idea, ideas)):
        model.objects.bulk_create(rows, batch_size=2000)


if __name__ == "__main__":
    main()
