"""Sending the signals' statements together (``sql.batched``) changes nothing but round trips."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from aftersale.accounts.models import Account
from aftersale.core.sql import batched, run, run_many
from aftersale.engagement.models import InitiatedBy
from aftersale.health.evaluate import (
    NO_DATA,
    compute_signals,
    evaluate,
    find_references,
    load_references,
    make_context,
)
from aftersale.health.models import HealthSnapshot, ScanRun, ScanStatus
from aftersale.health.panel import panel_context

from .conftest import NOW, case, day, days_ago, order, promise, touchpoint, trust_rating

pytestmark = pytest.mark.django_db


def test_it_gives_each_call_its_own_rows_as_if_called_alone():
    calls_made = []

    def two_statements():
        calls_made.append("two")
        return run("SELECT :a", a=1) + run("SELECT :b", b=2)

    def none():
        calls_made.append("none")
        return "no statement"

    results = batched([
        lambda: run("SELECT :x", x=7), two_statements, none, lambda: run("SELECT :x", x=7),
        lambda: run("SELECT :x", x=8),
    ])
    assert [list(r) if isinstance(r, list) else r for r in results] == [
        [(7,)], [(1,), (2,)], "no statement", [(7,)], [(8,)],
    ]
    # Made twice at most: up to its first statement, then with the rows; a call
    # without statements once.
    assert calls_made.count("two") == 2 and calls_made.count("none") == 1


def test_it_returns_each_statements_rows_in_order_from_run_many():
    assert run_many(("SELECT :a", {"a": 1}), ("SELECT :b, :c", {"b": 2, "c": "x"})) == [[(1,)], [(2, "x")]]


def test_it_raises_an_error_in_a_batch_and_leaves_no_batch_behind():
    # A savepoint, so that on PostgreSQL the test's transaction is usable after the error.
    with pytest.raises(DatabaseError), transaction.atomic():
        batched([lambda: run("SELECT :a", a=1), lambda: run("SELECT * FROM no_such_table")])
    assert run("SELECT :a", a=3) == [(3,)]


@pytest.fixture
def accounts(account, other_account, owner, frozen):
    for n in (120, 90, 60, 30, 3):
        order(account, days_ago(n))
        touchpoint(account, days_ago(n + 1), initiated_by=InitiatedBy.CUSTOMER)
        touchpoint(other_account, days_ago(n + 5))
    trust_rating(account, day(10), "4.5")
    promise(account, owner, due=day(5))
    promise(other_account, owner, due=day(-5))
    case(other_account, days_ago(20), is_complaint=True)
    for n, score in ((1, 70.0), (31, 60.0), (62, 50.0)):
        moment = days_ago(n)
        ScanRun.objects.create(as_of=moment, as_of_date=day(n), started_at=moment, finished_at=moment,
                               status=ScanStatus.DONE)
        for a in (account, other_account):
            HealthSnapshot.objects.create(account=a, as_of=day(n), computed_at=moment, score=score,
                                          band="watch", coverage=1.0,
                                          signals={"trust": [0.5, 10.0], "promises_kept": [1.0, 20.0]})
    return [account.pk, other_account.pk]


def test_it_evaluates_a_few_accounts_exactly_as_signal_by_signal(accounts):
    ctx = make_context(NOW)
    health = evaluate(ctx, accounts)
    # The reference: every signal and both reference reads one after the other.
    by_signal = compute_signals(ctx, accounts)
    points, previous = load_references(accounts, find_references(ctx.as_of_date))
    for pk in accounts:
        assert {n: v for n, v in health[pk].values.items() if n in by_signal} == {
            n: found.get(pk, NO_DATA) for n, found in by_signal.items() if n in health[pk].values
        }
        assert health[pk].previous_score == previous[pk][0]
        assert health[pk].previous_contributions == previous[pk][1]
        assert health[pk].trend_change is not None and len(points[pk]) == 2
    # And the same as evaluating each account on its own.
    for pk in accounts:
        alone = evaluate(ctx, [pk])[pk]
        assert (alone.score, alone.band, alone.values, alone.trend) == (
            health[pk].score, health[pk].band, health[pk].values, health[pk].trend)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="round trips: PostgreSQL only")
def test_it_reads_the_health_panel_in_six_round_trips(accounts):
    account = Account.objects.get(pk=accounts[0])
    with CaptureQueriesContext(connection) as ctx:
        panel_context(account)
    # Settings, weights and fits; the account and the scan dates; every signal and the
    # reference scores; the promises as the ledger counts them (its own query: one definition
    # of kept and overdue); the sparkline's snapshots; the latest backtest (the calibrated chance).
    assert len(ctx) == 6, [q["sql"][:200] for q in ctx.captured_queries]
