from datetime import UTC, datetime

from django.contrib.auth.models import AnonymousUser

from aftersale.alerts.actions import Condition, reconcile_alerts
from aftersale.alerts.models import Alert, AlertKind
from tests.alerts.examples import silent
from tests.conftest import make_user

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def test_it_shows_staff_every_alert_and_nobody_else_any(owner, manager, account, other_account, contact):
    reconcile_alerts(kind=AlertKind.SILENCE, at=NOW, wanted={
        (account.pk, ""): Condition(silent()), (other_account.pk, ""): Condition(silent()),
    })
    everything = set(Alert.objects.values_list("pk", flat=True))
    assert len(everything) == 2
    for staff in (owner, manager):
        assert set(Alert.objects.restrict(staff).values_list("pk", flat=True)) == everything
    # A portal contact, someone without a role and an anonymous visitor: none, not even their own
    # company's (alerts are internal).
    nobody = make_user("plain@vendor.test", "No Role")
    for user in (contact.user, nobody, AnonymousUser()):
        assert not Alert.objects.restrict(user).exists()
    inactive = make_user("left@vendor.test", "Left", owner.department, owner.role)
    inactive.is_active = False
    inactive.save()
    assert not Alert.objects.restrict(inactive).exists()
