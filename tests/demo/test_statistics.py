"""After a demo load PostgreSQL's planner knows the new rows: every table the load wrote
is analysed before the command returns, so a scan started at once is planned with them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from aftersale.demo.builder import MODEL_ORDER
from tests.core.test_bulk import analysed_since, database_clock

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_it_analyses_every_table_the_load_wrote_before_the_command_returns():
    started = database_clock()
    call_command(
        "demo", "--accounts", "60", "--as-of", "2026-05-04", "--no-serve", "--no-scan",
        stdout=StringIO(), stderr=StringIO(),
    )
    written = {m._meta.db_table for m in MODEL_ORDER if m._base_manager.exists()}
    assert len(written) > 20
    assert written <= analysed_since(started)
