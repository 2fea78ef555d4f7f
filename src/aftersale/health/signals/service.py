"""Service targets, open case age and overdue maintenance (P3): the after-sale service itself."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.health.signals.registry import (
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    iso,
    register,
)
from aftersale.health.sql import (
    Scope,
    day_number_sql,
    db_date,
    db_datetime,
    decay,
    run,
    scope_q,
    scope_sql,
    table,
)
from aftersale.service.models import (
    Asset,
    AssetStatus,
    CaseKind,
    CaseStatus,
    MaintenancePlan,
    ServiceCase,
)

# An open case (or an overdue visit) loses half its value every this many days.
OPEN_CASE_HALF_AGE_DAYS = 30
MAINTENANCE_HALF_LATE_DAYS = 30


def service_targets(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    as_of = ctx.as_of
    response_missed = Q(response_due_at__lt=as_of) & (
        Q(first_response_at__isnull=True) | Q(first_response_at__gt=F("response_due_at"))
    )
    resolution_missed = Q(resolution_due_at__lt=as_of) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=F("resolution_due_at"))
    )
    has_targets = Q(response_due_at__isnull=False) | Q(resolution_due_at__isnull=False)
    flagged = Q(response_breached=True) | Q(resolution_breached=True)
    # Cases with due dates are judged as of the day; older imports carry only the flags.
    missed = (has_targets & (response_missed | resolution_missed)) | (~has_targets & flagged)
    still_open = Q(resolved_at__isnull=True) | Q(resolved_at__gt=as_of)
    weight = decay("opened_at", as_of, ctx.rate)
    rows = (
        ServiceCase.objects.filter(
            scope_q("account_id", scope), opened_at__lte=as_of, opened_at__gte=ctx.horizon_start,
        )
        .filter(has_targets | flagged)
        .order_by()
        .values("account_id")
        .annotate(
            n=Count("*"),
            missed=Count("pk", filter=missed),
            missed_open=Count("pk", filter=missed & still_open),
            w_all=Sum(weight),
            w_missed=Sum(weight, filter=missed),
        )
        .values_list("account_id", "n", "missed", "missed_open", "w_all", "w_missed")
    )
    return {
        account_id: SignalValue(1.0 - (w_missed or 0.0) / w_all, {
            "cases": n, "missed": n_missed, "missed_open": n_missed_open, "months": ctx.months,
        })
        for account_id, n, n_missed, n_missed_open, w_all, w_missed in rows
        if w_all
    }


def explain_targets(facts: Mapping[str, Any]) -> str:
    text = ngettext(
        "%(missed)d of %(cases)d service case in the last %(months)d months missed its response "
        "or resolution target",
        "%(missed)d of %(cases)d service cases in the last %(months)d months missed their "
        "response or resolution target",
        facts["cases"],
    ) % facts
    if facts["missed_open"]:
        text += "; " + ngettext(
            "%(missed_open)d of them is still open", "%(missed_open)d of them are still open",
            facts["missed_open"],
        ) % facts
    return text + "."


def open_case_age(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    as_of = ctx.as_of
    is_open = Q(ended__gt=as_of) | Q(ended__isnull=True, status__in=CaseStatus.open())
    rows = (
        ServiceCase.objects.filter(scope_q("account_id", scope), opened_at__lte=as_of)
        .alias(ended=Coalesce("resolved_at", "closed_at"))
        .filter(Q(opened_at__gte=ctx.horizon_start) | is_open)
        .order_by()
        .values("account_id")
        .annotate(
            n=Count("*"),
            n_open=Count("pk", filter=is_open),
            complaints=Count("pk", filter=is_open & Q(is_complaint=True)),
            oldest=Min("opened_at", filter=is_open),
        )
        .values_list("account_id", "n", "n_open", "complaints", "oldest")
    )
    result: dict[int, SignalValue] = {}
    for account_id, n, n_open, complaints, oldest in rows:
        age = (as_of - oldest).total_seconds() / 86400 if oldest else 0.0
        value = 0.5 ** (age / OPEN_CASE_HALF_AGE_DAYS) if n_open else 1.0
        result[account_id] = SignalValue(value, {
            "cases": n, "open": n_open, "complaints": complaints, "oldest": iso(oldest),
            "oldest_days": int(age), "months": ctx.months,
        })
    return result


def explain_open_cases(facts: Mapping[str, Any]) -> str:
    if not facts["open"]:
        return ngettext(
            "No case open; %(cases)d handled in the last %(months)d months.",
            "No case open; %(cases)d handled in the last %(months)d months.",
            facts["cases"],
        ) % facts
    text = ngettext(
        "%(open)d case open for %(oldest_days)d days (opened %(oldest)s)",
        "%(open)d cases open; the oldest for %(oldest_days)d days (opened %(oldest)s)",
        facts["open"],
    ) % facts
    if facts["complaints"]:
        text += "; " + ngettext(
            "%(complaints)d is a complaint", "%(complaints)d are complaints", facts["complaints"]
        ) % facts
    return text + "."


def maintenance(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """Overdue maintenance visits of the installed base, as of the day.

    An asset's own plan is due on ``next_due_at``; if the visit was done after
    ``as_of``, the visit due then was the one before (``next_due_at`` minus the
    interval). A product-wide plan applies to every asset of the product: each
    is due one interval after its last completed maintenance case (or its
    installation).
    """
    day = ctx.as_of_date
    plan, asset, case = table(MaintenancePlan), table(Asset), table(ServiceCase)
    dn = day_number_sql
    scope_sql_a, scope_params = scope_sql("a.account_id", scope)
    common = (
        f"p.is_active = %s AND a.status <> %s AND (a.installed_at IS NULL OR a.installed_at <= %s)"
        f" AND p.created_at <= %s{scope_sql_a}"
    )
    common_params = [True, AssetStatus.RETIRED, db_date(day), db_datetime(ctx.as_of), *scope_params]
    # Only table names and numeric constants are formatted in; values go as parameters.
    sql = f"""
        SELECT account_id, COUNT(*),
               SUM(CASE WHEN lag > 0 THEN 1 ELSE 0 END),
               SUM(CASE WHEN lag > 0 THEN exp(-{math.log(2) / MAINTENANCE_HALF_LATE_DAYS!r} * lag)
                        ELSE 1.0 END),
               MAX(lag)
        FROM (
            SELECT a.account_id AS account_id, {dn("%s")} - (CASE
                WHEN p.last_done_at > %s THEN {dn("p.next_due_at")} - p.interval_days
                WHEN p.next_due_at IS NOT NULL THEN {dn("p.next_due_at")}
                ELSE {dn("COALESCE(p.last_done_at, a.installed_at)")} + p.interval_days
            END) AS lag
            FROM {plan} p JOIN {asset} a ON a.id = p.asset_id
            WHERE {common}
            UNION ALL
            SELECT a.account_id, {dn("%s")} - (COALESCE(
                (SELECT MAX({dn("c.resolved_at", is_datetime=True)}) FROM {case} c
                 WHERE c.asset_id = a.id AND c.kind = %s AND c.resolved_at <= %s),
                {dn("a.installed_at")}) + p.interval_days) AS lag
            FROM {plan} p JOIN {asset} a ON a.product_id = p.product_id
            WHERE p.asset_id IS NULL AND {common}
        ) plans
        WHERE lag IS NOT NULL
        GROUP BY account_id
    """  # noqa: S608
    params = [
        db_date(day), db_date(day), *common_params,
        db_date(day), CaseKind.MAINTENANCE, db_datetime(ctx.as_of), *common_params,
    ]
    result: dict[int, SignalValue] = {}
    for account_id, n, overdue, total, worst in run(sql, params):
        result[account_id] = SignalValue(float(total) / n, {
            "plans": n, "overdue": int(overdue or 0), "worst_days": max(0, int(worst or 0)),
        })
    return result


def explain_maintenance(facts: Mapping[str, Any]) -> str:
    if not facts["overdue"]:
        return ngettext(
            "%(plans)d maintenance visit scheduled; none overdue.",
            "%(plans)d maintenance visits scheduled; none overdue.",
            facts["plans"],
        ) % facts
    return ngettext(
        "%(overdue)d of %(plans)d maintenance visits overdue, by up to %(worst_days)d days.",
        "%(overdue)d of %(plans)d maintenance visits overdue, by up to %(worst_days)d days.",
        facts["overdue"],
    ) % facts


register(SignalDef(
    name="service_targets",
    label=_("Service targets"),
    principles="P3",
    description=_(
        "Share of service cases that met their response and resolution targets, recent cases "
        "counting more. A case whose target time has passed without a response or resolution "
        "counts as missed."
    ),
    default_weight=8,
    compute=service_targets,
    explain=explain_targets,
    no_data=_("No service case with targets in the last %(months)d months."),
    events=(EventsLink("case_list", "?account={account}"),),
    order=40,
))

register(SignalDef(
    name="open_cases",
    label=_("Open case age"),
    principles="P3",
    description=_(
        "How long the oldest open case has been waiting: the value halves every 30 days it "
        "stays open. No open case scores full marks."
    ),
    default_weight=6,
    compute=open_case_age,
    explain=explain_open_cases,
    no_data=_("No service cases in the last %(months)d months."),
    events=(EventsLink("case_list", "?account={account}&open=1"),),
    order=50,
))

register(SignalDef(
    name="maintenance",
    label=_("Maintenance on time"),
    principles="P3",
    description=_(
        "Scheduled maintenance of the account's installed equipment: each visit on time scores "
        "full marks; an overdue visit loses half its value every 30 days it is late."
    ),
    default_weight=6,
    compute=maintenance,
    explain=explain_maintenance,
    no_data=_("No maintenance plan covers this account's equipment."),
    events=(EventsLink("maintenance_list", "?account={account}"),),
    order=60,
))
