"""The alert-notification claim: one worker per alert, taken over when stale, released after the send.

(The sending itself, with each person's choices, is tested in tests/notify.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from aftersale.alerts.actions import raise_alert
from aftersale.alerts.models import Alert, AlertKind
from aftersale.notify import claims as notify
from aftersale.notify.models import NotificationClaim
from tests.alerts.examples import overdue

from .conftest import NOW

pytestmark = pytest.mark.django_db


def open_alert(account, subject="promise:7"):
    return raise_alert(kind=AlertKind.PROMISE_OVERDUE, account=account, subject=subject,
                       params=overdue(), at=NOW)


def test_it_lets_one_worker_hold_a_claim_until_it_goes_stale(account):
    with time_machine.travel(NOW, tick=False):
        alert = open_alert(account)
        assert notify.claim(alert.pk, "w1") is True
        assert notify.claim(alert.pk, "w2") is False
    with time_machine.travel(NOW + notify.CLAIM_TIMEOUT + timedelta(seconds=1), tick=False):
        assert notify.claim(alert.pk, "w2") is True
    claim = NotificationClaim.objects.get()
    assert (claim.worker_id, claim.attempts) == ("w2", 2)


def test_it_sets_notified_and_releases_the_claim_when_marking_sent(account, frozen):
    alert = open_alert(account)
    notify.claim(alert.pk, "w1")
    assert notify.mark_sent([alert.pk], "w1") == 1
    alert.refresh_from_db()
    assert alert.notified_at == NOW
    assert not NotificationClaim.objects.exists()
    assert notify.claim(alert.pk, "w1") is False  # nothing left to notify
    assert not NotificationClaim.objects.exists()


def test_it_does_not_claim_resolved_alerts(account, frozen):
    alert = open_alert(account)
    Alert.objects.filter(pk=alert.pk).update(resolved_at=NOW)
    assert notify.claim(alert.pk, "w1") is False


def test_it_keeps_the_claim_with_the_reason_after_a_failed_send(account, frozen):
    alert = open_alert(account)
    notify.claim(alert.pk, "w1")
    notify.release_failed([alert.pk], "w1", "OSError('SMTP down')")
    assert "SMTP down" in NotificationClaim.objects.get().last_error
    assert notify.claim(alert.pk, "w2") is False
