from datetime import UTC, datetime

from aftersale.alerts.actions import Condition, reconcile_alerts
from aftersale.alerts.models import Alert
from tests.alerts.examples import overdue

T1 = datetime(2026, 3, 1, tzinfo=UTC)
T2 = datetime(2026, 3, 2, tzinfo=UTC)


def test_it_opens_each_wanted_alert_once_for_the_account_owner(account, owner):
    wanted = {(account.pk, "promise:1"): Condition(overdue())}
    first = reconcile_alerts(kind="promise_overdue", wanted=wanted, at=T1)
    second = reconcile_alerts(kind="promise_overdue", wanted=wanted, at=T2)
    assert (first.opened, second.opened) == (1, 0)
    alert = Alert.objects.get()
    assert alert.owner == owner
    assert alert.opened_at == T1
    assert alert.params == overdue()
    assert alert.action == "Get it delivered, or agree a new date with the customer and record it."


def test_it_resolves_alerts_whose_condition_stopped(account):
    wanted = {(account.pk, ""): Condition(overdue())}
    reconcile_alerts(kind="promise_overdue", wanted=wanted, at=T1)
    result = reconcile_alerts(kind="promise_overdue", wanted={}, at=T2)
    assert result.resolved == 1
    assert Alert.objects.get().resolved_at == T2
    # The condition returns: a new alert opens, the old one stays resolved.
    reconcile_alerts(kind="promise_overdue", wanted=wanted, at=T2)
    assert Alert.objects.open().count() == 1
    assert Alert.objects.count() == 2


def test_it_leaves_other_accounts_alone_when_limited(account, other_account):
    wanted = {(account.pk, ""): Condition(overdue("x")), (other_account.pk, ""): Condition(overdue("y"))}
    reconcile_alerts(kind="promise_overdue", wanted=wanted, at=T1)
    reconcile_alerts(kind="promise_overdue", wanted={}, at=T2, account_ids=[account.pk])
    assert list(Alert.objects.open().values_list("account_id", flat=True)) == [other_account.pk]
