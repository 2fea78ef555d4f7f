"""Each person chooses, per kind of alert, how it reaches them by e-mail.

Every kind goes to exactly one place: an e-mail at once, the daily digest, or
nowhere (the attention list always shows it). The defaults below apply until
someone changes them; docs/notifications.md explains the choice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from aftersale.alerts.models import AlertKind
from aftersale.notify.models import Delivery, NotificationPreference

# At once: what needs acting on today (a broken service target, a promise just
# made that the owner must check, a score falling). The rest builds up slowly
# and reads best once a day.
DEFAULTS: dict[str, str] = {
    AlertKind.PROMISE_NEW: Delivery.IMMEDIATE,
    AlertKind.SLA_BREACH: Delivery.IMMEDIATE,
    AlertKind.HEALTH_DETERIORATING: Delivery.IMMEDIATE,
    AlertKind.PROMISE_OVERDUE: Delivery.DIGEST,
    AlertKind.MAINTENANCE_OVERDUE: Delivery.DIGEST,
    AlertKind.SILENCE: Delivery.DIGEST,
    AlertKind.QUIET_CUSTOMER: Delivery.DIGEST,
    AlertKind.REVIEW_DUE: Delivery.DIGEST,
    AlertKind.SUPPLIER_SQUEEZED: Delivery.DIGEST,
}


def default_for(kind: str) -> str:
    return DEFAULTS.get(kind, Delivery.DIGEST)


def deliveries(user_id: int) -> dict[str, str]:
    """Every alert kind with how ``user_id`` gets it (their choice, else the default)."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id=user_id).values_list("kind", "delivery")
    )
    return {kind: chosen.get(kind, default_for(kind)) for kind in AlertKind.values}


def kinds_by(user_id: int, delivery: str) -> list[str]:
    return [kind for kind, chosen in deliveries(user_id).items() if chosen == delivery]


def set_deliveries(user_id: int, choices: dict[str, str]) -> None:
    """Store ``kind -> delivery`` for one person (a choice equal to the default is stored too,
    so a later change of the defaults does not change what they chose)."""
    for kind, delivery in choices.items():
        if kind not in AlertKind.values or delivery not in Delivery.values:
            raise ValueError(f"unknown kind or delivery: {kind!r} {delivery!r}")
        NotificationPreference.objects.update_or_create(
            user_id=user_id, kind=kind, defaults={"delivery": delivery}
        )


def delivered(delivery: str, user_field: str = "account__owner") -> Q:
    """Alerts whose recipient (``user_field``) gets their kind by ``delivery``, as one condition
    for a queryset of alerts: a stored choice, else the default of the kind."""
    choice = NotificationPreference.objects.filter(user=OuterRef(user_field), kind=OuterRef("kind"))
    by_default = [kind for kind in AlertKind.values if default_for(kind) == delivery]
    return Exists(choice.filter(delivery=delivery)) | (Q(kind__in=by_default) & ~Exists(choice))


def kinds_in(values: Iterable[str]) -> list[str]:
    return [v for v in values if v in AlertKind.values]
