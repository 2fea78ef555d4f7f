"""Promises kept and overdue (P5, P6): did we deliver what we said, when we said?

Read as of the day: a promise counts once it was due (before ``as_of``); it
is kept, kept late or broken only if it was closed by then, otherwise it is
overdue. Recent due dates weigh more (decay); a late delivery counts half.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.core.enums import Direction
from aftersale.core.sql import Scope, date_value
from aftersale.health.signals.registry import (
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    iso,
    register,
)
from aftersale.promises.measures import measured_promises, outcome_q
from aftersale.promises.models import Promise

# The outcomes the signal counts, and what each earns: kept late counts half.
COUNTED = ("kept", "late", "broken", "overdue")
GOOD = {"kept": 1.0, "late": 0.5}


def promises_kept(
    ctx: EvalContext, scope: Scope, direction: str = Direction.FROM_US
) -> dict[int, SignalValue]:
    """Our promises by default; ``direction=TO_US`` counts a supplier's promises to us.

    The promises and their outcomes are the promise ledger's own (``promises.measures``):
    kept, kept late and broken by the day they were closed within the horizon, overdue when
    still open after the due date in force that day (``due_as_of``: a renegotiated date counts
    from when it was agreed). Recent ones weigh more (decay by the due date); an overdue
    promise weighs fully, it is happening now.
    """
    day = ctx.as_of_date
    base = Promise.objects.all()
    if isinstance(scope, range):
        base = base.filter(account_id__gte=scope.start, account_id__lt=scope.stop)
    elif scope is not None:
        base = base.filter(account_id__in=list(scope))
    counted = Q()
    for outcome in COUNTED:
        counted |= outcome_q(outcome, day, ctx.months)
    rows = (measured_promises(day, direction=direction, months=ctx.months, base=base)
            .filter(counted).values_list("account_id", "status", "closed_at", "due_as_of"))
    found: dict[int, dict[str, Any]] = {}
    for account_id, status, closed_at, due in rows:
        due = date_value(due)
        closed = closed_at is not None and date_value(closed_at) <= day
        outcome = status if closed else "overdue"
        if outcome not in COUNTED:
            continue
        entry = found.setdefault(account_id, {"kept": 0, "late": 0, "broken": 0, "overdue": 0,
                                              "oldest": None, "w": 0.0, "w_good": 0.0})
        entry[outcome] += 1
        weight = 1.0 if outcome == "overdue" else math.exp(-ctx.rate * max(0, (day - due).days))
        entry["w"] += weight
        entry["w_good"] += weight * GOOD.get(outcome, 0.0)
        if outcome == "overdue" and (entry["oldest"] is None or due < entry["oldest"]):
            entry["oldest"] = due
    return {
        account_id: SignalValue(e["w_good"] / e["w"], {
            "due": e["kept"] + e["late"] + e["broken"] + e["overdue"], "kept": e["kept"], "late": e["late"],
            "broken": e["broken"], "overdue": e["overdue"], "oldest_overdue": iso(e["oldest"]),
            "months": ctx.months,
        })
        for account_id, e in found.items() if e["w"]
    }


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
    default_weight=7,
    neutral=1.0,
    compute=promises_kept,
    explain=explain,
    no_data=_("No promises to this account fell due in the last %(months)d months."),
    events=(EventsLink("promise_list", "?show=all&account={account}"),),
    order=30,
))
