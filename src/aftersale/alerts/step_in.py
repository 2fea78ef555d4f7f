"""Step-in alerts (P10): the silence and quiet-customer alerts end with a conversation.

"The seller must step in if he has not heard from the customer for a long
time." Those alerts close only when a *two-way* contact with the account is
logged after the alert opened: a visit, a meeting, a call or a video call,
whoever started it. An e-mail is one-way (it may never be read), and clicking
"I'm on it" only says someone means to act, so neither closes them.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.alerts.models import Alert
from aftersale.engagement.models import Touchpoint, TouchpointKind

#: Touchpoints in which both sides speak.
TWO_WAY_KINDS: tuple[str, ...] = (
    TouchpointKind.VISIT, TouchpointKind.MEETING, TouchpointKind.CALL, TouchpointKind.VIDEO,
)


class StepInRequired(Exception):
    """Raised when someone tries to acknowledge or dismiss a step-in alert."""

    def __init__(self, alert: Alert) -> None:
        self.alert = alert
        super().__init__(step_in_message())


def step_in_message() -> str:
    return _(
        "This alert cannot be dismissed: it closes by itself once a visit, meeting or call "
        "with the customer is logged after it opened."
    )


def last_two_way_contacts(alerts: QuerySet[Alert], at: datetime) -> dict[int, datetime]:
    """One query: the latest two-way touchpoint up to ``at`` of each account with one of ``alerts``."""
    return dict(
        Touchpoint.objects.filter(
            account_id__in=Subquery(alerts.values("account_id")), kind__in=TWO_WAY_KINDS, occurred_at__lte=at,
        ).order_by().values("account_id").annotate(last=Max("occurred_at")).values_list("account_id", "last")
    )


def check_can_acknowledge(alert: Alert) -> None:
    if alert.needs_step_in:
        raise StepInRequired(alert)


def do_acknowledge_alert(alert: Alert, user: object, at: datetime | None = None) -> bool:
    """Mark an open alert "in hand" ("I'm on it"); refused for step-in alerts. Acknowledging
    twice keeps the first acknowledgement; returns whether this call recorded it."""
    check_can_acknowledge(alert)
    return bool(Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=at or timezone.now(), acknowledged_by=user,
    ))
