"""Promises kept and overdue (P5, P6): did we deliver what we said, when we said?

Read as of the day: a promise counts once it was due (before ``as_of``); it
is kept, kept late or broken only if it was closed by then, otherwise it is
overdue. Recent due dates weigh more (decay); a late delivery counts half.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.core.enums import Direction
from aftersale.core.sql import Scope, age_days_sql, decay_sql, run, scope_sql, table
from aftersale.health.signals.registry import (
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    iso,
    register,
)
from aftersale.promises.models import Promise, PromiseStatus


def promises_kept(
    ctx: EvalContext, scope: Scope, direction: str = Direction.FROM_US
) -> dict[int, SignalValue]:
    """Our promises by default; ``direction=TO_US`` counts a supplier's promises to us."""
    closed_on = "COALESCE(closed_at, delivered_at, due_at)"
    rows = run(
        f"""
        SELECT account_id, COUNT(*), SUM(kept), SUM(late), SUM(broken),
               SUM(1 - kept - late - broken),
               MAX(CASE WHEN kept + late + broken = 0 THEN age END),
               SUM(w), SUM(w * kept), SUM(w * late)
        FROM (
            SELECT account_id, {age_days_sql("due_at", is_datetime=False, at=":day")} AS age,
                   {decay_sql("due_at", ctx.rate, is_datetime=False, at=":day")} AS w,
                   CASE WHEN status = :kept AND {closed_on} <= :day THEN 1 ELSE 0 END AS kept,
                   CASE WHEN status = :late AND {closed_on} <= :day THEN 1 ELSE 0 END AS late,
                   CASE WHEN status = :broken AND {closed_on} <= :day THEN 1 ELSE 0 END AS broken
            FROM {table(Promise)}
            WHERE direction = :direction AND made_at <= :day AND due_at < :day AND due_at >= :start
              AND NOT (status = :cancelled AND {closed_on} <= :day){scope_sql("account_id", scope)}
        ) due
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        day=ctx.as_of_date, start=ctx.horizon_start_date, direction=direction,
        kept=PromiseStatus.KEPT, late=PromiseStatus.LATE, broken=PromiseStatus.BROKEN,
        cancelled=PromiseStatus.CANCELLED,
    )
    result: dict[int, SignalValue] = {}
    for account_id, n, n_kept, n_late, n_broken, n_overdue, oldest, w_all, w_kept, w_late in rows:
        if not w_all:
            continue
        value = (float(w_kept or 0) + 0.5 * float(w_late or 0)) / float(w_all)
        oldest_due = ctx.as_of_date - timedelta(days=round(oldest)) if oldest is not None else None
        result[account_id] = SignalValue(value, {
            "due": n, "kept": int(n_kept), "late": int(n_late), "broken": int(n_broken),
            "overdue": int(n_overdue), "oldest_overdue": iso(oldest_due), "months": ctx.months,
        })
    return result


def explain(facts: Mapping[str, Any]) -> str:
    parts = [
        ngettext(
            "%(kept)d of %(due)d promise due in the last %(months)d months kept on time",
            "%(kept)d of %(due)d promises due in the last %(months)d months kept on time",
            facts["due"],
        ) % facts
    ]
    if facts["late"]:
        parts.append(ngettext("%(late)d kept late", "%(late)d kept late", facts["late"]) % facts)
    if facts["broken"]:
        parts.append(ngettext("%(broken)d broken", "%(broken)d broken", facts["broken"]) % facts)
    if facts["overdue"]:
        parts.append(
            ngettext(
                "%(overdue)d overdue (due %(oldest_overdue)s)",
                "%(overdue)d overdue (oldest due %(oldest_overdue)s)",
                facts["overdue"],
            ) % facts
        )
    return "; ".join(parts) + "."


register(SignalDef(
    name="promises",
    label=_("Promises kept"),
    principles="P5, P6",
    description=_(
        "Share of our promises due in the evidence horizon that were kept on time, with recent "
        "due dates counting more. A promise kept late counts half; one still open after its due "
        "date counts as not kept."
    ),
    default_weight=8,
    neutral=1.0,
    compute=promises_kept,
    explain=explain,
    no_data=_("No promises to this account fell due in the last %(months)d months."),
    events=(EventsLink("promise_list", "?show=all&account={account}"),),
    order=30,
))
