"""E-mailing new alerts to their owners: claim, send, and only then mark sent.

Each alert is claimed by inserting its ``NotificationClaim`` row (the primary
key makes a second insert fail) or by taking over a claim older than
``CLAIM_TIMEOUT`` with a conditional UPDATE, so two workers never send the
same alert while a worker killed between claim and send loses nothing: its
claim simply goes stale and another worker takes it. ``Alert.notified_at`` is
set only after the mail backend accepted the message. An owner's claimed
alerts go out in one message in the owner's language.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from aftersale.alerts.models import Alert
from aftersale.health.models import NotificationClaim

logger = logging.getLogger(__name__)

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


def pending(limit: int = BATCH) -> list[int]:
    """Open, unnotified alerts with an owner and no live claim, oldest first."""
    live_claim = NotificationClaim.objects.filter(
        alert_id=OuterRef("pk"), claimed_at__gte=timezone.now() - CLAIM_TIMEOUT
    )
    return list(
        Alert.objects.open()
        .filter(notified_at__isnull=True, owner__isnull=False, owner__is_active=True)
        .exclude(owner__email="")
        .exclude(Exists(live_claim))
        .order_by("opened_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


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


def build_message(alerts: list[Alert]) -> EmailMessage:
    owner = alerts[0].owner
    base = settings.AFTERSALE.get("SITE_URL", "").rstrip("/")
    with translation.override(owner.language):
        context = {
            "owner": owner,
            "alerts": [
                {"alert": a, "url": base + reverse("account_detail", args=[a.account_id])} for a in alerts
            ],
            "count": len(alerts),
        }
        subject = render_to_string("health/email/alerts_subject.txt", context).strip()
        body = render_to_string("health/email/alerts_body.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[owner.email])
    # The same alerts always make the same Message-ID: if a message is ever sent twice
    # (a worker died after sending but before marking), mail clients show it once.
    digest = hashlib.sha256(",".join(str(a.pk) for a in alerts).encode()).hexdigest()[:24]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "aftersale"
    message.extra_headers["Message-ID"] = f"<alerts-{digest}@{domain}>"
    return message


def send_pending(worker_id: str, *, should_stop: Callable[[], bool] = lambda: False,
                 batch: int = BATCH) -> SendResult:
    """Send every pending notification; stop between messages when ``should_stop()``."""
    result = SendResult()
    while not should_stop():
        # A failed message keeps its claims, so it is not pending again until they go stale.
        candidates = pending(batch)
        if not candidates:
            break
        claimed = [pk for pk in candidates if claim(pk, worker_id)]
        by_owner: dict[int, list[Alert]] = defaultdict(list)
        for alert in Alert.objects.filter(pk__in=claimed).select_related("owner", "account").order_by(
            "opened_at", "pk"
        ):
            by_owner[alert.owner_id].append(alert)
        for alerts in by_owner.values():
            if should_stop():
                # Claimed but unsent alerts go stale and are picked up again.
                return result
            ids = [a.pk for a in alerts]
            try:
                build_message(alerts).send()
            except Exception as exc:  # one bad address must not stop everyone else's mail
                logger.exception("sending %d alert(s) to %s failed", len(ids), alerts[0].owner.email)
                release_failed(ids, worker_id, repr(exc))
                result.failed += len(ids)
                continue
            result.sent += mark_sent(ids, worker_id)
            result.messages += 1
    return result
