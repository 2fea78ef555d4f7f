"""Backups round-trip the whole database: every table, every row, every value."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order, OrderLine, Product, ProductKind
from aftersale.core.enums import Department
from aftersale.ops.backup import BackupError, pg_binary
from aftersale.promises.models import Promise, Stage
from aftersale.service.models import ServiceCase, WorkLog
from tests.core.test_bulk import analysed_since, database_clock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def backup_tools() -> None:
    """On PostgreSQL the commands need pg_dump and pg_restore; without them, say so."""
    if connection.vendor == "postgresql":
        try:
            pg_binary("pg_dump")
            pg_binary("pg_restore")
        except BackupError as exc:
            pytest.skip(str(exc))


def snapshot() -> dict[str, tuple[int, str]]:
    """Per table: the row count and a hash of every row, in primary-key order."""
    tables: dict[str, tuple[int, str]] = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.order_by("pk").values_list()
        digest = hashlib.sha256()
        count = 0
        for row in rows:
            digest.update(repr(row).encode())
            count += 1
        tables[model._meta.db_table] = (count, digest.hexdigest())
    return tables


@pytest.fixture
def portfolio(account, other_account, contact, other_contact, owner, colleague):
    product = Product.objects.create(
        external_id="P-1", name="Hydraulic press", kind=ProductKind.EQUIPMENT
    )
    for acc in (account, other_account):
        order = Order.objects.create(
            account=acc, placed_at=datetime(2026, 1, 5, 9, tzinfo=UTC), total=Decimal("1500000"),
            currency="VND",
        )
        OrderLine.objects.create(
            order=order, product=product, quantity=Decimal("1"), unit_price=Decimal("1500000"),
            unit_cost=Decimal("900000"),
        )
        Promise.objects.create(
            account=acc, description="Deliver the press by March", stage=Stage.SALE,
            made_at=date(2026, 1, 10), made_by=owner, made_by_department=Department.SALES,
            due_at=date(2026, 3, 1), delivery_owner=colleague,
            delivery_department=Department.PRODUCTION,
        )
        case = ServiceCase.objects.create(
            account=acc, kind="repair", title="Hydraulic leak · rò rỉ dầu",
            opened_at=datetime(2026, 3, 2, 8, tzinfo=UTC),
        )
        WorkLog.objects.create(
            account=acc, user=colleague, department=Department.SERVICE, case=case,
            worked_on=date(2026, 3, 3), hours=Decimal("2.5"),
        )
    return account


def test_it_restores_every_table_of_a_backup_exactly(portfolio, tmp_path: Path):
    before = snapshot()
    assert before[Promise._meta.db_table][0] == 2
    path = tmp_path / "aftersale.backup"
    call_command("backup", str(path))
    assert path.stat().st_size > 0

    # Damage the database after the backup: a deletion, an edit and a new row.
    Promise.objects.filter(account=portfolio).delete()
    Account.objects.filter(pk=portfolio.pk).update(name="Renamed")
    Account.objects.create(external_id="ACC-9", name="Added later", owner=portfolio.owner)
    assert snapshot() != before

    call_command("restore", str(path), "--yes")
    assert snapshot() == before
    assert Account.objects.get(pk=portfolio.pk).name == portfolio.name


@pytest.mark.postgres
def test_it_leaves_the_restored_tables_analysed(portfolio, tmp_path: Path):
    path = tmp_path / "aftersale.backup"
    call_command("backup", str(path))
    started = database_clock()
    call_command("restore", str(path), "--yes")
    # pg_restore leaves statistics to autovacuum; the command refreshes them before it returns.
    restored = {m._meta.db_table for m in (Account, Order, OrderLine, Promise, ServiceCase, WorkLog)}
    assert restored <= analysed_since(started)


def test_it_refuses_to_restore_over_data_without_yes(portfolio, tmp_path: Path):
    path = tmp_path / "aftersale.backup"
    call_command("backup", str(path))
    Account.objects.filter(pk=portfolio.pk).update(name="Kept")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    assert Account.objects.get(pk=portfolio.pk).name == "Kept"


def test_it_refuses_to_back_up_over_a_file(tmp_path: Path):
    path = tmp_path / "existing"
    path.write_text("keep me")
    with pytest.raises(CommandError, match="--force"):
        call_command("backup", str(path))
    assert path.read_text() == "keep me"


def test_it_refuses_to_restore_a_file_that_is_not_a_backup_of_this_database(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("not a backup at all")
    with pytest.raises(CommandError, match="not a"):
        call_command("restore", str(path), "--yes")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing"), "--yes")
