"""Promises kept and overdue (P5, P6): did we deliver what we said, when we said?

Read as of the day: a promise counts once it was due (before ``as_of``); it
is kept, kept late or broken only if it was closed by then, otherwise it is
overdue. Recent due dates weigh more (decay); a late delivery counts half.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.core.enums import Direction
from aftersale.health.signals.registry import (
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    iso,
    register,
)
from aftersale.health.sql import Scope, decay, scope_q
from aftersale.promises.models import Promise, PromiseStatus


def promises_kept(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    day = ctx.as_of_date
    weight = decay("due_at", day, ctx.rate)
    kept = Q(status=PromiseStatus.KEPT, closed_on__lte=day)
    late = Q(status=PromiseStatus.LATE, closed_on__lte=day)
    broken = Q(status=PromiseStatus.BROKEN, closed_on__lte=day)
    pending = ~(kept | late | broken)
    rows = (
        Promise.objects.filter(
            scope_q("account_id", scope), direction=Direction.FROM_US, made_at__lte=day,
            due_at__lt=day, due_at__gte=ctx.horizon_start_date,
        )
        .alias(closed_on=Coalesce("closed_at", "delivered_at", "due_at"))
        # A promise cancelled by then was withdrawn, not broken.
        .exclude(status=PromiseStatus.CANCELLED, closed_on__lte=day)
        .order_by()
        .values("account_id")
        .annotate(
            n=Count("*"),
            kept=Count("pk", filter=kept),
            late=Count("pk", filter=late),
            broken=Count("pk", filter=broken),
            overdue=Count("pk", filter=pending),
            oldest_overdue=Min("due_at", filter=pending),
            w_all=Sum(weight),
            w_kept=Sum(weight, filter=kept),
            w_late=Sum(weight, filter=late),
        )
        .values_list(
            "account_id", "n", "kept", "late", "broken", "overdue", "oldest_overdue", "w_all",
            "w_kept", "w_late",
        )
    )
    result: dict[int, SignalValue] = {}
    for account_id, n, n_kept, n_late, n_broken, n_overdue, oldest, w_all, w_kept, w_late in rows:
        if not w_all:
            continue
        value = ((w_kept or 0.0) + 0.5 * (w_late or 0.0)) / w_all
        result[account_id] = SignalValue(value, {
            "due": n, "kept": n_kept, "late": n_late, "broken": n_broken, "overdue": n_overdue,
            "oldest_overdue": iso(oldest), "months": ctx.months,
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
    default_weight=12,
    compute=promises_kept,
    explain=explain,
    no_data=_("No promises to this account fell due in the last %(months)d months."),
    events=(EventsLink("promise_list", "?account={account}"),),
    order=30,
))
