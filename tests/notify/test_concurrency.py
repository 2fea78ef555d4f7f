"""Two workers sending at once on PostgreSQL: every alert and digest goes out exactly once.
(SQLite serialises writers, so these run on PostgreSQL only.)"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.alerts.actions import raise_alert
from aftersale.alerts.models import Alert, AlertKind
from aftersale.notify.models import Digest, DigestState
from aftersale.notify.sending import send_due_digests, send_immediate_alerts
from aftersale.staff.models import User
from tests.alerts.examples import EXAMPLES, silent
from tests.concurrency import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (several connections writing at once)")


@pytest.fixture
def owners() -> list[User]:
    return [User.objects.create_user(email=f"owner{i}@vendor.test", name=f"Owner {i}", department="sales",
                                     role="member") for i in range(6)]


@pytest.fixture
def portfolio(owners) -> list[Account]:
    return [Account.objects.create(external_id=f"PG-{i}", name=f"Account {i}", owner=owners[i % len(owners)])
            for i in range(12)]


def test_it_never_lets_two_workers_send_the_same_alert_twice(portfolio):
    now = timezone.now()
    for account in portfolio:
        for n in range(3):
            raise_alert(kind=AlertKind.SLA_BREACH, account=account, subject=f"case:{n}",
                        params={**EXAMPLES[AlertKind.SLA_BREACH],
                                "title": f"alert {account.external_id}/{n}"},
                        at=now)
    results = at_once(2, lambda i: send_immediate_alerts(now, worker_id=f"worker-{i}", batch=4))
    assert sum(r.sent for r in results) == 36
    mentions = Counter(
        line.strip() for message in mail.outbox for line in message.body.splitlines()
        if line.strip().startswith("Repair case “alert PG-")
    )
    assert len(mentions) == 36 and set(mentions.values()) == {1}
    assert not Alert.objects.filter(notified_at__isnull=True).exists()


def test_it_sends_each_digest_once_with_two_workers(portfolio, owners):
    now = timezone.now().replace(hour=5)  # noon in Hanoi, after the digest hour
    for account in portfolio:
        raise_alert(kind=AlertKind.SILENCE, account=account, params=silent(), at=now)
    results = at_once(2, lambda i: send_due_digests(now, worker_id=f"worker-{i}", batch=2))
    assert sum(r.messages for r in results) == len(owners)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in owners)
    assert Digest.objects.filter(state=DigestState.SENT).count() == len(owners)
