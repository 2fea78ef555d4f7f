"""Once against a real SMTP server (aiosmtpd on 127.0.0.1), configured through EMAIL_URL."""

from __future__ import annotations

import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import override_settings

from aftersale import config
from aftersale.alerts.models import AlertKind
from aftersale.notify.sending import send_due_digests, send_immediate_alerts
from tests.alerts.examples import overdue

from .conftest import NOW, open_alert

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(**config.email(f"smtp://127.0.0.1:{port}?timeout=5")):
            yield inbox
    finally:
        controller.stop()


def test_it_sends_digests_and_alerts_through_a_real_smtp_server(smtp_server, account, owner, frozen):
    mail.outbox = []
    open_alert(account, kind=AlertKind.PROMISE_OVERDUE, subject="promise:7",
               params=overdue("Lắp đặt máy ép", days=14))
    open_alert(account, kind=AlertKind.SLA_BREACH)
    assert send_immediate_alerts(NOW, worker_id="w1").messages == 1
    assert send_due_digests(NOW, worker_id="w1").messages == 1
    assert mail.outbox == []  # really sent over SMTP, not kept in memory
    received = [email.message_from_bytes(e.original_content, policy=default_policy)
                for e in smtp_server.envelopes]
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [[owner.email], [owner.email]]
    alert, digest = received
    # (Long non-ASCII headers are folded before their first encoded word.)
    assert alert["Subject"].strip() == "Aftersale: Service target breached – Công ty Cơ khí Hà Nội"
    assert digest["Subject"].strip() == "Aftersale: 1 thing needs your attention"
    assert "“Lắp đặt máy ép” was due on 05/20/2026 (14 days ago)" in digest.get_content()
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert digest["Message-ID"] == f"<digest-{owner.pk}-2026-06-15@localhost>"
