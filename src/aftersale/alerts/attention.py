"""What needs an owner's action now, grouped by reason: shared by the attention
list page and the e-mail digest.

Only open alerts appear (the scan resolves an alert when its condition stops),
so nothing is listed that needs no action. Acknowledged alerts go to an
"in hand" group rather than vanishing: acknowledging says "I'm on it", it does
not make the condition go away.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, QuerySet
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
    loading and rendering them all is slow, and nobody works through them on one page.
    """
    groups = {reason.key: Group(reason) for reason in REASONS}
    if limit is None:
        in_hand = _sort_into(groups, alerts)
        for group in groups.values():
            group.total = len(group.alerts)
        return Attention([g for g in groups.values() if g.alerts], in_hand, len(in_hand), None)

    # Two counts, so that each reads one partial index of open alerts (waiting by kind, in
    # hand) rather than every open alert's row.
    waiting = alerts.filter(acknowledged_at__isnull=True).order_by().values("kind").annotate(n=Count("pk"))
    kinds = []
    for row in waiting:
        reason = REASON_OF_KIND.get(row["kind"])
        if reason is not None:
            groups[reason.key].total += row["n"]
            kinds.append(row["kind"])
    held = alerts.filter(acknowledged_at__isnull=False).count()
    total = sum(g.total for g in groups.values()) + held
    parts = [alerts.filter(kind=kind, acknowledged_at__isnull=True) for kind in sorted(kinds)]
    if held:
        parts.append(alerts.filter(acknowledged_at__isnull=False))
    if total <= limit * len(parts):
        # Few enough (an owner's own list): read them all at once, rather than look the
        # owner's accounts up again for each part.
        in_hand = _sort_into(groups, alerts.only(*PAGE_FIELDS))
    else:
        # The oldest ``limit`` of each kind waiting, and of all those in hand: each part reads
        # its rows in order from the partial indexes and stops (numbering every open alert
        # in order took most of a manager's page over a large portfolio).
        chosen = first_of_each(parts, limit)
        in_hand = _sort_into(groups, Alert.objects.filter(pk__in=chosen).only(*PAGE_FIELDS))
    for group in groups.values():
        # A reason of several kinds got up to ``limit`` of each: keep the oldest ``limit``.
        del group.alerts[limit:]
    return Attention([g for g in groups.values() if g.alerts], in_hand[:limit], held, limit)


# What the attention page shows of each alert, its account and people (the full rows, with
# every date parsed, were a fair part of a manager's page).
PAGE_FIELDS = (
    "kind", "account__name", "account__kind", "subject", "owner__name", "owner__email",
    "params", "stored_explanation", "stored_action", "opened_at", "acknowledged_at", "acknowledged_by__name",
    "acknowledged_by__email",
)


def _sort_into(groups: dict[str, Group], alerts: QuerySet[Alert]) -> list[Alert]:
    """Put each alert, oldest first, in its reason's group; return those in hand."""
    in_hand: list[Alert] = []
    for alert in alerts.select_related("account", "owner", "acknowledged_by").order_by("opened_at", "pk"):
        if alert.acknowledged_at is not None:
            in_hand.append(alert)
        elif (reason := REASON_OF_KIND.get(alert.kind)) is not None:
            groups[reason.key].alerts.append(alert)
    return in_hand


def first_of_each(parts: list[QuerySet[Alert]], limit: int) -> list[int]:
    """The ids of the oldest ``limit`` alerts of each queryset, in one query.

    A UNION ALL of ordered, limited selects, each wrapped as a derived table: Django's
    ``union()`` refuses sliced parts on SQLite, which allows them only in a subquery.
    """
    if not parts:
        return []
    using = parts[0].db
    selects, params = [], []
    for i, part in enumerate(parts):
        query = part.order_by("opened_at", "pk").values_list("pk", flat=True)[:limit].query
        sql, part_params = query.get_compiler(using=using).as_sql()
        selects.append(f"SELECT * FROM ({sql}) AS part{i}")  # noqa: S608 - compiled SQL only
        params.extend(part_params)
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        return [pk for (pk,) in cursor.fetchall()]
