"""Large files take faster paths; they must keep all-or-nothing and precise problem reports.

The thresholds are lowered here so a few dozen rows take the paths a file of a
million rows takes.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def order_indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
            [Order._meta.db_table],
        )
        return dict(cursor.fetchall())


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
def test_a_large_load_sets_the_indexes_aside_and_rebuilds_them_from_the_model(
    accounts, low_thresholds
):
    before = order_indexes()
    model_sql = {str(s) for s in connection.schema_editor()._model_indexes_sql(Order)}
    with CaptureQueriesContext(connection) as queries:
        result = run_import("orders", orders(6 * CHUNK), chunk_size=CHUNK)
    assert result.ok, messages(result)
    assert result.created == Order.objects.count() == 6 * CHUNK
    dropped = statements(queries, "DROP INDEX")
    rebuilt = statements(queries, "CREATE INDEX")
    # The five non-unique indexes (updated_at, the three foreign keys,
    # order_account_time); the unique external_id index stays.
    assert len(dropped) == len(rebuilt) == len(model_sql) == 5
    assert set(rebuilt) == model_sql
    assert order_indexes() == before


@sqlite_only
def test_a_large_load_with_a_bad_row_writes_nothing_and_keeps_the_indexes(
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
def test_a_large_dry_run_writes_nothing_and_keeps_the_indexes(accounts, low_thresholds):
    before = order_indexes()
    result = run_import("orders", orders(6 * CHUNK), chunk_size=CHUNK, dry_run=True)
    assert result.ok and result.created == 6 * CHUNK
    assert Order.objects.count() == 0
    assert order_indexes() == before


@sqlite_only
def test_a_reimport_and_a_small_file_leave_the_indexes_alone(accounts, low_thresholds):
    text = orders(6 * CHUNK)
    run_import("orders", text, chunk_size=CHUNK)
    with CaptureQueriesContext(connection) as queries:
        result = run_import("orders", text, chunk_size=CHUNK)
        assert result.unchanged == 6 * CHUNK
        small = run_import("orders", orders(CHUNK, start=100), chunk_size=CHUNK)
        assert small.created == CHUNK
    assert statements(queries, "DROP INDEX") == []


@sqlite_only
def test_a_table_much_larger_than_the_file_keeps_its_indexes(accounts, low_thresholds):
    run_import("orders", orders(6 * CHUNK), chunk_size=CHUNK)
    with CaptureQueriesContext(connection) as queries:
        result = run_import("orders", orders(2 * CHUNK, start=100), chunk_size=CHUNK)
    assert result.created == 2 * CHUNK
    assert statements(queries, "DROP INDEX") == []
