"""What the worker sends, and how two workers never send it twice.

``send_immediate_alerts(now)`` e-mails every open alert not yet notified
whose owner gets that kind at once, one message per (owner, kind). It claims
alerts with the health engine's claim protocol (``aftersale.notify.claims``:
a claim row per alert, taken over by a conditional UPDATE when stale) and
sets ``Alert.notified_at`` only after the mail backend accepted the message.

``send_due_digests(now)`` sends each owner, once per day from the digest hour
on, the attention list of the kinds they get in the digest. A ``Digest`` row
per (user, day) is the claim, taken over by a conditional UPDATE when stale,
and marked sent only after the send. An owner with nothing to report gets no
e-mail (the row records "nothing to send", so they are not checked again that day).

Both are idempotent and safe to run from any number of workers at once; a
failed send keeps its claim with the error and is retried after the timeout
without stopping anyone else's mail.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from aftersale.alerts.attention import attention_groups
from aftersale.alerts.models import Alert
from aftersale.jobs import worker
from aftersale.notify.claims import BATCH, CLAIM_TIMEOUT, SendResult, claim, mark_sent, release_failed
from aftersale.notify.conf import setting
from aftersale.notify.emails import alerts_message, digest_message
from aftersale.notify.models import Delivery, Digest, DigestState, NotificationClaim
from aftersale.notify.preferences import delivered, kinds_by
from aftersale.staff.models import User

logger = logging.getLogger(__name__)


def _never() -> bool:
    return False


# --- alerts at once ---------------------------------------------------------------------------

def pending_alerts(now: datetime, limit: int = BATCH) -> list[int]:
    """Open, unnotified alerts whose account owner wants their kind at once, with no live claim."""
    live_claim = NotificationClaim.objects.filter(
        alert_id=OuterRef("pk"), claimed_at__gte=now - CLAIM_TIMEOUT
    )
    return list(
        Alert.objects.open()
        .filter(notified_at__isnull=True, account__owner__is_active=True)
        .exclude(account__owner__role="")
        .exclude(account__owner__email="")
        .filter(delivered(Delivery.IMMEDIATE))
        .exclude(Exists(live_claim))
        .order_by("opened_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def send_immediate_alerts(now: datetime | None = None, *, worker_id: str | None = None,
                          should_stop: Callable[[], bool] = _never, batch: int = BATCH) -> SendResult:
    """E-mail every pending immediate alert; stop between messages when ``should_stop()``."""
    worker_id = worker_id or worker.current_id()
    result = SendResult()
    while not should_stop():
        # A failed message keeps its claims, so it is not pending again until they go stale.
        candidates = pending_alerts(now or timezone.now(), batch)
        if not candidates:
            break
        claimed = [pk for pk in candidates if claim(pk, worker_id)]
        groups: dict[tuple[int, str], list[Alert]] = defaultdict(list)
        for alert in (Alert.objects.filter(pk__in=claimed).select_related("account__owner")
                      .order_by("opened_at", "pk")):
            groups[(alert.account.owner_id, alert.kind)].append(alert)
        for (_owner, kind), alerts in groups.items():
            if should_stop():
                return result  # claimed but unsent alerts go stale and are picked up again
            ids = [a.pk for a in alerts]
            owner = alerts[0].account.owner
            try:
                alerts_message(owner, kind, alerts).send()
            except Exception as exc:  # one bad address must not stop everyone else's mail
                logger.exception("sending %d alert(s) to %s failed", len(ids), owner.email)
                release_failed(ids, worker_id, repr(exc))
                result.failed += len(ids)
                continue
            result.sent += mark_sent(ids, worker_id)
            result.messages += 1
    return result


# --- the daily digest ---------------------------------------------------------------------------

def due_owners(now: datetime, limit: int = BATCH) -> list[int]:
    """Staff with open alerts on their accounts and no digest sent, found empty or being
    sent for today, once the local time has reached the digest hour."""
    local = timezone.localtime(now)
    if local.hour < setting("DIGEST_HOUR"):
        return []
    today = Digest.objects.filter(user=OuterRef("pk"), day=local.date())
    handled = today.exclude(state=DigestState.CLAIMED)
    live = today.filter(state=DigestState.CLAIMED, claimed_at__gte=now - CLAIM_TIMEOUT)
    has_alerts = Alert.objects.open().filter(account__owner=OuterRef("pk"))
    return list(
        User.objects.staff().filter(is_active=True).exclude(email="")
        .filter(Exists(has_alerts)).exclude(Exists(handled)).exclude(Exists(live))
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )


def claim_digest(user_id: int, now: datetime, worker_id: str) -> bool:
    day = timezone.localdate(now)
    taken_over = Digest.objects.filter(
        user_id=user_id, day=day, state=DigestState.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(worker_id=worker_id, claimed_at=now, attempts=F("attempts") + 1)
    if taken_over:
        return True
    try:
        with transaction.atomic():
            Digest.objects.create(user_id=user_id, day=day, state=DigestState.CLAIMED, worker_id=worker_id,
                                  claimed_at=now)
    except IntegrityError:
        return False  # another worker has it, or it was already sent today
    return True


def _finish(user_id: int, now: datetime, worker_id: str, state: str, alerts: int) -> bool:
    return bool(Digest.objects.filter(
        user_id=user_id, day=timezone.localdate(now), worker_id=worker_id, state=DigestState.CLAIMED
    ).update(state=state, sent_at=timezone.now() if state == DigestState.SENT else None, alerts=alerts))


def send_digest(user: User, now: datetime, worker_id: str) -> str:
    """Build and send one claimed digest; returns the state it ended in."""
    kinds = kinds_by(user.pk, Delivery.DIGEST)
    alerts = Alert.objects.open().filter(account__owner=user, kind__in=kinds)
    groups, in_hand = attention_groups(alerts)
    if not groups:
        _finish(user.pk, now, worker_id, DigestState.EMPTY, 0)
        return DigestState.EMPTY
    count = sum(len(g.alerts) for g in groups)
    digest_message(user, timezone.localdate(now), groups, in_hand, kinds).send()
    _finish(user.pk, now, worker_id, DigestState.SENT, count)
    return DigestState.SENT


def send_due_digests(now: datetime | None = None, *, worker_id: str | None = None,
                     should_stop: Callable[[], bool] = _never, batch: int = BATCH) -> SendResult:
    """Send today's digest to every owner it is due for (``messages`` counts the e-mails)."""
    worker_id = worker_id or worker.current_id()
    result = SendResult()
    while not should_stop():
        moment = now or timezone.now()
        candidates = due_owners(moment, batch)
        if not candidates:
            break
        for user in User.objects.filter(pk__in=candidates).order_by("pk"):
            if should_stop():
                return result
            if not claim_digest(user.pk, moment, worker_id):
                continue
            try:
                state = send_digest(user, moment, worker_id)
            except Exception as exc:  # kept claimed with the reason; retried after the timeout
                logger.exception("sending the digest to %s failed", user.email)
                Digest.objects.filter(user=user, day=timezone.localdate(moment), worker_id=worker_id).update(
                    last_error=repr(exc)[:2000])
                result.failed += 1
                continue
            if state == DigestState.SENT:
                result.messages += 1
    return result
