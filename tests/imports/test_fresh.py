"""An import rescores every account it touched in one pass after it commits, and closes the
alerts it settles, without a scan (issue 18)."""

from __future__ import annotations

import time_machine

from aftersale.health import scan
from tests.fresh import NOW, assert_rescored_now, open_subjects, overdue_promise, resolved_now, scanned_before
from tests.imports.conftest import run_import

HEADER = ("external_id,account,made_at,made_by_email,made_by_department,stage,description,due_at,"
          "delivery_owner_email,delivery_department,status,closed_at\n")


def closing_rows(*promises) -> str:
    return HEADER + "".join(
        f"{p.external_id},{p.account.external_id},2026-01-05,{p.made_by.email},sales,sale,"
        f"{p.description},2026-02-01,{p.delivery_owner.email},production,broken,2026-03-19\n"
        for p in promises
    )


def test_it_closes_the_alerts_of_every_account_touched_in_one_refresh(
    account, other_account, owner, colleague, monkeypatch, django_capture_on_commit_callbacks
):
    ours, theirs = overdue_promise(account, owner), overdue_promise(other_account, colleague)
    scanned_before(account, other_account)
    assert open_subjects(account, "promise_overdue") and open_subjects(other_account, "promise_overdue")
    evaluated: list[list[int]] = []
    evaluate = scan.evaluate

    def spy(ctx, scope):
        evaluated.append(sorted(scope))
        return evaluate(ctx, scope)

    monkeypatch.setattr(scan, "evaluate", spy)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        result = run_import("promises", closing_rows(ours, theirs))
        assert result.ok and result.updated == 2, [str(p) for p in result.problems]
        assert evaluated == []  # not before the import commits
    assert evaluated == [sorted([account.pk, other_account.pk])]
    for account_, promise in ((account, ours), (other_account, theirs)):
        assert open_subjects(account_, "promise_overdue") == []
        assert resolved_now(account_, "promise_overdue", f"promise:{promise.pk}")
        with time_machine.travel(NOW, tick=False):
            assert_rescored_now(account_)


def test_it_refreshes_nothing_after_a_dry_run_or_a_refused_file(
    account, owner, django_capture_on_commit_callbacks
):
    promise = overdue_promise(account, owner)
    scanned_before(account)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert run_import("promises", closing_rows(promise), dry_run=True).ok
        assert not run_import("promises", closing_rows(promise).replace("2026-03-19", "someday")).ok
    assert callbacks == []
    assert open_subjects(account, "promise_overdue") == [f"promise:{promise.pk}"]
