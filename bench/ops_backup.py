"""Benchmark: `aftersale backup` and `aftersale restore` on a filled database.

Run from the repository root (never part of the test suite):

    DEBUG=1 PYTHONPATH=src python bench/ops_backup.py [--accounts 5000]

It builds a throw-away SQLite database in var/bench-ops.sqlite3 (or uses DATABASE_URL,
which must point at a database you can wipe), fills it with accounts, promises, cases
and orders, and prints the time and size of a backup and of a restore.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from _common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=5_000)
    args = parser.parse_args()
    db = Path("var/bench-ops.sqlite3").resolve()
    setup_django(db)
    from django.core.management import call_command
    from django.db import connection

    from aftersale.accounts.models import Account
    from aftersale.commerce.models import Order
    from aftersale.core.enums import Department
    from aftersale.promises.models import Promise, Stage
    from aftersale.service.models import ServiceCase
    from aftersale.staff.models import User

    call_command("migrate", verbosity=0)
    user = User.objects.create_user(email="bench@vendor.test", password="x" * 20, name="Bench",
                                    department=Department.SALES, role="member")
    Account.objects.bulk_create(
        Account(external_id=f"A{i}", name=f"Account {i}", owner=user) for i in range(args.accounts)
    )
    ids = list(Account.objects.values_list("pk", flat=True))
    made = date(2025, 1, 1)
    Promise.objects.bulk_create(
        (Promise(account_id=a, description="Deliver", stage=Stage.SALE, made_at=made, made_by=user,
                 made_by_department=Department.SALES, due_at=made + timedelta(days=30 + k),
                 delivery_owner=user, delivery_department=Department.SALES)
         for a in ids for k in range(10)), batch_size=5000)
    opened = datetime(2025, 3, 1, tzinfo=UTC)
    ServiceCase.objects.bulk_create(
        (ServiceCase(account_id=a, kind="repair", title="Leak", opened_at=opened)
         for a in ids for _ in range(4)), batch_size=5000)
    Order.objects.bulk_create(
        (Order(account_id=a, placed_at=opened, total=Decimal("1000000"), currency="VND")
         for a in ids for _ in range(5)), batch_size=5000)
    rows = args.accounts * 20
    target = Path("var/bench-ops.backup").resolve()
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    call_command("backup", str(target), verbosity=0)
    backup_s = time.perf_counter() - started
    started = time.perf_counter()
    call_command("restore", str(target), "--yes", verbosity=0)
    restore_s = time.perf_counter() - started
    print(f"{connection.vendor}: {args.accounts:,} accounts, ~{rows:,} rows; "
          f"backup {backup_s:.2f} s ({target.stat().st_size / 1e6:.1f} MB), restore {restore_s:.2f} s")


if __name__ == "__main__":
    main()
