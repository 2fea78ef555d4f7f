"""Service targets, open case age and overdue maintenance (P3): the after-sale service itself."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.core.sql import (
    Scope,
    age_days_sql,
    day_number_sql,
    decay_sql,
    float_sql,
    run,
    scope_sql,
    table,
    true,
)
from aftersale.health.signals.registry import (
    CUSTOMERS_ONLY,
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    iso,
    register,
)
from aftersale.service.models import (
    Asset,
    AssetStatus,
    CaseKind,
    CaseStatus,
    MaintenancePlan,
    ServiceCase,
    Severity,
)

# An open case (or an overdue visit) loses half its value every this many days.
OPEN_CASE_HALF_AGE_DAYS = 30
MAINTENANCE_HALF_LATE_DAYS = 30


def service_targets(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """Cases judged by the moment: missed (a target passed unmet) or resolved. A case still
    open within its targets is not judged yet: opening a case never raises the score."""
    # Cases with due dates are judged as of the day; older imports carry only the flags.
    has_targets = "(response_due_at IS NOT NULL OR resolution_due_at IS NOT NULL)"
    flagged = f"(response_breached = {true()} OR resolution_breached = {true()})"
    rows = run(
        f"""
        SELECT account_id, COUNT(*), SUM(missed), SUM(missed * still_open),
               SUM(missed * still_open * critical), SUM(w), SUM(w * missed)
        FROM (
            SELECT account_id, {decay_sql("opened_at", ctx.rate, is_datetime=True)} AS w,
                   CASE WHEN {has_targets} THEN
                       CASE WHEN (response_due_at < :as_of AND (first_response_at IS NULL
                                  OR first_response_at > response_due_at))
                              OR (resolution_due_at < :as_of AND (resolved_at IS NULL
                                  OR resolved_at > resolution_due_at))
                            THEN 1 ELSE 0 END
                   WHEN {flagged} THEN 1 ELSE 0 END AS missed,
                   CASE WHEN resolved_at IS NULL OR resolved_at > :as_of THEN 1 ELSE 0 END AS still_open,
                   CASE WHEN severity = :critical THEN 1 ELSE 0 END AS critical
            FROM {table(ServiceCase)}
            WHERE opened_at <= :as_of AND opened_at >= :start AND ({has_targets} OR {flagged})
                  {scope_sql("account_id", scope)}
        ) judged
        WHERE missed = 1 OR still_open = 0
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        as_of=ctx.as_of, start=ctx.horizon_start, critical=Severity.CRITICAL,
    )
    return {
        account_id: SignalValue(1.0 - float(w_missed or 0) / float(w_all), {
            "cases": n, "missed": int(n_missed), "missed_open": int(n_missed_open),
            "missed_open_critical": int(n_critical or 0), "months": ctx.months,
        })
        for account_id, n, n_missed, n_missed_open, n_critical, w_all, w_missed in rows
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
    ended = "COALESCE(resolved_at, closed_at)"
    statuses = ", ".join(f"'{status}'" for status in CaseStatus.open())
    is_open = f"({ended} > :as_of OR ({ended} IS NULL AND status IN ({statuses})))"
    rows = run(
        f"""
        SELECT account_id, COUNT(*), SUM(is_open), SUM(is_open * complaint),
               MAX(CASE WHEN is_open = 1 THEN age END), SUM(is_open * repair)
        FROM (
            SELECT account_id, {age_days_sql("opened_at", is_datetime=True)} AS age,
                   CASE WHEN {is_open} THEN 1 ELSE 0 END AS is_open,
                   CASE WHEN is_complaint = {true()} THEN 1 ELSE 0 END AS complaint,
                   CASE WHEN kind = :repair THEN 1 ELSE 0 END AS repair
            FROM {table(ServiceCase)}
            WHERE opened_at <= :as_of AND (opened_at >= :start OR {is_open}){scope_sql("account_id", scope)}
        ) cases
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        as_of=ctx.as_of, start=ctx.horizon_start, repair=CaseKind.REPAIR,
    )
    result: dict[int, SignalValue] = {}
    for account_id, n, n_open, complaints, oldest, down in rows:
        age = float(oldest) if n_open else 0.0
        value = 0.5 ** (age / OPEN_CASE_HALF_AGE_DAYS) if n_open else 1.0
        result[account_id] = SignalValue(value, {
            "cases": n, "open": int(n_open), "complaints": int(complaints),
            "oldest": iso(ctx.as_of_date - timedelta(days=age)) if n_open else None,
            "oldest_days": int(age), "down": int(down or 0), "months": ctx.months,
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

    An asset's own plan is due on ``next_due_at``; if a visit was done after
    ``as_of`` (``last_done_at`` later), the plan's dates say nothing about then:
    the visit due then is one interval after the asset's last maintenance case
    resolved by ``as_of``, and without one the plan is left out (unknown, not
    on time). A product-wide plan applies to every asset of the product: each
    is due one interval after its last completed maintenance case (or its
    installation).

    No history of a plan's ``is_active`` or an asset's retirement is kept: a plan
    inactive (an asset retired) now counts as such as of a moment only when its
    row has not changed since, otherwise as active (in service) then. So a
    backtest never learns from a retirement that came later.
    """
    plan, asset, case = table(MaintenancePlan), table(Asset), table(ServiceCase)
    dn = day_number_sql
    common = (
        f"(p.is_active = {true()} OR p.updated_at > :as_of)"
        " AND (a.status <> :retired OR a.updated_at > :as_of)"
        " AND (a.installed_at IS NULL OR a.installed_at <= :day)"
        f" AND p.created_at <= :as_of{scope_sql('a.account_id', scope)}"
    )
    rows = run(
        f"""
        SELECT account_id, COUNT(*),
               SUM(CASE WHEN lag > 0 THEN 1 ELSE 0 END),
               SUM(CASE WHEN lag > 0 THEN exp({float_sql(-math.log(2) / MAINTENANCE_HALF_LATE_DAYS)} * lag)
                        ELSE 1.0 END),
               MAX(lag)
        FROM (
            SELECT a.account_id AS account_id, {dn(":day")} - (CASE
                WHEN p.last_done_at > :day THEN (
                    SELECT MAX({dn("c.resolved_at", is_datetime=True)}) FROM {case} c
                    WHERE c.asset_id = a.id AND c.kind = :maintenance AND c.resolved_at <= :as_of
                ) + p.interval_days
                WHEN p.next_due_at IS NOT NULL THEN {dn("p.next_due_at")}
                ELSE {dn("COALESCE(p.last_done_at, a.installed_at)")} + p.interval_days
            END) AS lag
            FROM {plan} p JOIN {asset} a ON a.id = p.asset_id
            WHERE {common}
            UNION ALL
            SELECT a.account_id, {dn(":day")} - (COALESCE(
                (SELECT MAX({dn("c.resolved_at", is_datetime=True)}) FROM {case} c
                 WHERE c.asset_id = a.id AND c.kind = :maintenance AND c.resolved_at <= :as_of),
                {dn("a.installed_at")}) + p.interval_days) AS lag
            FROM {plan} p JOIN {asset} a ON a.product_id = p.product_id
            WHERE p.asset_id IS NULL AND {common}
        ) plans
        WHERE lag IS NOT NULL
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        day=ctx.as_of_date, as_of=ctx.as_of, retired=AssetStatus.RETIRED, maintenance=CaseKind.MAINTENANCE,
    )
    result: dict[int, SignalValue] = {}
    for account_id, n, overdue, total, worst in rows:
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
    default_weight=4,
    neutral=1.0,
    compute=service_targets,
    explain=explain_targets,
    no_data=_("No service case with targets in the last %(months)d months."),
    order=40,
    kinds=CUSTOMERS_ONLY,
    events=(EventsLink("account_detail", "?kind=case#timeline", args=True),),
))

register(SignalDef(
    name="open_cases",
    label=_("Open case age"),
    principles="P3",
    description=_(
        "How long the oldest open case has been waiting: the value halves every 30 days it "
        "stays open. No open case scores full marks."
    ),
    default_weight=1,
    neutral=1.0,
    compute=open_case_age,
    explain=explain_open_cases,
    no_data=_("No service cases in the last %(months)d months."),
    order=50,
    kinds=CUSTOMERS_ONLY,
    events=(EventsLink("service:board", "?account={account}"),),
))

register(SignalDef(
    name="maintenance",
    label=_("Maintenance on time"),
    principles="P3",
    description=_(
        "Scheduled maintenance of the account's installed equipment: each visit on time scores "
        "full marks; an overdue visit loses half its value every 30 days it is late."
    ),
    default_weight=1,
    neutral=1.0,
    compute=maintenance,
    explain=explain_maintenance,
    no_data=_("No maintenance plan covers this account's equipment."),
    order=60,
    kinds=CUSTOMERS_ONLY,
    events=(EventsLink("service:maintenance", "?account={account}"),),
))
