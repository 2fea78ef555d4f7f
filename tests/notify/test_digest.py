"""The daily digest: each owner's attention list, once a day from the digest hour, never empty."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail

from aftersale.alerts.models import Alert, AlertKind
from aftersale.notify.claims import CLAIM_TIMEOUT
from aftersale.notify.models import Delivery, Digest, DigestState
from aftersale.notify.preferences import set_deliveries
from aftersale.notify.sending import claim_digest, send_due_digests
from tests.alerts.examples import overdue as overdue_params
from tests.alerts.examples import silent
from tests.alerts.test_texts import english_left

from .conftest import NOW, open_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def attention(account, owner):
    """Two reasons needing action and one alert already in hand, all digest kinds."""
    quiet = open_alert(account, kind=AlertKind.SILENCE, subject="", params=silent(94))
    overdue = open_alert(account, kind=AlertKind.PROMISE_OVERDUE, subject="promise:7",
                         params=overdue_params("Operator training", days=14))
    in_hand = open_alert(account, kind=AlertKind.REVIEW_DUE, subject="")
    Alert.objects.filter(pk=in_hand.pk).update(acknowledged_at=NOW, acknowledged_by=owner)
    return quiet, overdue, in_hand


def test_it_sends_each_owner_their_attention_list_once_a_day(attention, owner, frozen):
    result = send_due_digests(NOW, worker_id="w1")
    assert (result.messages, result.failed) == (1, 0)
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert message.subject == "Aftersale: 2 things need your attention"
    body = message.body
    assert body.index("Gone quiet or silent") < body.index("Promises overdue")
    assert "Last contact 94 days ago" in body
    assert "“Operator training” was due on 05/20/2026 (14 days ago)" in body
    assert "In hand (acknowledged, still open)" in body and "The last relationship review was on" in body
    assert body.count("/notifications/unsubscribe/") == 3  # one per group and the whole digest
    assert message.extra_headers["Message-ID"] == f"<digest-{owner.pk}-2026-06-15@localhost>"
    digest = Digest.objects.get()
    assert (digest.state, digest.alerts, digest.day.isoformat()) == (DigestState.SENT, 2, "2026-06-15")
    # Later the same day: nothing more.
    assert send_due_digests(NOW + timedelta(hours=6), worker_id="w2").messages == 0
    assert len(mail.outbox) == 1
    # The next morning, again.
    tomorrow = NOW + timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        assert send_due_digests(tomorrow, worker_id="w1").messages == 1


def test_it_sends_nothing_before_the_digest_hour(attention, settings):
    early = NOW - timedelta(hours=2)  # 06:30 in Hanoi
    with time_machine.travel(early, tick=False):
        assert send_due_digests(early, worker_id="w1").messages == 0
    assert mail.outbox == [] and not Digest.objects.exists()
    settings.AFTERSALE = {**settings.AFTERSALE, "NOTIFY": {"DIGEST_HOUR": 6}}
    with time_machine.travel(early, tick=False):
        assert send_due_digests(early, worker_id="w1").messages == 1


def test_it_sends_no_email_when_nothing_needs_the_owner(account, owner, frozen):
    # Only an immediate kind open, and a digest kind already acknowledged.
    open_alert(account, kind=AlertKind.SLA_BREACH)
    acknowledged = open_alert(account, kind=AlertKind.SILENCE, subject="")
    Alert.objects.filter(pk=acknowledged.pk).update(acknowledged_at=NOW)
    assert send_due_digests(NOW, worker_id="w1").messages == 0
    assert mail.outbox == []
    assert Digest.objects.get().state == DigestState.EMPTY


def test_it_leaves_out_kinds_switched_off(attention, owner, frozen):
    set_deliveries(owner.pk, {AlertKind.SILENCE: Delivery.OFF})
    send_due_digests(NOW, worker_id="w1")
    body = mail.outbox[0].body
    assert "94 days ago" not in body and "(14 days ago)" in body
    assert mail.outbox[0].subject == "Aftersale: 1 thing needs your attention"


def test_it_is_written_in_the_owners_language(attention, owner, frozen):
    owner.language = "vi"
    owner.save()
    send_due_digests(NOW, worker_id="w1")
    message = mail.outbox[0]
    assert message.subject == "Aftersale: 2 việc cần anh/chị chú ý"
    assert message.body.startswith("Chào Owner,")
    # Wholly Vietnamese, dates as Vietnamese writes them, the alerts included.
    assert "Danh sách cần chú ý của anh/chị — Ngày 15 tháng 6 năm 2026:" in message.body
    assert "ngày Ngày" not in message.body
    assert "“Operator training” đến hạn ngày 20-05-2026 (đã 14 ngày)" in message.body
    assert "Khách hàng đã im lặng lâu hơn nhịp liên hệ thường lệ của họ." in message.body
    words = re.sub(r"https?://\S+", " ", message.body)
    assert english_left(words, {"what": "Operator training", "who": "Linh Tran"}) == []


def test_it_retries_a_failed_digest_after_the_timeout_and_sends_it_once(attention):
    with time_machine.travel(NOW, tick=False):
        with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")):
            result = send_due_digests(NOW, worker_id="w1")
        assert (result.messages, result.failed) == (0, 1)
        digest = Digest.objects.get()
        assert digest.state == DigestState.CLAIMED and "SMTP down" in digest.last_error
        assert send_due_digests(NOW, worker_id="w1").messages == 0
    later = NOW + CLAIM_TIMEOUT + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert send_due_digests(later, worker_id="w2").messages == 1
    digest.refresh_from_db()
    assert (digest.state, digest.attempts, digest.worker_id) == (DigestState.SENT, 2, "w2")
    assert len(mail.outbox) == 1


def test_it_takes_over_a_digest_claimed_by_a_dead_worker(attention, owner):
    with time_machine.travel(NOW, tick=False):
        assert claim_digest(owner.pk, NOW, "dead") is True
        assert claim_digest(owner.pk, NOW, "w2") is False
        assert send_due_digests(NOW, worker_id="w2").messages == 0
    later = NOW + CLAIM_TIMEOUT + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert send_due_digests(later, worker_id="w2").messages == 1
    assert Digest.objects.get().state == DigestState.SENT
    assert len(mail.outbox) == 1
