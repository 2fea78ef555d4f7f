"""After an import PostgreSQL's planner knows the new rows: the tables written are analysed
before the command returns, so a scan started at once is not planned for empty tables."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftersale.commerce.models import Order
from aftersale.engagement.models import Touchpoint, TouchpointParticipant
from tests.core.test_bulk import analysed_since, database_clock
from tests.imports.conftest import DATA, import_sample, run_import

pytestmark = pytest.mark.postgres


@pytest.fixture
def accounts(db):
    for kind in ("staff", "accounts"):
        import_sample(kind)


def run(*args: str) -> None:
    call_command("import", *args, "--quiet", stdout=StringIO(), stderr=StringIO())


def test_it_analyses_the_tables_an_import_wrote_before_the_command_returns(accounts):
    started = database_clock()
    run("touchpoints", str(DATA / "touchpoints.csv"))
    # The touchpoints and the participants written with them; nothing else.
    assert analysed_since(started) == {
        Touchpoint._meta.db_table, TouchpointParticipant._meta.db_table,
    }
    run("orders", str(DATA / "orders.csv"))
    assert Order._meta.db_table in analysed_since(started)


def test_it_analyses_nothing_after_an_import_that_writes_nothing(accounts, tmp_path):
    import_sample("orders")
    bad = tmp_path / "orders.csv"
    bad.write_text("external_id,account,placed_at,total,channel\nO-1,ACC-404,2024-01-05,1.00,rep\n")
    started = database_clock()
    with pytest.raises(CommandError):
        run("orders", str(bad))
    run("orders", str(DATA / "orders.csv"), "--dry-run")
    assert run_import("orders", (DATA / "orders.csv").read_bytes()).unchanged  # a re-import
    assert analysed_since(started) == set()
