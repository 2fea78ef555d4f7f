"""The helper process of a big SQLite load: same rows as one process, and failures undo everything."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.db import connection, transaction

from aftersale.core.bulk import sqlite_session
from aftersale.demo import helper as helper_module
from aftersale.demo import load as load_module
from aftersale.demo.load import load_demo
from aftersale.demo.purge import delete_demo
from aftersale.demo.writer import DemoWriteError
from aftersale.engagement.models import Touchpoint

from .test_determinism import export

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the helper process is for SQLite only"),
]
AS_OF = date(2026, 2, 9)


@pytest.fixture
def small_chunks(monkeypatch):
    # Small chunks and a low threshold, so that 150 accounts take the big load's path.
    monkeypatch.setattr(load_module, "CHUNK_ACCOUNTS", 40)
    monkeypatch.setattr(load_module, "REBUILD_INDEXES_FROM", 100)


def attached() -> list[str]:
    """The scratch files attached to the connection."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        return [row[1] for row in cursor.fetchall() if row[1].startswith("demo_part_")]


def load(accounts: int, seed: int) -> dict[str, list[tuple]]:
    helper_module.detach_leftovers()
    before = attached()
    # As the command loads a big demo: foreign keys checked once at the end,
    # which lets SQLite copy the helper's index pages as well.
    with sqlite_session(64, exclusive=True), transaction.atomic():
        delete_demo()
        load_demo(accounts=accounts, seed=seed, as_of=AS_OF)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchall() == [("ok",)]
    # The scratch file is detached once the load has committed.
    assert attached() == before
    return export()


@pytest.mark.django_db(transaction=True)
def test_it_gives_the_same_rows_loading_with_the_helper_as_in_one_process(small_chunks, monkeypatch):
    started = []
    real_helper = helper_module.Helper

    def counted(*args, **kwargs):
        started.append(1)
        return real_helper(*args, **kwargs)

    monkeypatch.setattr(helper_module, "Helper", counted)
    with_helper = load(150, seed=5)
    assert started == [1]
    monkeypatch.setattr(helper_module, "available", lambda: False)
    alone = load(150, seed=5)
    assert started == [1]
    assert len(with_helper["engagement.Touchpoint"]) > 2000
    for table, rows in alone.items():
        assert rows == with_helper[table], table


def test_it_fails_the_whole_load_when_a_helper_fails(small_chunks, monkeypatch):
    touchpoints = Touchpoint.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # Only the helper process writes touchpoints, so this breaks it alone.
    monkeypatch.setattr(helper_module, "insert_sqlite", broken)
    with pytest.raises(DemoWriteError, match="disk full"), transaction.atomic():
        load_demo(accounts=150, seed=5, as_of=AS_OF)
    assert Touchpoint.objects.count() == touchpoints
    assert not list(Path(tempfile.gettempdir()).glob("aftersale-demo-*/part.sqlite3"))
