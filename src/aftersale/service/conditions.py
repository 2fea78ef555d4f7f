"""The service alert conditions the health scan evaluates, and their texts (both
registered in ``apps.py``).

Both follow the registry's contract: ``fn(as_of, account_ids) -> {(account_id, subject): Condition}``,
a fixed number of queries for any number of accounts, nothing after ``as_of`` counted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.alerts import texts
from aftersale.alerts.actions import Condition, Key
from aftersale.alerts.texts import AlertText, Params, iso
from aftersale.service.maintenance import visits
from aftersale.service.models import CaseKind, CaseStatus, ServiceCase, Severity
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
        "response_due_at", "resolution_due_at", "response_breached", "updated_at",
    ))


def breach_params(case: ServiceCase, response_due: datetime | None,
                  resolution_due: datetime | None) -> dict[str, Any]:
    """The facts of an ``sla_breach`` alert; a due time is kept for each target the case missed."""
    return {
        "case": case.pk, "kind": case.kind, "title": case.title, "severity": case.severity,
        "response_due": iso(response_due), "resolution_due": iso(resolution_due),
    }


def _label(choices: type[models.TextChoices], value: str | None) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


def render_sla_breach(params: Params) -> AlertText:
    missed = []
    if params.get("response_due"):
        missed.append(_("first response was due %(due)s") % {"due": texts.moment(params["response_due"])})
    if params.get("resolution_due"):
        missed.append(_("resolution was due %(due)s") % {"due": texts.moment(params["resolution_due"])})
    return AlertText(
        _("%(kind)s case “%(title)s” (%(severity)s) missed its target: %(missed)s.") % {
            "kind": _label(CaseKind, params.get("kind")), "title": params.get("title", ""),
            "severity": _label(Severity, params.get("severity")), "missed": "; ".join(missed),
        },
        _("Call the customer, agree when it will be fixed, and escalate within service."),
    )


def render_maintenance_overdue(params: Params) -> AlertText:
    return AlertText(
        _("Maintenance “%(plan)s” of %(asset)s was due on %(due)s (%(days)s days overdue).") % {
            "plan": params.get("plan", ""), "asset": params.get("asset", ""),
            "due": texts.day(params.get("due")), "days": texts.number(params.get("days")),
        },
        _("Agree a date for the visit with the customer and send an engineer."),
    )


RUNNING = (CaseStatus.NEW, CaseStatus.IN_PROGRESS)


def _stored_clock_holds(case: ServiceCase, as_of: datetime) -> bool:
    """Whether the due times stored on the case are its due times as of ``as_of``.

    They are when the case is running (not paused) and was last saved, and so
    last changed status, no later than ``as_of``: every status change saves the
    case with its clock, and a running clock's due times only move when the
    status does. Backtests of past dates take the clock's slower, exact path.
    """
    return (
        case.status in RUNNING and case.updated_at <= as_of
        and case.response_due_at is not None and case.resolution_due_at is not None
    )


def _missed_from_stored(case: ServiceCase, as_of: datetime) -> tuple[datetime | None, datetime | None]:
    responded = case.first_response_at is not None and case.first_response_at <= as_of
    response_missed = case.response_breached if responded else as_of > case.response_due_at
    return (
        case.response_due_at if response_missed else None,
        case.resolution_due_at if as_of > case.resolution_due_at else None,
    )


def sla_breach(as_of: datetime, account_ids: list[int] | None = None) -> dict[Key, Condition]:
    """One alert per case that is open at ``as_of`` and has missed a target."""
    cases = open_cases_as_of(as_of, account_ids)
    quick = [c for c in cases if _stored_clock_holds(c, as_of)]
    measured = [c for c in cases if not _stored_clock_holds(c, as_of)]
    missed: dict[int, tuple[datetime | None, datetime | None]] = {
        c.pk: _missed_from_stored(c, as_of) for c in quick
    }
    for pk, clock in clocks_for(measured, as_of).items():
        if clock.is_open:
            missed[pk] = (
                clock.response.due_at if clock.response is not None and clock.response.breached else None,
                clock.resolution.due_at if clock.resolution is not None and clock.resolution.breached
                else None,
            )
    wanted: dict[Key, Condition] = {}
    for case in cases:
        response_due, resolution_due = missed.get(case.pk, (None, None))
        if response_due is not None or resolution_due is not None:
            wanted[(case.account_id, f"case:{case.pk}")] = Condition(
                breach_params(case, response_due, resolution_due)
            )
    return wanted


def maintenance_overdue(as_of: datetime, account_ids: list[int] | None = None) -> dict[Key, Condition]:
    """One alert per plan (per asset, for product-wide plans) whose visit is past due at ``as_of``."""
    wanted: dict[Key, Condition] = {}
    for visit in visits(timezone.localdate(as_of), account_ids):
        if visit.overdue:
            wanted[(visit.account_id, visit.subject)] = Condition({
                "plan": visit.plan_name, "asset": visit.asset_label, "due": iso(visit.due_on),
                "days": visit.days_overdue,
            })
    return wanted
