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
    return list(cases.order_by())


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def breach_explanation(case: ServiceCase, clock: CaseClock) -> str:
    missed = []
    if clock.response is not None and clock.response.breached:
        missed.append(_("first response was due %(due)s") % {"due": _local(clock.response.due_at)})
    if clock.resolution is not None and clock.resolution.breached:
        missed.append(_("resolution was due %(due)s") % {"due": _local(clock.resolution.due_at)})
    return _("%(kind)s case “%(title)s” (%(severity)s) missed its target: %(missed)s.") % {
        "kind": CaseKind(case.kind).label, "title": case.title,
        "severity": Severity(case.severity).label, "missed": "; ".join(missed),
    }


def sla_breach(as_of: datetime, account_ids: list[int] | None = None) -> dict[Key, Condition]:
    """One alert per case that is open at ``as_of`` and has missed a target."""
    cases = open_cases_as_of(as_of, account_ids)
    clocks = clocks_for(cases, as_of)
    wanted: dict[Key, Condition] = {}
    for case in cases:
        clock = clocks.get(case.pk)
        if clock is not None and clock.is_open and clock.breached:
            wanted[(case.account_id, f"case:{case.pk}")] = Condition(
                breach_explanation(case, clock),
                _("Call the customer, agree when it will be fixed, and escalate within service."),
            )
    return wanted


def maintenance_overdue(as_of: datetime, account_ids: list[int] | None = None) -> dict[Key, Condition]:
    """One alert per plan (per asset, for product-wide plans) whose visit is past due at ``as_of``."""
    wanted: dict[Key, Condition] = {}
    for visit in visits(timezone.localdate(as_of), account_ids):
        if visit.overdue:
            wanted[(visit.account_id, visit.subject)] = Condition(
                _("Maintenance “%(plan)s” of %(asset)s was due on %(due)s (%(days)s days overdue).") % {
                    "plan": visit.plan.name, "asset": visit.asset, "due": visit.due_on.isoformat(),
                    "days": visit.days_overdue,
                },
                _("Agree a date for the visit with the customer and send an engineer."),
            )
    return wanted
