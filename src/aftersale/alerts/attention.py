"""What needs an owner's action now, grouped by reason: shared by the attention
list page and the e-mail digest.

Only open alerts appear (the scan resolves an alert when its condition stops),
so nothing is listed that needs no action. Acknowledged alerts go to an
"in hand" group rather than vanishing: acknowledging says "I'm on it", it does
not make the condition go away.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.functional import Promise as LazyText
from django.utils.translation import gettext_lazy as _

from aftersale.alerts.models import Alert, AlertKind


@dataclass(frozen=True)
class Reason:
    key: str
    title: LazyText
    kinds: tuple[str, ...]


REASONS = (
    Reason("quiet", _("Gone quiet or silent"), (AlertKind.SILENCE, AlertKind.QUIET_CUSTOMER)),
    Reason("promises", _("Promises overdue"), (AlertKind.PROMISE_OVERDUE,)),
    Reason("service", _("Service targets breached"), (AlertKind.SLA_BREACH,)),
    Reason("maintenance", _("Maintenance overdue"), (AlertKind.MAINTENANCE_OVERDUE,)),
    Reason("reviews", _("Reviews due"), (AlertKind.REVIEW_DUE,)),
    Reason("health", _("Health deteriorating"), (AlertKind.HEALTH_DETERIORATING,)),
    # Suppliers only, and grouped under their own heading so they never pass for customers.
    Reason("suppliers", _("Suppliers squeezed"), (AlertKind.SUPPLIER_SQUEEZED,)),
    Reason("new_promises", _("New promises to take on"), (AlertKind.PROMISE_NEW,)),
)
REASON_OF_KIND = {kind: reason for reason in REASONS for kind in reason.kinds}


@dataclass
class Group:
    reason: Reason
    alerts: list[Alert] = field(default_factory=list)


def attention_groups(alerts: QuerySet[Alert]) -> tuple[list[Group], list[Alert]]:
    """Open alerts grouped by reason (most urgent reasons first), and those in hand."""
    groups = {reason.key: Group(reason) for reason in REASONS}
    in_hand: list[Alert] = []
    for alert in alerts.select_related("account", "owner", "acknowledged_by").order_by("opened_at"):
        if alert.acknowledged_at is not None:
            in_hand.append(alert)
            continue
        reason = REASON_OF_KIND.get(alert.kind)
        if reason is not None:
            groups[reason.key].alerts.append(alert)
    return [group for group in groups.values() if group.alerts], in_hand
