"""The service alert conditions the health scan evaluates (registered in ``apps.py``).

Both follow the registry's contract: ``fn(as_of, account_ids) -> {(account_id, subject): Condition}``,
a fixed number of queries for any number of accounts, nothing after ``as_of`` counted.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.alerts.actions import Condition, Key
from aftersale.service.clock import CaseClock
from aftersale.service.maintenance import visits
from aftersale.service.models import CaseKind, ServiceCase, Severity
from aftersale.service.targets import clocks_for

MAINTENANCE_OVERDUE = "maintenance_overdue"
SLA_BREACH = "sla_breach"


def open_cases_as_of(as_of: datetime, account_ids: list[int] | None = None) -> list[ServiceCase]:
    """Cases that may have been open at ``as_of`` (the clock decides from their history)."""
    cases = ServiceCase.objects.filter(opened_at__lte=as_of).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=as_of),
        Q(closed_at__isnull=True) | Q(closed_at__gt=as_of),
    )
    if account_ids is not None:
        cases = cases.filter(account_id__in=list(account_ids))
    # Only what the clock and the alert text need: the scan reads every open case.
    return list(cases.order_by().only(
        "pk", "account_id", "kind", "severity", "status", "title", "opened_at", "first_response_at",
        "resolved_at", "closed_at", "response_target_hours", "resolution_target_hours",
    ))


def _local(moment: datetime) -> str:
    return moment.astimezone(timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


class _Texts:
    """The alert texts in the active language, translated once per evaluation rather than per case."""

    def __init__(self) -> None:
        self.kinds = {value: str(label) for value, label in CaseKind.choices}
        self.severities = {value: str(label) for value, label in Severity.choices}
        self.response = _("first response was due %(due)s")
        self.resolution = _("resolution was due %(due)s")
        self.explanation = _("%(kind)s case “%(title)s” (%(severity)s) missed its target: %(missed)s.")
        self.action = _("Call the customer, agree when it will be fixed, and escalate within service.")


def breach_explanation(case: ServiceCase, clock: CaseClock, texts: _Texts | None = None) -> str:
    texts = texts or _Texts()
    missed = []
    if clock.response is not None and clock.response.breached:
        missed.append(texts.response % {"due": _local(clock.response.due_at)})
    if clock.resolution is not None and clock.resolution.breached:
        missed.append(texts.resolution % {"due": _local(clock.resolution.due_at)})
    return texts.explanation % {
        "kind": texts.kinds.get(case.kind, case.kind), "title": case.title,
        "severity": texts.severities.get(case.severity, case.severity), "missed": "; ".join(missed),
    }


def sla_breach(as_of: datetime, account_ids: list[int] | None = None) -> dict[Key, Condition]:
    """One alert per case that is open at ``as_of`` and has missed a target."""
    cases = open_cases_as_of(as_of, account_ids)
    clocks = clocks_for(cases, as_of)
    texts = _Texts()
    wanted: dict[Key, Condition] = {}
    for case in cases:
        clock = clocks.get(case.pk)
        if clock is not None and clock.is_open and clock.breached:
            wanted[(case.account_id, f"case:{case.pk}")] = Condition(
                breach_explanation(case, clock, texts), texts.action
            )
    return wanted


def maintenance_overdue(as_of: datetime, account_ids: list[int] | None = None) -> dict[Key, Condition]:
    """One alert per plan (per asset, for product-wide plans) whose visit is past due at ``as_of``."""
    wanted: dict[Key, Condition] = {}
    explanation = _("Maintenance “%(plan)s” of %(asset)s was due on %(due)s (%(days)s days overdue).")
    action = _("Agree a date for the visit with the customer and send an engineer.")
    for visit in visits(timezone.localdate(as_of), account_ids):
        if visit.overdue:
            wanted[(visit.account_id, visit.subject)] = Condition(
                explanation % {
                    "plan": visit.plan_name, "asset": visit.asset_label, "due": visit.due_on.isoformat(),
                    "days": visit.days_overdue,
                },
                action,
            )
    return wanted
