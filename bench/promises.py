"""Benchmark: promise measures, the alignment matrix and the overdue condition on a large ledger.

Run from the repository root (never part of the test suite):

    DEBUG=1 PYTHONPATH=src python bench/promises.py [--accounts 20000] [--per-account 10]

It builds a throw-away SQLite database in var/bench-promises.sqlite3 (or uses
DATABASE_URL if set, which must point at a database you can wipe), fills it
with a random ledger, and prints the time of each set-based read.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--per-account", type=int, default=10)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="time the database left by a previous run")
    args = parser.parse_args()

    db = Path("var/bench-promises.sqlite3").resolve()
    if "DATABASE_URL" not in os.environ and args.reuse:
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    elif "DATABASE_URL" not in os.environ:
        db.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    as_of = date(2026, 6, 30)
    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        n = build(args.accounts, args.per_account, args.seed, as_of)
        print(f"built {n} promises on {args.accounts} accounts in {time.perf_counter() - started:.1f} s")
    from aftersale.promises.models import Promise

    print(f"{Promise.objects.count()} promises, {connection.vendor}")

    from aftersale.promises.alerts import promise_overdue
    from aftersale.promises.measures import promise_measures

    def timed(label: str, fn) -> None:
        fn()  # warm the page cache
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - t)
        print(f"{label:<44} {min(runs) * 1000:8.0f} ms  ({len(result)} groups)")

    timed("promise_measures(group_by=account)", lambda: promise_measures(as_of))
    timed("promise_measures(group_by=departments)", lambda: promise_measures(as_of, group_by="departments"))
    timed("promise_measures(group_by=delivery_owner)",
          lambda: promise_measures(as_of, group_by="delivery_owner"))
    timed("promise_measures(account, as_of 1 year earlier)",
          lambda: promise_measures(as_of - timedelta(days=365)))
    timed("promise_overdue(as_of, all accounts)",
          lambda: promise_overdue(datetime(2026, 6, 30, 3, tzinfo=UTC), None))
    one = [1]
    timed("promise_measures(one account)", lambda: promise_measures(as_of, one))


def build(n_accounts: int, per_account: int, seed: int, as_of: date) -> int:
    from aftersale.accounts.models import Account
    from aftersale.core.enums import Department
    from aftersale.promises.models import EventAction, Promise, PromiseEvent, PromiseStatus, Stage
    from aftersale.staff.models import Role, User

    rng = random.Random(seed)
    departments = [Department.MARKETING, Department.SALES, Department.ENGINEERING,
                   Department.PRODUCTION, Department.SERVICE]
    users = User.objects.bulk_create(
        User(email=f"u{i}@bench.test", name=f"User {i}", department=departments[i % 5],
             role=Role.MEMBER)
        for i in range(200)
    )
    accounts = Account.objects.bulk_create(
        (Account(external_id=f"B-{i}", name=f"Account {i}", owner=users[i % 200])
         for i in range(n_accounts)),
        batch_size=2000,
    )
    promises, renegotiated = [], []
    start = as_of - timedelta(days=900)
    for account in accounts:
        for _ in range(per_account):
            made = start + timedelta(days=rng.randrange(900))
            due = made + timedelta(days=rng.randrange(10, 120))
            maker, deliverer = rng.choice(users), rng.choice(users)
            p = Promise(
                account=account, description="Bench promise", stage=rng.choice(Stage.values),
                made_at=made, made_by=maker, made_by_department=maker.department, due_at=due,
                delivery_owner=deliverer, delivery_department=deliverer.department,
            )
            roll = rng.random()
            delivered = due + timedelta(days=rng.randrange(-20, 30))
            if roll < 0.6 and delivered >= made:
                p.status = PromiseStatus.KEPT if delivered <= due else PromiseStatus.LATE
                p.delivered_at = p.closed_at = delivered
            elif roll < 0.7:
                p.status, p.closed_at = PromiseStatus.BROKEN, due + timedelta(days=5)
            elif roll < 0.85:
                p.status, p.renegotiations = PromiseStatus.RENEGOTIATED, 1
                p.original_due_at, p.due_at = due, due + timedelta(days=30)
            promises.append(p)
    Promise.objects.bulk_create(promises, batch_size=5000)
    renegotiated = [p for p in promises if p.renegotiations]
    PromiseEvent.objects.bulk_create(
        (PromiseEvent(promise=p, action=EventAction.RENEGOTIATED, version=2,
                      at=datetime.combine(p.original_due_at - timedelta(days=3), datetime.min.time(),
                                          tzinfo=UTC),
                      changes={"due_at": [p.original_due_at.isoformat(), p.due_at.isoformat()]})
         for p in renegotiated),
        batch_size=5000,
    )
    return len(promises)


if __name__ == "__main__":
    sys.exit(main())
