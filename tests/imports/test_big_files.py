"""Large files take faster paths; they must keep all-or-nothing and precise problem reports.

The thresholds are lowered here so a few dozen rows take the paths a file of a
million rows takes.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersale.commerce.models import Order
from aftersale.imports import engine
from tests.imports.conftest import import_sample, messages, run_import

CHUNK = 10

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="indexes are set aside on SQLite only"
)


def orders(n: int, start: int = 0, bad: dict[int, str] | None = None) -> str:
    lines = ["external_id,account,placed_at,total,channel"]
    for i in range(start, start + n):
        line = f"O-{i},ACC-00{1 + i % 4},2024-01-{1 + i % 28:02d}T08:30:00,{i}.50,rep"
        lines.append((bad or {}).get(i, line))
    return "\n".join(lines) + "\n"


def order_indexes(unique: bool | None = None) -> dict[str, str]:
    """The order table's indexes by name (``unique``: only those, or only the others)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.name, m.sql, l.[unique] FROM sqlite_master m "
            "JOIN pragma_index_list(%s) l ON l.name = m.name WHERE m.type = 'index'",
            [Order._meta.db_table],
        )
        return {name: sql for name, sql, flag in cursor.fetchall() if unique in (None, bool(flag))}


def statements(queries: CaptureQueriesContext, verb: str) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verb)]


@pytest.fixture
def accounts(db):
    for kind in ("staff", "accounts"):
        import_sample(kind)


@pytest.fixture
def low_thresholds(monkeypatch):
    monkeypatch.setattr(engine, "DEFER_INDEXES_ROWS", 2 * CHUNK)


@sqlite_only
def test_it_sets_the_indexes_aside_for_a_large_load_and_rebuilds_them_from_the_model(
    accounts, low_thresholds
):
    before = order_indexes()
    non_unique = order_indexes(unique=False)
    with CaptureQueriesContext(connection) as queries:
        result = run_import("orders", orders(6 * CHUNK), chunk_size=CHUNK)
    assert result.ok, messages(result)
    assert result.created == Order.objects.count() == 6 * CHUNK
    dropped = statements(queries, "DROP INDEX")
    rebuilt = statements(queries, "CREATE INDEX")
    # The four non-unique indexes (updated_at, the two staff foreign keys,
    # order_account_time, which also serves the account key), rebuilt from the
    # statements the database held; the unique external_id index stays.
    assert len(dropped) == len(rebuilt) == len(non_unique) == 4
    assert set(rebuilt) == set(non_unique.values())
    assert not any(name in sql for name in order_indexes(unique=True) for sql in dropped)
    assert order_indexes() == before


@sqlite_only
def test_it_writes_nothing_of_a_large_load_with_a_bad_row_and_keeps_the_indexes(
    accounts, low_thresholds
):
    before = order_indexes()
    text = orders(6 * CHUNK, bad={55: "O-55,ACC-404,2024-01-05,1.00,rep"})
    with CaptureQueriesContext(connection) as queries:
        result = run_import("orders", text, chunk_size=CHUNK)
    assert statements(queries, "DROP INDEX")  # the path under test was taken
    assert messages(result) == [
        "row 57, column account, value 'ACC-404': "
        "There is no account with this external_id (import accounts first)."
    ]
    assert Order.objects.count() == 0
    assert order_indexes() == before


@sqlite_only
def test_it_writes_nothing_on_a_large_dry_run_and_keeps_the_indexes(accounts, low_thresholds):
    before = order_indexes()
    result = run_import("orders", orders(6 * CHUNK), chunk_size=CHUNK, dry_run=True)
    assert result.ok and result.created == 6 * CHUNK
    assert Order.objects.count() == 0
    assert order_indexes() == before


@sqlite_only
def test_it_leaves_the_indexes_alone_for_a_reimport_and_a_small_file(accounts, low_thresholds):
    text = orders(6 * CHUNK)
    run_import("orders", text, chunk_size=CHUNK)
    with CaptureQueriesContext(connection) as queries:
        result = run_import("orders", text, chunk_size=CHUNK)
        assert result.unchanged == 6 * CHUNK
        small = run_import("orders", orders(CHUNK, start=100), chunk_size=CHUNK)
        assert small.created == CHUNK
    assert statements(queries, "DROP INDEX") == []


@sqlite_only
def test_it_keeps_the_indexes_of_a_table_much_larger_than_the_file(accounts, low_thresholds):
    run_import("orders", orders(6 * CHUNK), chunk_size=CHUNK)
    with CaptureQueriesContext(connection) as queries:
        result = run_import("orders", orders(2 * CHUNK, start=100), chunk_size=CHUNK)
    assert result.created == 2 * CHUNK
    assert statements(queries, "DROP INDEX") == []


def stored_orders() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT external_id, account_id, placed_at, typeof(placed_at), total, typeof(total),"
            " currency, channel, placed_by_id, taken_by_id, note, created_at, updated_at"
            " FROM commerce_order ORDER BY id"
        )
        return cursor.fetchall()


@sqlite_only
def test_it_stores_exactly_the_same_from_a_large_load_as_from_a_small_one(accounts, monkeypatch):
    values = ["0.50", "12", "1234567890123456.78", "7.5", "0"]
    moments = ["2024-01-02", "2024-03-31T02:30:00", "2024-05-06T07:08:09.123456+07:00",
               "2024-06-30T02:00:00Z"]
    text = orders(6 * CHUNK, bad={
        i: f"O-{i},ACC-00{1 + i % 4},{moments[i % 4]},{values[i % 5]},{('rep', '')[i % 2]}"
        for i in range(6 * CHUNK)
    })
    frozen = timezone.now()
    monkeypatch.setattr(engine.timezone, "now", lambda: frozen)
    with CaptureQueriesContext(connection) as queries:
        assert run_import("orders", text, chunk_size=CHUNK).ok  # rows one at a time in SQL
    assert not statements(queries, "DROP INDEX")
    direct = stored_orders()
    Order.objects.all().delete()
    monkeypatch.setattr(engine, "DEFER_INDEXES_ROWS", 2 * CHUNK)
    with CaptureQueriesContext(connection) as queries:
        assert run_import("orders", text, chunk_size=CHUNK).ok  # through the staging table
    assert statements(queries, "DROP INDEX")
    assert stored_orders() == direct
