"""A scan started at once after a bulk import on PostgreSQL is planned with statistics: every table
its statements read has been analysed before its first statement (issue 29)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from aftersale.commerce.models import Order
from aftersale.core.bulk import stale_tables
from aftersale.health.models import HealthSnapshot, ScanStatus
from aftersale.health.scan import read_models, run_scan
from tests.core.test_bulk import database_clock
from tests.imports.conftest import import_sample

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.slow]

ACCOUNTS = 500
ORDERS_EACH = 400  # 200,000 orders
FIRST_DAY = date(2023, 1, 1)
AS_OF = timezone.make_aware(datetime(2026, 5, 4, 23, 59))


def write_files(folder: Path) -> tuple[Path, Path]:
    accounts, orders = folder / "accounts.csv", folder / "orders.csv"
    with accounts.open("w") as out:
        out.write("external_id,name,kind,industry,tier,owner_email\n")
        for a in range(ACCOUNTS):
            out.write(f"G-{a:04d},Generated {a},customer,capital_equipment,standard,an.nguyen@vendor.test\n")
    with orders.open("w") as out:
        out.write("external_id,account,placed_at,total,channel\n")
        for a in range(ACCOUNTS):
            for k in range(ORDERS_EACH):
                day = FIRST_DAY + timedelta(days=(a * 7 + k * 2) % 1200)
                out.write(f"O-{a}-{k},G-{a:04d},{day.isoformat()},{1000 + k},rep\n")
    return accounts, orders


class FirstStatement:
    """An execute wrapper noting, at the scan's first statement after its guard, each table's
    analysis times as PostgreSQL reports them, and which tables every statement names."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.analysed: dict[str, tuple[datetime | None, datetime | None]] | None = None
        self.stale_then: list[str] | None = None
        self.named: set[str] = set()
        self.looking = False

    def __call__(self, execute, sql, params, many, context):
        if self.looking or "pg_stat" in sql or sql.startswith("ANALYZE"):
            return execute(sql, params, many, context)  # the guard's own, or ours
        if self.analysed is None:
            self.looking = True
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_stat_clear_snapshot()")
                    cursor.execute(
                        "SELECT relname, last_analyze, last_autoanalyze FROM pg_stat_user_tables"
                        " WHERE relname = ANY(%s)", [self.tables],
                    )
                    self.analysed = {name: (hand, auto) for name, hand, auto in cursor.fetchall()}
                self.stale_then = stale_tables(read_models())
            finally:
                self.looking = False
        self.named |= {t for t in self.tables if f'"{t}"' in sql}
        return execute(sql, params, many, context)


def test_it_reads_only_analysed_tables_in_a_scan_at_once_after_a_bulk_import(tmp_path):
    import_sample("staff")
    accounts, orders = write_files(tmp_path)
    started = database_clock()
    for kind, path in (("accounts", accounts), ("orders", orders)):
        call_command("import", kind, str(path), "--quiet", stdout=StringIO(), stderr=StringIO())
    assert Order.objects.count() == ACCOUNTS * ORDERS_EACH

    spy = FirstStatement([m._meta.db_table for m in read_models()])
    with connection.execute_wrapper(spy):
        run = run_scan(AS_OF)

    assert run.status == ScanStatus.DONE
    assert HealthSnapshot.objects.count() == ACCOUNTS
    assert spy.analysed is not None
    # The scan's statements read the orders and the accounts, and more.
    assert {Order._meta.db_table, "accounts_account", "health_healthsnapshot"} <= spy.named
    # Before its first statement every table it reads had statistics ...
    never = sorted(t for t in spy.named if spy.analysed[t] == (None, None))
    assert never == []
    # ... those the import wrote, from after the import began (the import analysed them) ...
    assert spy.analysed[Order._meta.db_table][0] >= started
    assert spy.analysed["accounts_account"][0] >= started
    # ... and none was stale: nothing left for the planner to guess.
    assert spy.stale_then == []
