"""Claiming an alert's notification, and marking it sent only after the send.

Each alert is claimed by inserting its ``NotificationClaim`` row (the primary
key makes a second insert fail) or by taking over a claim older than
``CLAIM_TIMEOUT`` with a conditional UPDATE, so two workers never send the
same alert while a worker killed between claim and send loses nothing: its
claim simply goes stale and another worker takes it. ``Alert.notified_at`` is
set only after the mail backend accepted the message.

The sender itself (who wants which alerts, at once or in a digest, and the
messages) is ``aftersale.notify.sending``, which uses these primitives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from aftersale.alerts.models import Alert
from aftersale.notify.models import NotificationClaim

CLAIM_TIMEOUT = timedelta(minutes=10)
BATCH = 200


@dataclass
class SendResult:
    sent: int = 0  # alerts marked notified
    messages: int = 0
    failed: int = 0  # alerts whose message could not be sent (retried after the timeout)


def claim(alert_id: int, worker_id: str) -> bool:
    """Take the right to notify ``alert_id``; False if another live worker holds it or
    it no longer needs notifying."""
    now = timezone.now()
    taken_over = NotificationClaim.objects.filter(
        alert_id=alert_id, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(claimed_at=now, worker_id=worker_id, attempts=F("attempts") + 1)
    if not taken_over:
        try:
            with transaction.atomic():
                NotificationClaim.objects.create(alert_id=alert_id, worker_id=worker_id, claimed_at=now)
        except IntegrityError:
            return False
    # Checked after claiming: another worker may have sent it and released its claim
    # between our reading the pending list and our claim.
    if Alert.objects.open().filter(pk=alert_id, notified_at__isnull=True).exists():
        return True
    NotificationClaim.objects.filter(alert_id=alert_id, worker_id=worker_id).delete()
    return False


def mark_sent(alert_ids: Iterable[int], worker_id: str) -> int:
    ids = list(alert_ids)
    with transaction.atomic():
        marked = Alert.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=timezone.now())
        NotificationClaim.objects.filter(alert_id__in=ids, worker_id=worker_id).delete()
    return marked


def release_failed(alert_ids: Iterable[int], worker_id: str, error: str) -> None:
    """Keep the claims (so nobody retries at once) and say why; they go stale and are retried."""
    NotificationClaim.objects.filter(alert_id__in=list(alert_ids), worker_id=worker_id).update(
        last_error=error[:2000]
    )
