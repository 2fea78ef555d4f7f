"""Benchmark: portal_usage (portal order share and active contacts) over a large portfolio.

Run from the repository root (never part of the test suite):

    DEBUG=1 PYTHONPATH=src python bench/portal.py [--accounts 20000] [--orders 50] [--visits 20]

It builds a throw-away SQLite database in var/bench-portal.sqlite3 (or uses
DATABASE_URL if set, which must point at a database you can wipe) with
accounts, two portal contacts each, orders over two years (a fifth through the
portal) and portal visit days, then times ``portal_usage`` for the whole
portfolio, a tenth of it, and one account.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import setup_django

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = datetime(2026, 6, 30, 12, tzinfo=HCM)
BATCH = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=50, help="orders per account over two years")
    parser.add_argument("--visits", type=int, default=20, help="visit days per contact over a year")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reuse", action="store_true", help="time the database left by a previous run")
    args = parser.parse_args()

    db = Path("var/bench-portal.sqlite3").resolve()
    setup_django(db, fresh=not args.reuse)
    from django.core.management import call_command
    from django.db import connection

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build(args.accounts, args.orders, args.visits, args.seed)
        print(f"built in {time.perf_counter() - started:.1f} s")

    from aftersale.accounts.models import Account
    from aftersale.commerce.models import Order
    from aftersale.portal.models import PortalVisit
    from aftersale.portal.usage import portal_usage

    print(f"{Account.objects.count()} accounts, {Order.objects.count()} orders, "
          f"{PortalVisit.objects.count()} visit days, {connection.vendor}")
    ids = list(Account.objects.values_list("pk", flat=True))

    def timed(label: str, fn) -> None:
        fn()  # warm the page cache
        best = min(_run(fn) for _ in range(3))
        print(f"{label:<48} {best:7.3f} s   ({len(fn())} accounts)")

    timed("portal_usage(as_of) whole portfolio", lambda: portal_usage(AS_OF))
    timed("portal_usage(as_of - 1 year) whole portfolio", lambda: portal_usage(AS_OF - timedelta(days=365)))
    timed("portal_usage(as_of, a tenth of the ids)", lambda: portal_usage(AS_OF, ids[::10]))
    timed("portal_usage(as_of, [one account])", lambda: portal_usage(AS_OF, ids[:1]))


def _run(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def build(n_accounts: int, orders_per_account: int, visits_per_contact: int, seed: int) -> None:
    from django.db import transaction

    from aftersale.accounts.models import Account, Contact
    from aftersale.commerce.models import Channel, Order
    from aftersale.portal.models import PortalVisit
    from aftersale.staff.models import User

    rng = random.Random(seed)
    owner = User.objects.create_user(email="owner@bench.test", name="Owner", department="sales",
                                     role="member")
    with transaction.atomic():
        Account.objects.bulk_create(
            (Account(external_id=f"A{i}", name=f"Account {i}", owner=owner) for i in range(n_accounts)),
            batch_size=BATCH,
        )
        accounts = list(Account.objects.values_list("pk", flat=True))
        Contact.objects.bulk_create(
            (Contact(external_id=f"C{a}-{k}", account_id=a, name=f"Contact {a}-{k}", portal_enabled=True)
             for a in accounts for k in range(2)),
            batch_size=BATCH,
        )
    contacts = list(Contact.objects.values_list("pk", "account_id"))
    start = AS_OF - timedelta(days=730)

    def orders():
        for a in accounts:
            share = rng.random() * 0.4  # each account's own habit, a fifth of orders overall
            for _ in range(orders_per_account):
                yield Order(
                    external_id=f"O{a}-{rng.getrandbits(48):x}", account_id=a,
                    placed_at=start + timedelta(seconds=rng.randrange(730 * 86400)),
                    total=Decimal("100"), channel=Channel.PORTAL if rng.random() < share else Channel.REP,
                )

    def visits():
        first = date(2025, 7, 1)
        for contact_id, account_id in contacts:
            for offset in rng.sample(range(365), visits_per_contact):
                yield PortalVisit(contact_id=contact_id, account_id=account_id,
                                  day=first + timedelta(days=offset))

    for rows, model in ((orders(), Order), (visits(), PortalVisit)):
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                model.objects.bulk_create(batch)
                batch = []
        model.objects.bulk_create(batch)


if __name__ == "__main__":
    main()
