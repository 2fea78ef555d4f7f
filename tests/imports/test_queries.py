"""Queries grow with the number of chunks, never with the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.imports.conftest import DATA, import_sample, run_import

CHUNK = 10


def orders(n: int, start: int = 0) -> str:
    rows = "".join(
        f"O-{i},ACC-00{1 + i % 4},2024-01-{1 + i % 28:02d},{i}.50,rep\n" for i in range(start, start + n)
    )
    return "external_id,account,placed_at,total,channel\n" + rows


def queries_for(kind: str, text: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = run_import(kind, text, chunk_size=CHUNK)
    assert result.ok, [str(p) for p in result.problems]
    return len(queries)


@pytest.fixture
def accounts(db):
    for kind in ("staff", "accounts", "products", "assets"):
        import_sample(kind)


def test_it_runs_a_fixed_number_of_queries_per_chunk(accounts):
    # A chunk: look up its keys, look up unseen accounts, insert, savepoint.
    small = queries_for("orders", orders(3 * CHUNK))
    large = queries_for("orders", orders(6 * CHUNK, start=1000))
    per_chunk = (large - small) / (3)
    assert per_chunk <= 4
    # Plus a fixed set-up: the cache size and sort threads read and set, and put
    # back; and at the end the planner's statistics refreshed (four statements on SQLite).
    assert small <= 3 * 4 + 14


def test_it_reads_stored_rows_in_one_query_per_chunk_on_reimport(accounts):
    text = orders(6 * CHUNK)
    queries_for("orders", text)
    with CaptureQueriesContext(connection) as queries:
        run_import("orders", text, chunk_size=CHUNK)
    lookups = [q for q in queries if 'FROM "commerce_order"' in q["sql"] and "IN (" in q["sql"]]
    assert len(lookups) == 6


def copies(kind: str, times: int, tag: str) -> str:
    """The sample file of ``kind`` repeated ``times`` times under new keys."""
    header, *rows = (DATA / f"{kind}.csv").read_text(encoding="utf-8-sig").splitlines()
    many = []
    for n in range(times):
        for row in rows:
            key, rest = row.split(",", 1)
            many.append(f"{key}-{tag}{n},{rest}")
    return "\n".join([header, *many]) + "\n"


@pytest.mark.parametrize("kind", ["contacts", "orders", "cases", "touchpoints", "promises"])
def test_it_looks_related_rows_up_per_chunk_not_per_row(accounts, kind):
    def count(times: int, tag: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            result = run_import(kind, copies(kind, times, tag), chunk_size=1000)
        assert result.ok and result.created == result.rows
        return len(queries)

    assert count(3, "a") == count(30, "b")
