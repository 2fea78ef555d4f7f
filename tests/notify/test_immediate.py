"""Alerts e-mailed at once: only the kinds each owner chose, claimed, marked sent after the send."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail

from aftersale.alerts.models import Alert, AlertKind
from aftersale.notify.claims import CLAIM_TIMEOUT, claim
from aftersale.notify.models import Delivery, NotificationClaim
from aftersale.notify.preferences import set_deliveries
from aftersale.notify.sending import send_immediate_alerts
from tests.alerts.examples import EXAMPLES
from tests.alerts.test_texts import english_left

from .conftest import NOW, open_alert

pytestmark = pytest.mark.django_db


def test_it_mails_each_owner_their_new_alerts_of_each_kind_once(account, other_account, owner, colleague,
                                                                frozen):
    first = open_alert(account, subject="case:1")
    second = open_alert(account, subject="case:2",
                        params={**EXAMPLES[AlertKind.SLA_BREACH], "case": 2, "title": "Dryer noise"})
    new_promise = open_alert(account, kind=AlertKind.PROMISE_NEW, subject="promise:4")
    theirs = open_alert(other_account, subject="case:3")
    result = send_immediate_alerts(NOW, worker_id="w1")
    assert (result.sent, result.messages, result.failed) == (4, 3, 0)
    to_owner = sorted((m for m in mail.outbox if m.to == [owner.email]), key=lambda m: m.subject)
    assert [m.subject for m in to_owner] == [
        "Aftersale: 2 new alerts – Service target breached",
        "Aftersale: New promise – Công ty Cơ khí Hà Nội",
    ]
    body = to_owner[0].body
    assert "Repair case “Press 2 down” (Critical) missed its target" in body
    assert "Repair case “Dryer noise” (Critical) missed its target" in body
    assert "Suggested action: Call the customer, agree when it will be fixed" in body
    assert f"http://127.0.0.1:8000/accounts/{account.pk}/" in body
    for alert in (first, second, new_promise, theirs):
        alert.refresh_from_db()
        assert alert.notified_at == NOW
    assert not NotificationClaim.objects.exists()
    assert send_immediate_alerts(NOW, worker_id="w1").sent == 0
    assert len(mail.outbox) == 3


def test_it_does_not_mail_at_once_kinds_left_to_the_digest_or_switched_off(account, owner, frozen):
    overdue = open_alert(account, kind=AlertKind.PROMISE_OVERDUE, subject="promise:1")
    set_deliveries(owner.pk, {AlertKind.SLA_BREACH: Delivery.OFF})
    breach = open_alert(account, kind=AlertKind.SLA_BREACH)
    assert send_immediate_alerts(NOW, worker_id="w1").sent == 0
    assert mail.outbox == []
    for alert in (overdue, breach):
        alert.refresh_from_db()
        assert alert.notified_at is None
    # Choosing "at once" for a kind sends its open alerts not yet e-mailed.
    set_deliveries(owner.pk, {AlertKind.PROMISE_OVERDUE: Delivery.IMMEDIATE})
    assert send_immediate_alerts(NOW, worker_id="w1").sent == 1
    assert "Promise overdue" in mail.outbox[0].subject


def test_it_writes_in_the_owners_language_with_one_click_unsubscribe(account, owner, frozen):
    owner.language = "vi"
    owner.save()
    open_alert(account)
    send_immediate_alerts(NOW, worker_id="w1")
    message = mail.outbox[0]
    assert message.subject == "Aftersale: Quá thời hạn mục tiêu dịch vụ – Công ty Cơ khí Hà Nội"
    assert message.body.startswith("Chào Owner,")
    # The alert itself in Vietnamese, its due times as Vietnamese writes them.
    assert ("Yêu cầu Sửa chữa “Press 2 down” (mức Khẩn cấp) đã quá thời hạn mục tiêu: hạn phản hồi đầu "
            "tiên là 09:30 20-05-2026; hạn xử lý xong là 17:00 21-05-2026.") in message.body
    words = re.sub(r"https?://\S+", " ", message.body)
    assert english_left(words, EXAMPLES[AlertKind.SLA_BREACH]) == []
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body


def test_it_goes_to_the_accounts_current_owner(account, owner, colleague, frozen):
    open_alert(account)
    account.owner = colleague
    account.save()
    send_immediate_alerts(NOW, worker_id="w1")
    assert [m.to for m in mail.outbox] == [[colleague.email]]


def test_it_sends_nothing_to_owners_who_left(account, owner, frozen):
    open_alert(account)
    owner.is_active = False
    owner.save()
    assert send_immediate_alerts(NOW, worker_id="w1").sent == 0
    assert mail.outbox == []


def test_it_loses_nothing_when_a_worker_is_killed_between_claim_and_send(account):
    with time_machine.travel(NOW, tick=False):
        alert = open_alert(account)
        assert claim(alert.pk, "dead-worker") is True  # ... and it never sent
        assert claim(alert.pk, "w2") is False
        assert send_immediate_alerts(NOW, worker_id="w2").sent == 0
    assert mail.outbox == []
    later = NOW + CLAIM_TIMEOUT + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        result = send_immediate_alerts(later, worker_id="w2")
    assert (result.sent, len(mail.outbox)) == (1, 1)
    alert.refresh_from_db()
    assert alert.notified_at is not None
    assert not NotificationClaim.objects.exists()


def test_it_does_not_mark_a_failed_send_and_retries_it_after_the_timeout(account):
    with time_machine.travel(NOW, tick=False):
        alert = open_alert(account)
        with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")):
            result = send_immediate_alerts(NOW, worker_id="w1")
        assert (result.sent, result.failed) == (0, 1)
        assert "SMTP down" in NotificationClaim.objects.get().last_error
        alert.refresh_from_db()
        assert alert.notified_at is None
        assert send_immediate_alerts(NOW, worker_id="w1").sent == 0  # not hammered again at once
    later = NOW + CLAIM_TIMEOUT + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert send_immediate_alerts(later, worker_id="w1").sent == 1
    assert len(mail.outbox) == 1


def test_it_stops_after_the_current_message_when_asked(account, other_account, frozen):
    open_alert(account)
    open_alert(other_account)
    result = send_immediate_alerts(NOW, worker_id="w1", should_stop=lambda: len(mail.outbox) >= 1)
    assert (result.sent, len(mail.outbox)) == (1, 1)
    assert Alert.objects.filter(notified_at__isnull=True).count() == 1


def test_it_always_makes_the_same_message_id_from_the_same_alerts(account, owner, frozen):
    from aftersale.notify.emails import alerts_message

    alert = open_alert(account)
    first = alerts_message(owner, alert.kind, [alert]).extra_headers["Message-ID"]
    assert first == alerts_message(owner, alert.kind, [alert]).extra_headers["Message-ID"]
    assert first.startswith("<alerts-") and first.endswith("@localhost>")
