"""The buyer's side of a relationship (P17, P18, P19): signals that score supplier accounts.

The same engine scores suppliers and customers: a supplier is also scored by the
shared signals (transactional face time, ideas and information both ways, trust,
reviews, our promises to it), and these add what only the buyer sees. Each is
one aggregate query, ignores everything after ``as_of`` and applies to supplier
accounts only (``kinds=SUPPLIERS_ONLY``). Where a relation has a direction it is
spelt out: ``TO_US`` is what the supplier gave us.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.accounts.models import Account, AccountKind
from aftersale.commerce.money import RateBook, reporting_currency
from aftersale.core.enums import Direction
from aftersale.core.sql import Scope, age_days_sql, decay_sql, run, scope_sql, table
from aftersale.engagement.models import Idea, IdeaStatus
from aftersale.health.signals.promises import explain as explain_promises
from aftersale.health.signals.promises import promises_kept
from aftersale.health.signals.registry import (
    SUPPLIERS_ONLY,
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    clamp,
    register,
)
from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort

# A rejection rate at or above this scores zero for incoming quality.
REJECTED_LIMIT = 0.10
# Competing bids plus re-quotes per order at or above this score zero for price pressure.
PRESSURE_LIMIT = 3.0
# Purchasing hours per unit bought, as a multiple of the leanest supplier's, that scores
# zero: P17 found the cost "several times higher" at the least-trusted automaker.
COST_RATIO_LIMIT = 4.0
# Decayed ideas from the supplier that earn full marks (about three a year).
IDEAS_TARGET = 2.0
# "Recent" and "earlier" halves of the last year, for what rose and what dried up.
HALF_YEAR_DAYS = 182

SUPPLIER_PAGE = EventsLink("purchasing:supplier_detail", args=True)


def _halves(column: str) -> tuple[str, str]:
    """SQL flags: the row falls in the last half-year, or in the half-year before it."""
    age = age_days_sql(column, is_datetime=False, at=":day")
    return (f"CASE WHEN {age} < {HALF_YEAR_DAYS} THEN 1 ELSE 0 END",
            f"CASE WHEN {age} >= {HALF_YEAR_DAYS} AND {age} < {2 * HALF_YEAR_DAYS} THEN 1 ELSE 0 END")


def inspection(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """Share of lots received that we inspected, recent lots counting more: buyers at the
    most trusted firms do not inspect their suppliers' goods (P18)."""
    rows = run(
        f"""
        SELECT account_id, SUM(lots_received), SUM(lots_inspected), SUM(lots_received * w),
               SUM(lots_inspected * w)
        FROM (
            SELECT account_id, lots_received, lots_inspected,
                   {decay_sql("received_on", ctx.rate, is_datetime=False, at=":day")} AS w
            FROM {table(IncomingInspection)}
            WHERE received_on <= :day AND received_on >= :start{scope_sql("account_id", scope)}
        ) lots
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        day=ctx.as_of_date, start=ctx.horizon_start_date,
    )
    result: dict[int, SignalValue] = {}
    for account_id, received, inspected, w_received, w_inspected in rows:
        if not w_received:
            continue
        rate = float(w_inspected or 0) / float(w_received)
        result[account_id] = SignalValue(clamp(1 - rate), {
            "rate": round(100 * rate), "received": int(received), "inspected": int(inspected or 0),
            "months": ctx.months,
        })
    return result


def explain_inspection(facts: Mapping[str, Any]) -> str:
    return ngettext(
        "We inspected %(inspected)d of %(received)d lot received in the last %(months)d months "
        "(%(rate)d%%, recent lots counting more); trusted suppliers' goods go straight in.",
        "We inspected %(inspected)d of %(received)d lots received in the last %(months)d months "
        "(%(rate)d%%, recent lots counting more); trusted suppliers' goods go straight in.",
        facts["received"],
    ) % facts


def quality(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """Share of inspected lots we rejected, recent lots counting more."""
    recent, earlier = _halves("received_on")
    rows = run(
        f"""
        SELECT account_id, SUM(lots_inspected), SUM(lots_rejected), SUM(lots_inspected * w),
               SUM(lots_rejected * w), SUM(lots_inspected * recent), SUM(lots_rejected * recent),
               SUM(lots_inspected * earlier), SUM(lots_rejected * earlier)
        FROM (
            SELECT account_id, lots_inspected, lots_rejected, {recent} AS recent, {earlier} AS earlier,
                   {decay_sql("received_on", ctx.rate, is_datetime=False, at=":day")} AS w
            FROM {table(IncomingInspection)}
            WHERE received_on <= :day AND received_on >= :start AND lots_inspected > 0
                  {scope_sql("account_id", scope)}
        ) lots
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        day=ctx.as_of_date, start=ctx.horizon_start_date,
    )
    result: dict[int, SignalValue] = {}
    for account_id, inspected, rejected, w_inspected, w_rejected, i_now, r_now, i_before, r_before in rows:
        if not w_inspected:
            continue
        rate = float(w_rejected or 0) / float(w_inspected)

        def pct(r: Any, i: Any) -> int | None:
            return round(100 * float(r or 0) / float(i)) if i else None

        result[account_id] = SignalValue(clamp(1 - rate / REJECTED_LIMIT), {
            "rate": round(100 * rate, 1), "inspected": int(inspected), "rejected": int(rejected or 0),
            "limit": round(100 * REJECTED_LIMIT), "recent": pct(r_now, i_now),
            "earlier": pct(r_before, i_before),
            "months": ctx.months,
        })
    return result


def explain_quality(facts: Mapping[str, Any]) -> str:
    text = ngettext(
        "We rejected %(rejected)d of %(inspected)d lot inspected in the last %(months)d months "
        "(%(rate).1f%%; %(limit)d%% or more scores zero)",
        "We rejected %(rejected)d of %(inspected)d lots inspected in the last %(months)d months "
        "(%(rate).1f%%; %(limit)d%% or more scores zero)",
        facts["inspected"],
    ) % facts
    if facts["recent"] is not None and facts["earlier"] is not None and facts["recent"] != facts["earlier"]:
        text += _("; %(recent)d%% in the last six months against %(earlier)d%% before") % facts
    return text + "."


def price_pressure(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """Competing bids and re-quotes per order we placed, recent orders counting more."""
    recent, earlier = _halves("ordered_on")
    rows = run(
        f"""
        SELECT account_id, COUNT(*), SUM(w), SUM((competing_bids + requotes) * w),
               SUM(recent), SUM((competing_bids + requotes) * recent),
               SUM(earlier), SUM((competing_bids + requotes) * earlier)
        FROM (
            SELECT account_id, competing_bids, requotes, {recent} AS recent, {earlier} AS earlier,
                   {decay_sql("ordered_on", ctx.rate, is_datetime=False, at=":day")} AS w
            FROM {table(Purchase)}
            WHERE ordered_on <= :day AND ordered_on >= :start{scope_sql("account_id", scope)}
        ) orders
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        day=ctx.as_of_date, start=ctx.horizon_start_date,
    )
    result: dict[int, SignalValue] = {}
    for account_id, n, w_all, w_pressure, n_now, p_now, n_before, p_before in rows:
        if not w_all:
            continue
        per_order = float(w_pressure or 0) / float(w_all)
        result[account_id] = SignalValue(clamp(1 - per_order / PRESSURE_LIMIT), {
            "per_order": round(per_order, 1), "orders": int(n), "limit": PRESSURE_LIMIT,
            "recent": round(float(p_now) / n_now, 1) if n_now else None,
            "earlier": round(float(p_before) / n_before, 1) if n_before else None,
        })
    return result


def explain_pressure(facts: Mapping[str, Any]) -> str:
    text = ngettext(
        "%(per_order).1f competing bids and re-quotes per order over %(orders)d order "
        "(%(limit).0f or more scores zero)",
        "%(per_order).1f competing bids and re-quotes per order over %(orders)d orders "
        "(%(limit).0f or more scores zero)",
        facts["orders"],
    ) % facts
    if facts["recent"] is not None and facts["earlier"] is not None:
        text += _("; %(recent).1f per order in the last six months against %(earlier).1f before") % facts
    return text + "."


def purchasing_cost(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """Purchasing hours per unit bought, against the leanest supplier's (P17).

    The leanest is taken over every supplier whatever ``scope`` is, so one supplier's
    refresh and the whole scan agree; the rows are per supplier and currency (a small
    table), converted with the exchange rates of the day.
    """
    rows = run(
        f"""
        SELECT account_id, currency, SUM(staff_hours * w), SUM(purchase_value * w), SUM(staff_hours)
        FROM (
            SELECT account_id, currency, staff_hours, purchase_value,
                   {decay_sql("period_end", ctx.rate, is_datetime=False, at=":day")} AS w
            FROM {table(PurchasingEffort)}
            WHERE period_end <= :day AND period_end >= :start
        ) effort
        GROUP BY account_id, currency
        """,  # noqa: S608 - only table names and constants are formatted in
        day=ctx.as_of_date, start=ctx.horizon_start_date,
    )
    currency = reporting_currency()
    hours: dict[int, float] = defaultdict(float)
    raw_hours: dict[int, float] = defaultdict(float)
    values: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for account_id, row_currency, w_hours, w_value, h in rows:
        hours[account_id] += float(w_hours or 0)
        raw_hours[account_id] += float(h or 0)
        values[account_id][row_currency] = Decimal(str(w_value or 0))
    book = RateBook.load(ctx.as_of_date) if any(set(v) - {currency} for v in values.values()) else RateBook()
    per_million: dict[int, float] = {}
    for account_id, sums in values.items():
        total, _missing = book.convert_sums(sums, currency, ctx.as_of_date)
        if total > 0 and hours[account_id] > 0:
            per_million[account_id] = hours[account_id] * 1_000_000 / float(total)
    if not per_million:
        return {}
    leanest = min(per_million.values())
    wanted = None if scope is None else set(scope)
    result: dict[int, SignalValue] = {}
    for account_id, cost in per_million.items():
        if wanted is not None and account_id not in wanted:
            continue
        ratio = cost / leanest
        result[account_id] = SignalValue(clamp((COST_RATIO_LIMIT - ratio) / (COST_RATIO_LIMIT - 1)), {
            "hours_per_million": round(cost, 2), "ratio": round(ratio, 1), "currency": currency,
            "hours": round(raw_hours[account_id]), "limit": COST_RATIO_LIMIT,
        })
    return result


def explain_cost(facts: Mapping[str, Any]) -> str:
    return _(
        "Buying from this supplier took %(hours_per_million).2f purchasing hours per million "
        "%(currency)s bought, %(ratio).1f times the leanest supplier's (%(limit).0f times or more "
        "scores zero; the least-trusted automaker's purchasing cost per unit was several times "
        "the most trusted's)."
    ) % facts


def ideas_received(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """Ideas the supplier offered us (direction to us), recent ones counting more (P19).

    A supplier we keep buying from that offers nothing scores zero rather than "no
    data": ideas drying up is exactly what this signal is for.
    """
    recent, earlier = _halves("proposed_at")
    rows = run(
        f"""
        SELECT a.id, COALESCE(x.n, 0), x.w, x.adopted, x.recent, x.earlier
        FROM {table(Account)} a
        LEFT JOIN (
            SELECT account_id, COUNT(*) AS n, SUM(w) AS w, SUM(adopted) AS adopted,
                   SUM(recent) AS recent, SUM(earlier) AS earlier
            FROM (
                SELECT account_id, {recent} AS recent, {earlier} AS earlier,
                       {decay_sql("proposed_at", ctx.rate, is_datetime=False, at=":day")} AS w,
                       CASE WHEN status = :adopted AND decided_at <= :day THEN 1 ELSE 0 END AS adopted
                FROM {table(Idea)}
                WHERE direction = :to_us AND proposed_at <= :day AND proposed_at >= :start
                      {scope_sql("account_id", scope)}
            ) ideas
            GROUP BY account_id
        ) x ON x.account_id = a.id
        WHERE a.kind = :supplier{scope_sql("a.id", scope)}
          AND (x.account_id IS NOT NULL OR EXISTS (
              SELECT 1 FROM {table(Purchase)} p
              WHERE p.account_id = a.id AND p.ordered_on <= :day AND p.ordered_on >= :start))
        """,  # noqa: S608 - only table names and constants are formatted in
        day=ctx.as_of_date, start=ctx.horizon_start_date, to_us=Direction.TO_US,
        supplier=AccountKind.SUPPLIER, adopted=IdeaStatus.ADOPTED,
    )
    result: dict[int, SignalValue] = {}
    for account_id, n, w, adopted, n_now, n_before in rows:
        result[account_id] = SignalValue(min(1.0, float(w or 0) / IDEAS_TARGET), {
            "received": int(n), "adopted": int(adopted or 0), "recent": int(n_now or 0),
            "earlier": int(n_before or 0), "months": ctx.months,
        })
    return result


def explain_ideas(facts: Mapping[str, Any]) -> str:
    return ngettext(
        "The supplier offered us %(received)d idea in the last %(months)d months, %(adopted)d "
        "adopted; %(recent)d in the last six months, %(earlier)d in the six before.",
        "The supplier offered us %(received)d ideas in the last %(months)d months, %(adopted)d "
        "adopted; %(recent)d in the last six months, %(earlier)d in the six before.",
        facts["received"],
    ) % facts


def promises_to_us(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """The supplier's promises to us (direction to us): the same counting as ours."""
    return promises_kept(ctx, scope, direction=Direction.TO_US)


def explain_promises_to_us(facts: Mapping[str, Any]) -> str:
    return _("Promises the supplier made to us: %(detail)s") % {"detail": explain_promises(facts)}


register(SignalDef(
    name="supplier_inspection",
    label=_("Incoming inspection"),
    principles="P18",
    description=_(
        "Share of lots received from the supplier that we inspected, recent lots counting more. "
        "Buyers at the most trusted firms do not inspect their suppliers' goods: the less we need "
        "to inspect, the higher the score."
    ),
    default_weight=6, compute=inspection, explain=explain_inspection,
    no_data=_("No goods received from this supplier in the last %(months)d months."),
    events=(SUPPLIER_PAGE,), order=200, kinds=SUPPLIERS_ONLY,
))

register(SignalDef(
    name="supplier_quality",
    label=_("Incoming quality"),
    principles="P18",
    description=_(
        "Share of the inspected lots we rejected, recent lots counting more: none rejected scores "
        "full marks, a tenth or more zero."
    ),
    default_weight=8, compute=quality, explain=explain_quality,
    no_data=_("No lots inspected in the last %(months)d months."),
    events=(SUPPLIER_PAGE,), order=210, kinds=SUPPLIERS_ONLY,
))

register(SignalDef(
    name="supplier_price_pressure",
    label=_("Price pressure"),
    principles="P17, P18",
    description=_(
        "Competing bids we asked for and re-quotes we demanded per order placed with the "
        "supplier, recent orders counting more: none scores full marks, three or more zero. "
        "Playing suppliers off against each other wins lower prices and loses their ideas."
    ),
    default_weight=6, compute=price_pressure, explain=explain_pressure,
    no_data=_("No orders placed with this supplier in the last %(months)d months."),
    events=(SUPPLIER_PAGE,), order=220, kinds=SUPPLIERS_ONLY,
))

register(SignalDef(
    name="supplier_purchasing_cost",
    label=_("Purchasing effort"),
    principles="P17, P18",
    description=_(
        "Purchasing staff hours per unit of purchases from the supplier, as a multiple of the "
        "leanest supplier's: the leanest scores full marks, four times or more zero."
    ),
    default_weight=5, compute=purchasing_cost, explain=explain_cost,
    no_data=_("No purchasing effort recorded for this supplier in the last %(months)d months."),
    events=(SUPPLIER_PAGE,), order=230, kinds=SUPPLIERS_ONLY,
))

register(SignalDef(
    name="supplier_ideas",
    label=_("Ideas from the supplier"),
    principles="P19",
    description=_(
        "Design, manufacturing and process ideas the supplier offered us, recent ones counting "
        "more: about three a year earn full marks. Trusting suppliers share ideas; squeezed "
        "ones stop."
    ),
    default_weight=8, compute=ideas_received, explain=explain_ideas,
    no_data=_("The supplier offered us no ideas in the last %(months)d months."),
    events=(EventsLink("account_ideas", args=True),), order=240, kinds=SUPPLIERS_ONLY,
))

register(SignalDef(
    name="supplier_promises",
    label=_("Promises made to us"),
    principles="P5, P18",
    description=_(
        "Share of the supplier's promises to us (deliveries, dates) due in the evidence horizon "
        "that it kept on time, counted like our own promises."
    ),
    default_weight=10, compute=promises_to_us, explain=explain_promises_to_us,
    no_data=_("No promise the supplier made us fell due in the last %(months)d months."),
    events=(EventsLink("promise_list", "?show=all&direction=to_us&account={account}"),),
    order=250, kinds=SUPPLIERS_ONLY,
))
