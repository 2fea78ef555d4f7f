"""Portal ordering share (P11): the customer orders directly, because we made it easy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.commerce.models import Channel, Order
from aftersale.health.signals.registry import (
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    clamp,
    register,
)
from aftersale.health.sql import Scope, decay, scope_q

DIRECT_CHANNELS = (Channel.PORTAL, Channel.EDI)


def portal_share(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    weight = decay("placed_at", ctx.as_of, ctx.rate)
    direct = Q(channel__in=DIRECT_CHANNELS)
    rows = (
        Order.objects.filter(
            scope_q("account_id", scope), placed_at__lte=ctx.as_of, placed_at__gte=ctx.horizon_start
        )
        .order_by()
        .values("account_id")
        .annotate(
            n=Count("*"), n_direct=Count("pk", filter=direct), w_all=Sum(weight),
            w_direct=Sum(weight, filter=direct),
        )
        .values_list("account_id", "n", "n_direct", "w_all", "w_direct")
    )
    target = ctx.config.portal_target_share
    result: dict[int, SignalValue] = {}
    for account_id, n, n_direct, w_all, w_direct in rows:
        if not w_all:
            continue
        share = (w_direct or 0.0) / w_all
        result[account_id] = SignalValue(clamp(share / target), {
            "orders": n, "direct": n_direct, "share": round(100 * share),
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
    default_weight=4,
    compute=portal_share,
    explain=explain,
    no_data=_("No orders in the last %(months)d months."),
    events=(EventsLink("order_list", "?account={account}"),),
    order=90,
))
