"""The guard around long statements: statistics before a long read, a time limit that names the
statement it stopped, and a log of the slow ones."""

from __future__ import annotations

import logging

import pytest
from django.db import connection, transaction

from aftersale.accounts.models import Competitor
from aftersale.commerce.models import Quote
from aftersale.core.bulk import ensure_statistics, stale_tables
from aftersale.core.guard import StatementTimeout, slow_statements_logged, statement_kind, statement_limit
from tests.core.test_bulk import analysed_since, database_clock

pytestmark = pytest.mark.django_db


def one(sql: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def slow_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "aftersale.statements"]


def test_it_logs_every_statement_with_its_kind_when_the_threshold_is_zero(settings, caplog):
    settings.AFTERSALE = {**settings.AFTERSALE, "SLOW_STATEMENT_SECONDS": 0}
    caplog.set_level(logging.WARNING, logger="aftersale.statements")
    with slow_statements_logged():
        with statement_kind("the competitors"):
            Competitor.objects.count()
        Quote.objects.count()
    Competitor.objects.exists()  # after the block: not watched
    lines = slow_lines(caplog)
    assert len(lines) == 2
    assert lines[0].startswith("slow statement: the competitors took ")
    assert "accounts_competitor" in lines[0]
    assert lines[1].startswith("slow statement: unnamed step took ")


def test_it_logs_nothing_faster_than_the_threshold(settings, caplog):
    settings.AFTERSALE = {**settings.AFTERSALE, "SLOW_STATEMENT_SECONDS": 3600}
    caplog.set_level(logging.WARNING, logger="aftersale.statements")
    with slow_statements_logged(), statement_kind("the competitors"):
        Competitor.objects.count()
    assert slow_lines(caplog) == []


def test_it_names_the_innermost_kind_and_restores_the_outer_one():
    from aftersale.core.guard import current_kind

    with statement_kind("outer"):
        with statement_kind("inner"):
            assert current_kind() == "inner"
        assert current_kind() == "outer"
    assert current_kind() == ""


@pytest.mark.postgres
def test_it_cancels_a_statement_over_the_limit_and_names_its_kind():
    with pytest.raises(StatementTimeout) as raised, statement_limit(0.2, "SOME_SETTING"), \
            statement_kind("the sleepy signal"):
        one("SELECT pg_sleep(5)")
    message = str(raised.value)
    assert "the sleepy signal" in message
    assert "0.2 s" in message and "SOME_SETTING" in message
    assert "pg_sleep" in message
    # The limit ended with the block: the caller's transaction keeps its own.
    assert one("SELECT current_setting('statement_timeout')") == "0"


@pytest.mark.postgres
def test_it_rolls_back_what_the_block_wrote_when_a_statement_is_cancelled():
    with pytest.raises(StatementTimeout), statement_limit(0.2, "SOME_SETTING"):
        Competitor.objects.create(external_id="C-1", name="Rival")
        one("SELECT pg_sleep(5)")
    assert not Competitor.objects.exists()


@pytest.mark.postgres
def test_it_leaves_statements_within_the_limit_alone_and_puts_the_callers_limit_back():
    with transaction.atomic():
        one("SELECT set_config('statement_timeout', '7s', true)")
        with statement_limit(30, "SOME_SETTING"):
            assert one("SELECT current_setting('statement_timeout')") == "30s"
            assert one("SELECT pg_sleep(0.05)::text") == ""
        assert one("SELECT current_setting('statement_timeout')") == "7s"


@pytest.mark.postgres
def test_it_analyses_a_table_that_changed_a_lot_since_its_statistics_and_then_trusts_them():
    with connection.cursor() as cursor:  # statistics for both, as of an earlier transaction
        cursor.execute(f"ANALYZE {Competitor._meta.db_table}, {Quote._meta.db_table}")
    assert stale_tables([Competitor, Quote]) == []
    Competitor.objects.bulk_create(
        Competitor(external_id=f"C-{n}", name=f"Rival {n}") for n in range(300)
    )
    # Rows this transaction wrote count: far more than autovacuum waits for on a small table.
    assert stale_tables([Competitor, Quote]) == [Competitor._meta.db_table]
    started = database_clock()
    assert ensure_statistics([Competitor, Quote]) == [Competitor._meta.db_table]
    assert analysed_since(started) == {Competitor._meta.db_table}
    # Analysed in this transaction: the same rows do not make it stale again.
    assert stale_tables([Competitor, Quote]) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner does without statistics")
def test_it_finds_nothing_stale_on_sqlite():
    Competitor.objects.bulk_create(Competitor(external_id=f"C-{n}", name=f"Rival {n}") for n in range(300))
    assert ensure_statistics([Competitor]) == []
