"""Portal ordering share (P11): the customer orders directly, because we made it easy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.commerce.models import Channel, Order
from aftersale.core.sql import Scope, decay_sql, run, scope_sql, table
from aftersale.health.signals.registry import (
    CUSTOMERS_ONLY,
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    clamp,
    register,
)


def portal_share(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    rows = run(
        f"""
        SELECT account_id, COUNT(*), SUM(direct), SUM(w), SUM(w * direct)
        FROM (
            SELECT account_id, {decay_sql("placed_at", ctx.rate, is_datetime=True)} AS w,
                   CASE WHEN channel IN (:portal, :edi) THEN 1 ELSE 0 END AS direct
            FROM {table(Order)}
            WHERE placed_at <= :as_of AND placed_at >= :start{scope_sql("account_id", scope)}
        ) recent
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        as_of=ctx.as_of, start=ctx.horizon_start, portal=Channel.PORTAL, edi=Channel.EDI,
    )
    target = ctx.config.portal_target_share
    result: dict[int, SignalValue] = {}
    for account_id, n, n_direct, w_all, w_direct in rows:
        if not w_all:
            continue
        share = float(w_direct or 0) / float(w_all)
        result[account_id] = SignalValue(clamp(share / target), {
            "orders": n, "direct": int(n_direct), "share": round(100 * share),
            "target": round(100 * target), "months": ctx.months,
        })
    return result


def explain(facts: Mapping[str, Any]) -> str:
    return ngettext(
        "%(direct)d of %(orders)d order in the last %(months)d months came through the portal "
        "or EDI (recent share %(share)d%%; aim: %(target)d%%).",
        "%(direct)d of %(orders)d orders in the last %(months)d months came through the portal "
        "or EDI (recent share %(share)d%%; aim: %(target)d%%).",
        facts["orders"],
    ) % facts


register(SignalDef(
    name="portal_share",
    label=_("Direct ordering"),
    principles="P11",
    description=_(
        "Share of orders the customer placed directly, through the portal or EDI, recent "
        "orders counting more, against a target share: dependence we created by doing more "
        "for them."
    ),
    default_weight=1,
    compute=portal_share,
    explain=explain,
    no_data=_("No orders in the last %(months)d months."),
    order=90,
    kinds=CUSTOMERS_ONLY,
    events=(EventsLink("account_detail", "?kind=order#timeline", args=True),),
))
