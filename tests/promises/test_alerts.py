from datetime import UTC, date, datetime

import time_machine

from aftersale.alerts import registry
from aftersale.alerts.models import Alert, AlertKind
from aftersale.alerts.texts import render
from aftersale.promises.actions import do_change_status
from aftersale.promises.alerts import promise_overdue
from aftersale.promises.models import Promise, PromiseStatus
from tests.promises.conftest import at, record

FEB_10 = datetime(2026, 2, 10, 3, 0, tzinfo=UTC)


def overdue_alerts():
    return Alert.objects.open().filter(kind=AlertKind.PROMISE_OVERDUE)


def test_it_registers_the_overdue_condition():
    assert registry.registered()[AlertKind.PROMISE_OVERDUE] is promise_overdue


def test_it_opens_one_alert_per_overdue_promise_for_the_owner(promise, account, owner):
    assert registry.evaluate(datetime(2026, 2, 1, 3, 0, tzinfo=UTC))[AlertKind.PROMISE_OVERDUE] == {}
    registry.refresh(FEB_10)
    registry.refresh(FEB_10)
    alert = overdue_alerts().get()
    assert (alert.account, alert.owner, alert.subject) == (account, owner, f"promise:{promise.pk}")
    assert "was due on 02/01/2026 (9 days ago)" in alert.explanation
    assert "Pham Van Cong (Production)" in alert.explanation


def test_it_resolves_the_alert_as_soon_as_the_closing_commits(promise, colleague,
                                                               django_capture_on_commit_callbacks):
    registry.refresh(FEB_10)
    closed_at = datetime(2026, 2, 11, 3, 0, tzinfo=UTC)
    with time_machine.travel(closed_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        do_change_status(
            promise, by=colleague, status=PromiseStatus.LATE, expected_version=1,
            delivered_at=date(2026, 2, 11), evidence="Signed", at=closed_at,
        )
        assert overdue_alerts().exists()  # not before the change is committed
    assert not overdue_alerts().exists()
    assert Alert.objects.get(kind=AlertKind.PROMISE_OVERDUE).resolved_at == closed_at


def test_it_resolves_on_the_next_scan_when_closed_elsewhere(promise):
    registry.refresh(FEB_10)
    # For example a raw SQL fix that goes through no action.
    Promise.objects.filter(pk=promise.pk).update(status="broken", closed_at=date(2026, 2, 12))
    registry.refresh(datetime(2026, 2, 13, 3, 0, tzinfo=UTC))
    assert not overdue_alerts().exists()


def test_it_resolves_when_renegotiated_to_a_later_date(promise, owner, django_capture_on_commit_callbacks):
    registry.refresh(FEB_10)
    with time_machine.travel(FEB_10, tick=False), django_capture_on_commit_callbacks(execute=True):
        do_change_status(
            promise, by=owner, status=PromiseStatus.RENEGOTIATED, expected_version=1,
            new_due_at=date(2026, 3, 1), at=FEB_10,
        )
    assert not overdue_alerts().exists()


def test_it_judges_as_of_the_given_moment(ledger, account):
    # On 30 June three of the account's promises were overdue; the promise
    # delivered on 5 July and the one renegotiated on 1 July among them.
    june = promise_overdue(at(date(2026, 6, 30)), None)
    subjects = {subject for (_, subject) in june}
    assert subjects == {
        f"promise:{ledger[name].pk}" for name in ("overdue", "kept_after", "reneg_after", "supplier")
    }
    july = promise_overdue(at(date(2026, 7, 10)), [account.pk])
    assert {subject for (_, subject) in july} == {
        f"promise:{ledger[name].pk}" for name in ("overdue", "supplier")
    }
    supplier = july[(account.pk, f"promise:{ledger['supplier'].pk}")]
    assert "supplier" in render(AlertKind.PROMISE_OVERDUE, supplier.params).explanation


def test_it_reads_all_accounts_in_one_query(
    account, other_account, owner, colleague, django_assert_num_queries
):
    for target in (account, other_account) * 5:
        record(target, owner, colleague)
    with django_assert_num_queries(1):
        wanted = promise_overdue(FEB_10, None)
    assert len(wanted) == 10
