"""Benchmark: the service alert conditions, measures and cost-to-serve on a large installed base.

Run from the repository root (never part of the test suite):

    DEBUG=1 PYTHONPATH=src python bench/service.py [--accounts 10000] [--cases 5]

It builds a throw-away SQLite database in var/bench-service.sqlite3 (or uses
DATABASE_URL if set, which must point at a database you can wipe), fills it
with assets, maintenance plans, cases with status histories and work logs,
and prints the time of each set-based read over the whole portfolio.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import setup_django

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = datetime(2026, 6, 30, 12, tzinfo=HCM)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=5, help="cases per account")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the database left by a previous run")
    args = parser.parse_args()

    db = Path("var/bench-service.sqlite3").resolve()
    os.environ.setdefault("AFTERSALE_HOLIDAYS", "vn")
    setup_django(db, fresh=not args.reuse)
    from django.core.management import call_command
    from django.db import connection

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build(args.accounts, args.cases, args.seed)
        print(f"built in {time.perf_counter() - started:.1f} s")
        from aftersale.service.actions import do_store_clocks

        started, cpu = time.perf_counter(), time.process_time()
        stored = do_store_clocks()  # as an import does for the cases it creates
        print(f"{'do_store_clocks (every case)':<44} {time.perf_counter() - started:7.2f} s wall "
              f"{time.process_time() - cpu:7.2f} s CPU   ({stored} rows)")

    from aftersale.service.conditions import maintenance_overdue, sla_breach
    from aftersale.service.costs import cost_to_serve
    from aftersale.service.measures import onsite_minutes_by_department, target_performance
    from aftersale.service.models import Asset, CaseStatusChange, ServiceCase, WorkLog

    print(f"{Asset.objects.count()} assets, {ServiceCase.objects.count()} cases, "
          f"{CaseStatusChange.objects.count()} status changes, {WorkLog.objects.count()} work logs, "
          f"{connection.vendor}")

    def timed(label: str, fn) -> None:
        fn()  # warm the page cache
        # CPU time too: on a shared machine the wall clock mostly measures the neighbours.
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        print(f"{label:<44} {time.perf_counter() - started:7.2f} s wall "
              f"{time.process_time() - cpu:7.2f} s CPU   ({len(result)} rows)")

    from django.utils import timezone

    timed("sla_breach (past date: full clock)", lambda: sla_breach(AS_OF, None))
    timed("sla_breach (as of now: stored due times)", lambda: sla_breach(timezone.now(), None))
    timed("maintenance_overdue (whole portfolio)", lambda: maintenance_overdue(AS_OF, None))
    timed("target_performance (cases of 12 months)",
          lambda: target_performance(AS_OF, since=AS_OF - timedelta(days=365)))
    timed("onsite_minutes_by_department (12 months)",
          lambda: onsite_minutes_by_department(AS_OF, since=date(2025, 7, 1)))
    timed("cost_to_serve by account (lifetime)", lambda: cost_to_serve(end=AS_OF.date()))
    calendar_throughput()


def calendar_throughput() -> None:
    from aftersale.service.business_hours import add_business_time, business_time_between
    from aftersale.service.targets import service_calendar

    cal = service_calendar()
    rng = random.Random(1)
    starts = [AS_OF - timedelta(minutes=rng.randrange(0, 200 * 24 * 60)) for _ in range(20_000)]
    cpu = time.process_time()
    for s in starts:
        business_time_between(cal, s, add_business_time(cal, s, timedelta(hours=40)))
    elapsed = time.process_time() - cpu
    print(f"{'add 40 h + measure it back, per pair (CPU)':<44} {elapsed / len(starts) * 1e6:7.1f} µs")


def build(n_accounts: int, cases_per_account: int, seed: int) -> None:
    from django.db import transaction

    from aftersale.accounts.models import Account
    from aftersale.commerce.models import Product
    from aftersale.service.models import (
        Asset,
        CaseStatusChange,
        MaintenancePlan,
        ServiceCase,
        WorkLog,
    )
    from aftersale.staff.models import User

    rng = random.Random(seed)
    with transaction.atomic():
        owner = User.objects.create_user(email="bench@vendor.test", name="Bench", department="service",
                                         role="manager")
        products = [Product.objects.create(name=f"Machine {i}", kind="equipment") for i in range(5)]
        Account.objects.bulk_create(
            [Account(name=f"Account {i}", owner=owner, external_id=f"B-{i}") for i in range(n_accounts)],
            batch_size=2000,
        )
        account_ids = list(Account.objects.values_list("pk", flat=True))
        assets = []
        for account_id in account_ids:
            for k in range(2):
                assets.append(Asset(
                    account_id=account_id, product=rng.choice(products), serial=f"S-{account_id}-{k}",
                    external_id=f"A-{account_id}-{k}",
                    installed_at=date(2023, 1, 1) + timedelta(days=rng.randrange(900)),
                ))
        Asset.objects.bulk_create(assets, batch_size=2000)
        assets = list(Asset.objects.all())
        MaintenancePlan.objects.bulk_create([
            MaintenancePlan(asset=a, name="Quarterly", interval_days=90,
                            last_done_at=date(2026, 1, 1) + timedelta(days=rng.randrange(170)))
            for a in assets
        ], batch_size=2000)
        MaintenancePlan.objects.create(product=products[0], name="Yearly calibration", interval_days=365)
        by_account: dict[int, list] = {}
        for a in assets:
            by_account.setdefault(a.account_id, []).append(a)
        cases, opened = [], []
        for account_id in account_ids:
            for c in range(cases_per_account):
                at = AS_OF - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
                done = rng.random() < 0.8
                resolved = at + timedelta(hours=rng.randrange(1, 200)) if done else None
                if resolved is not None and resolved > AS_OF:
                    resolved = None
                cases.append(ServiceCase(
                    account_id=account_id, asset=rng.choice(by_account[account_id]),
                    kind=rng.choice(["repair", "application_support", "maintenance"]),
                    severity=rng.choice(["low", "normal", "high", "critical"]),
                    title=f"Case {c}", opened_at=at, external_id=f"C-{account_id}-{c}",
                    status="resolved" if resolved else rng.choice(["new", "in_progress", "waiting"]),
                    first_response_at=at + timedelta(hours=rng.randrange(0, 12)) if resolved else None,
                    resolved_at=resolved,
                ))
                opened.append((at, resolved))
        ServiceCase.objects.bulk_create(cases, batch_size=2000)
        changes = []
        for case_id, (at, resolved) in zip(
            ServiceCase.objects.order_by("pk").values_list("pk", flat=True), opened, strict=True
        ):
            changes.append(CaseStatusChange(case_id=case_id, at=at, from_status="", to_status="new"))
            changes.append(CaseStatusChange(case_id=case_id, at=at + timedelta(minutes=30),
                                            from_status="new", to_status="in_progress"))
            if resolved:
                changes.append(CaseStatusChange(case_id=case_id, at=resolved, from_status="in_progress",
                                                to_status="resolved"))
        CaseStatusChange.objects.bulk_create(changes, batch_size=5000)
        logs = []
        for account_id in account_ids:
            for _ in range(5):
                logs.append(WorkLog(
                    account_id=account_id, user=owner, department=rng.choice(["service", "engineering"]),
                    worked_on=AS_OF.date() - timedelta(days=rng.randrange(700)),
                    hours=Decimal(rng.randrange(1, 16)) / 2,
                    labour_cost=Decimal(rng.randrange(100, 900)) * 1000,
                    on_site=rng.random() < 0.5, currency="VND",
                ))
        WorkLog.objects.bulk_create(logs, batch_size=5000)


if __name__ == "__main__":
    main()
