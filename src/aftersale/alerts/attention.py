"""What needs an owner's action now, grouped by reason: shared by the attention
list page and the e-mail digest.

Only open alerts appear (the scan resolves an alert when its condition stops),
so nothing is listed that needs no action. Acknowledged alerts go to an
"in hand" group rather than vanishing: acknowledging says "I'm on it", it does
not make the condition go away.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
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
    total: int = 0  # every open alert of the reason; more than len(alerts) when the list is cut

    @property
    def more(self) -> int:
        return self.total - len(self.alerts)


@dataclass
class Attention:
    """The attention list as a page shows it: at most ``limit`` alerts of each group."""

    groups: list[Group]
    in_hand: list[Alert]
    in_hand_total: int
    limit: int | None


def attention_groups(alerts: QuerySet[Alert]) -> tuple[list[Group], list[Alert]]:
    """Open alerts grouped by reason (most urgent reasons first), and those in hand."""
    found = attention(alerts)
    return found.groups, found.in_hand


def attention(alerts: QuerySet[Alert], *, limit: int | None = None) -> Attention:
    """Open alerts grouped by reason, the oldest first; with ``limit``, at most that many
    of each group (and of those in hand) are loaded, and the totals come from one count.

    A manager's list over a large portfolio can hold tens of thousands of open alerts;
    loading and rendering them all took seconds, and nobody works through them on one page.
    """
    groups = {reason.key: Group(reason) for reason in REASONS}
    in_hand: list[Alert] = []
    rows = alerts.select_related("account", "owner", "acknowledged_by").order_by("opened_at", "pk")
    if limit is not None:
        # Numbered within each kind (all alerts in hand together), oldest first, on the
        # alert rows alone; only the chosen few are then read with their account and people
        # (joining first made the database join every open alert).
        part = Case(When(acknowledged_at__isnull=False, then=Value("")), default=F("kind"))
        chosen = list(
            alerts.order_by().annotate(
                place=Window(RowNumber(), partition_by=[part], order_by=[F("opened_at").asc(), F("pk").asc()])
            ).filter(place__lte=limit).values_list("pk", flat=True)
        )
        rows = rows.model.objects.filter(pk__in=chosen).select_related(
            "account", "owner", "acknowledged_by"
        ).order_by("opened_at", "pk")
    for alert in rows:
        if alert.acknowledged_at is not None:
            in_hand.append(alert)
            continue
        reason = REASON_OF_KIND.get(alert.kind)
        if reason is not None:
            groups[reason.key].alerts.append(alert)
    if limit is None:
        for group in groups.values():
            group.total = len(group.alerts)
        return Attention([g for g in groups.values() if g.alerts], in_hand, len(in_hand), None)
    counts = alerts.order_by().values("kind").annotate(
        waiting=Count("pk", filter=Q(acknowledged_at__isnull=True)),
        held=Count("pk", filter=Q(acknowledged_at__isnull=False)),
    )
    held = 0
    for row in counts:
        held += row["held"]
        reason = REASON_OF_KIND.get(row["kind"])
        if reason is not None:
            groups[reason.key].total += row["waiting"]
    for group in groups.values():
        # A reason of several kinds got up to ``limit`` of each: keep the oldest ``limit``.
        del group.alerts[limit:]
    return Attention([g for g in groups.values() if g.alerts], in_hand[:limit], held, limit)
