"""The bulk-load machinery the demo and the import share: indexes set aside and put back
exactly, SQLite's settings put back, and statistics refreshed for the tables written."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection, transaction

from aftersale.accounts.models import Competitor
from aftersale.alerts.models import Alert
from aftersale.commerce.models import Order, Quote
from aftersale.core.bulk import BulkLoad, analyze, sqlite_session

pytestmark = pytest.mark.django_db


def database_clock() -> datetime:
    """The database server's time now (not the transaction's start, as ``now()`` is)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def analysed_since(started: datetime) -> set[str]:
    """The tables PostgreSQL has analysed (by hand, not autovacuum) since ``started``."""
    with connection.cursor() as cursor:
        # Statistics read earlier in this transaction are cached; read them afresh.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze >= %s", [started]
        )
        return {name for (name,) in cursor.fetchall()}


def indexes(*model_list) -> dict[str, dict]:
    """The tables' indexes and constraints as the database reports them, by name."""
    found: dict[str, dict] = {}
    with connection.cursor() as cursor:
        for model in model_list:
            for name, info in connection.introspection.get_constraints(cursor, model._meta.db_table).items():
                found[f"{model._meta.db_table}.{name}"] = {k: v for k, v in info.items() if k != "definition"}
    return found


def secondary(found: dict[str, dict], *, unique: bool) -> set[str]:
    """The names of the indexes that back no constraint, unique or not."""
    return {
        name for name, info in found.items()
        if info["index"] and not info["primary_key"] and info["unique"] == unique
    }


@pytest.mark.parametrize("unique", [True, False])
def test_it_sets_indexes_aside_and_puts_back_exactly_what_was_there(unique):
    # Orders have plain indexes; open alerts a partial unique one.
    before = indexes(Order, Alert)
    assert secondary(before, unique=False) and secondary(before, unique=True)
    load = BulkLoad()
    with transaction.atomic(), load.indexes_deferred([Order, Alert], unique=unique):
        during = indexes(Order, Alert)
        assert secondary(during, unique=False) == set()
        # Unique indexes stay for a load that looks rows up by them.
        assert secondary(during, unique=True) == (set() if unique else secondary(before, unique=True))
        if connection.vendor == "postgresql":  # the foreign keys too, checked again when added back
            assert not any(info["foreign_key"] for info in during.values())
    assert indexes(Order, Alert) == before


def test_it_puts_the_indexes_back_on_a_rollback():
    before = indexes(Order)
    with pytest.raises(RuntimeError), transaction.atomic():
        BulkLoad().indexes.set_aside([Order])
        assert indexes(Order) != before
        raise RuntimeError("the load failed")
    assert indexes(Order) == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_it_puts_sqlite_settings_back():
    def settings() -> tuple:
        with connection.cursor() as cursor:
            values = []
            for name in ("cache_size", "threads", "analysis_limit"):
                cursor.execute(f"PRAGMA {name}")
                values.append(cursor.fetchone()[0])
            return tuple(values)

    before = settings()
    with sqlite_session(64):
        assert settings()[:2] == (-64 * 1024, 2)
        analyze([Order])
    assert settings() == before


@pytest.mark.postgres
def test_it_analyses_the_tables_written_and_no_others():
    started = database_clock()
    load = BulkLoad()
    Competitor.objects.create(external_id="C-1", name="Rival")
    load.wrote(Competitor, Order)
    load.finish()
    analysed = analysed_since(started)
    assert {Competitor._meta.db_table, Order._meta.db_table} <= analysed
    assert Quote._meta.db_table not in analysed


@pytest.mark.postgres
def test_it_analyses_nothing_after_a_load_that_wrote_nothing():
    started = database_clock()
    BulkLoad().finish()
    assert analysed_since(started) == set()
