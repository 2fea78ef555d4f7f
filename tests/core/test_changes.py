"""core.changes: the accounts a transaction changed reach the handlers once, after commit."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from aftersale.core import changes
from aftersale.core.changes import account_changed
from aftersale.health.scan import refresh_accounts


class Boom(Exception):
    pass


@pytest.fixture
def heard(monkeypatch) -> list[list[int]]:
    """The calls a recording handler receives, in place of the engine's."""
    calls: list[list[int]] = []
    monkeypatch.setattr(changes, "_handlers", [calls.append])
    return calls


def test_it_subscribes_the_engine_refresh_as_the_one_handler():
    assert changes.subscribers() == [refresh_accounts]


def test_it_hands_each_account_over_once_after_the_commit(db, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        account_changed(7)
        with transaction.atomic():
            account_changed(3, 7, None)
        account_changed(3)
        assert heard == []  # nothing before the commit
    assert heard == [[3, 7]]


def test_it_hands_nothing_over_when_the_transaction_rolls_back(db, heard, django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom),
          transaction.atomic()):
        account_changed(5)
        raise Boom
    assert (heard, callbacks) == ([], [])


def test_it_keeps_the_changes_that_survive_a_rolled_back_savepoint(db, heard,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(Boom), transaction.atomic():
            account_changed(1)
            raise Boom
        account_changed(2)
    assert heard == [[2]]


def test_it_hands_over_a_change_made_after_an_inner_savepoint_was_released(
    db, heard, django_capture_on_commit_callbacks
):
    # The first registration lives in a released savepoint: a change made after it, in
    # the enclosing transaction, still reaches the handler, together with the first.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with transaction.atomic():
            account_changed(1)
        account_changed(2)
    assert heard == [[1, 2]]


@pytest.mark.django_db(transaction=True)
def test_it_runs_at_once_outside_a_transaction_and_once_per_real_commit(heard):
    account_changed(4)
    assert heard == [[4]]
    with transaction.atomic():
        account_changed(9, 8)
        account_changed(8)
        assert heard == [[4]]
    assert heard == [[4], [8, 9]]
    with pytest.raises(Boom), transaction.atomic():
        account_changed(6)
        raise Boom
    assert heard == [[4], [8, 9]]


def test_it_logs_a_failing_handler_and_still_runs_the_others(db, monkeypatch, caplog,
                                                             django_capture_on_commit_callbacks):
    calls: list[list[int]] = []

    def broken(ids: list[int]) -> None:
        raise RuntimeError("the engine is down")

    monkeypatch.setattr(changes, "_handlers", [broken, calls.append])
    with (caplog.at_level(logging.ERROR, logger="aftersale.core.changes"),
          django_capture_on_commit_callbacks(execute=True), transaction.atomic()):
        account_changed(11)
    assert calls == [[11]]
    assert "the engine is down" in caplog.text and "failed" in caplog.text
