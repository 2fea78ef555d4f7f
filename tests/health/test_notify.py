"""Alert e-mails: claimed, sent, and marked sent only after the send succeeded."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail

from aftersale.alerts.actions import raise_alert
from aftersale.alerts.models import Alert, AlertKind
from aftersale.health import notify
from aftersale.health.models import NotificationClaim

from .conftest import NOW

pytestmark = pytest.mark.django_db


def open_alert(account, subject="", kind=AlertKind.PROMISE_OVERDUE, text="Promise 7 is overdue"):
    return raise_alert(kind=kind, account=account, subject=subject, explanation=text,
                       action="Call the buyer", at=NOW)


def test_it_mails_each_owner_their_new_alerts_once_and_then_marks_them(account, other_account, owner, frozen):
    first = open_alert(account, "promise:7")
    second = open_alert(account, "promise:8", text="Promise 8 is overdue")
    theirs = open_alert(other_account, "promise:9")
    result = notify.send_pending("w1")
    assert (result.sent, result.messages, result.failed) == (3, 2, 0)
    to_owner = next(m for m in mail.outbox if m.to == [owner.email])
    assert to_owner.subject == "Aftersale: 2 new alerts on your accounts"
    assert "Promise 7 is overdue" in to_owner.body and "Promise 8 is overdue" in to_owner.body
    assert "Suggested action: Call the buyer" in to_owner.body
    assert f"http://127.0.0.1:8000/accounts/{account.pk}/" in to_owner.body
    for alert in (first, second, theirs):
        alert.refresh_from_db()
        assert alert.notified_at == NOW
    assert not NotificationClaim.objects.exists()
    assert notify.send_pending("w1").sent == 0
    assert len(mail.outbox) == 2


def test_it_writes_in_the_owners_language(account, owner, frozen):
    owner.language = "vi"
    owner.save()
    open_alert(account)
    notify.send_pending("w1")
    assert mail.outbox[0].subject == "Aftersale: 1 cảnh báo mới về các khách hàng của bạn"


def test_it_skips_resolved_and_already_notified_alerts(account, frozen):
    resolved = open_alert(account, "a")
    Alert.objects.filter(pk=resolved.pk).update(resolved_at=NOW)
    notified = open_alert(account, "b")
    Alert.objects.filter(pk=notified.pk).update(notified_at=NOW)
    assert notify.send_pending("w1").sent == 0
    assert mail.outbox == []


def test_a_worker_killed_between_claim_and_send_loses_nothing(account):
    with time_machine.travel(NOW, tick=False):
        alert = open_alert(account)
        # The dead worker claimed the alert and never sent it.
        assert notify.claim(alert.pk, "dead-worker") is True
        assert notify.claim(alert.pk, "w2") is False
        assert notify.send_pending("w2").sent == 0
    assert mail.outbox == []
    with time_machine.travel(NOW + notify.CLAIM_TIMEOUT + timedelta(seconds=1), tick=False):
        result = notify.send_pending("w2")
    assert (result.sent, len(mail.outbox)) == (1, 1)
    alert.refresh_from_db()
    assert alert.notified_at is not None
    assert not NotificationClaim.objects.exists()


def test_a_failed_send_is_not_marked_and_is_retried_after_the_timeout(account):
    with time_machine.travel(NOW, tick=False):
        alert = open_alert(account)
        with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")):
            result = notify.send_pending("w1")
        assert (result.sent, result.failed) == (0, 1)
        claim = NotificationClaim.objects.get()
        assert "SMTP down" in claim.last_error
        alert.refresh_from_db()
        assert alert.notified_at is None
        assert notify.send_pending("w1").sent == 0  # not hammered again at once
    with time_machine.travel(NOW + notify.CLAIM_TIMEOUT + timedelta(minutes=1), tick=False):
        assert notify.send_pending("w1").sent == 1
    assert len(mail.outbox) == 1


def test_it_stops_after_the_current_message_when_asked(account, other_account, frozen):
    open_alert(account)
    open_alert(other_account)
    sent_before_stop = []

    def should_stop() -> bool:
        sent_before_stop.append(len(mail.outbox))
        return len(mail.outbox) >= 1

    result = notify.send_pending("w1", should_stop=should_stop)
    assert (result.sent, len(mail.outbox)) == (1, 1)
    assert Alert.objects.filter(notified_at__isnull=True).count() == 1


def test_the_same_alerts_always_make_the_same_message_id(account, frozen):
    alert = open_alert(account)
    first = notify.build_message([alert]).extra_headers["Message-ID"]
    assert first == notify.build_message([alert]).extra_headers["Message-ID"]
    assert first.startswith("<alerts-") and first.endswith("@localhost>")
