"""Shared plans (P12), trust ratings (P16) and the last relationship review (P9)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from aftersale.core.enums import Direction
from aftersale.core.sql import Scope, age_days_sql, date_value, decay_sql, run, scope_sql, table
from aftersale.health.signals.registry import (
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    clamp,
    iso,
    register,
)
from aftersale.reviews.models import (
    CompetitorRating,
    ItemStatus,
    JointPlan,
    JointPlanItem,
    Outcome,
    RelationshipReview,
    ReviewStatus,
    TrustRating,
)

# A shared plan nobody touched loses half its value every this many days.
PLAN_HALF_FRESH_DAYS = 90
# What the customer says about us counts twice what we say about them.
TRUST_THEIR_WEIGHT = 2.0
OUTCOME_VALUES = {Outcome.IMPROVING: 1.0, Outcome.STEADY: 0.7, Outcome.DETERIORATING: 0.2}


def shared_plans(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    def age(column: str) -> str:
        return age_days_sql(column, is_datetime=True)

    rows = run(
        f"""
        SELECT p.account_id,
               MAX(CASE WHEN p.period_start <= :day AND p.period_end >= :day THEN 1 ELSE 0 END),
               MAX(CASE WHEN p.period_start <= :day THEN p.period_end END),
               -- An edit after as_of hides when it was last touched before: fall back to creation.
               MIN(CASE WHEN p.updated_at <= :as_of THEN {age("p.updated_at")}
                        ELSE {age("p.created_at")} END),
               MIN(CASE WHEN i.updated_at <= :as_of THEN {age("i.updated_at")}
                        WHEN i.created_at <= :as_of THEN {age("i.created_at")} END),
               COUNT(DISTINCT CASE WHEN i.created_at <= :as_of AND (i.status = :open
                        OR (i.status = :done AND i.completed_at > :day)) THEN i.id END)
        FROM {table(JointPlan)} p LEFT JOIN {table(JointPlanItem)} i ON i.plan_id = p.id
        WHERE p.created_at <= :as_of{scope_sql("p.account_id", scope)}
        GROUP BY p.account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        as_of=ctx.as_of, day=ctx.as_of_date, open=ItemStatus.OPEN, done=ItemStatus.DONE,
    )
    result: dict[int, SignalValue] = {}
    for account_id, current, period_end, plan_age, item_age, open_items in rows:
        days = max(0.0, min(float(a) for a in (plan_age, item_age) if a is not None))
        value = (1.0 if current else 0.5) * 0.5 ** (days / PLAN_HALF_FRESH_DAYS)
        result[account_id] = SignalValue(value, {
            "current": bool(current), "period_end": iso(date_value(period_end)),
            "touched": iso(ctx.as_of_date - timedelta(days=days)), "days": int(days),
            "open_items": int(open_items),
        })
    return result


def explain_plans(facts: Mapping[str, Any]) -> str:
    updated = ngettext("last updated %(days)d day ago (%(touched)s)",
                       "last updated %(days)d days ago (%(touched)s)", facts["days"]) % facts
    items = ngettext("%(open_items)d item open", "%(open_items)d items open", facts["open_items"]) % facts
    if facts["current"]:
        return gettext("A joint plan runs to %(end)s; %(updated)s; %(items)s.") % {
            "end": facts["period_end"], "updated": updated, "items": items}
    if facts["period_end"]:
        return gettext("No joint plan covers today (the last ended %(end)s); %(updated)s.") % {
            "end": facts["period_end"], "updated": updated}
    return gettext("The joint plan has not started yet; %(updated)s.") % {"updated": updated}


def trust(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    rows = run(
        f"""
        SELECT account_id, SUM(them), SUM(1 - them),
               SUM(w * them), SUM(w * them * t), SUM(w * (1 - them)), SUM(w * (1 - them) * t),
               MIN(CASE WHEN them = 1 THEN age END), MIN(CASE WHEN them = 0 THEN age END)
        FROM (
            SELECT account_id, CASE WHEN direction = :them THEN 1 ELSE 0 END AS them,
                   CAST(trust AS DOUBLE PRECISION) AS t,
                   {age_days_sql("rated_at", is_datetime=False, at=":day")} AS age,
                   {decay_sql("rated_at", ctx.rate, is_datetime=False, at=":day")} AS w
            FROM {table(TrustRating)}
            WHERE rated_at <= :day AND rated_at >= :start{scope_sql("account_id", scope)}
        ) answers
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        day=ctx.as_of_date, start=ctx.horizon_start_date, them=Direction.TO_US,
    )
    day = ctx.as_of_date
    result: dict[int, SignalValue] = {}
    for account_id, n_them, n_us, w_them, t_them, w_us, t_us, age_them, age_us in rows:
        w_them, t_them = float(w_them or 0), float(t_them or 0)
        w_us, t_us = float(w_us or 0), float(t_us or 0)
        total = TRUST_THEIR_WEIGHT * w_them + w_us
        if not total:
            continue
        mean = (TRUST_THEIR_WEIGHT * t_them + t_us) / total
        result[account_id] = SignalValue(clamp((mean - 1) / 4), {
            "them": round(t_them / w_them, 1) if w_them else None, "n_them": int(n_them),
            "last_them": iso(day - timedelta(days=round(age_them))) if age_them is not None else None,
            "us": round(t_us / w_us, 1) if w_us else None, "n_us": int(n_us),
            "last_us": iso(day - timedelta(days=round(age_us))) if age_us is not None else None,
        })
    return result


def explain_trust(facts: Mapping[str, Any]) -> str:
    parts = []
    if facts["them"] is not None:
        parts.append(ngettext(
            "they rate our trustworthiness %(them).1f of 5 (%(n_them)d answer, %(last_them)s)",
            "they rate our trustworthiness %(them).1f of 5 (%(n_them)d answers, latest %(last_them)s)",
            facts["n_them"],
        ) % facts)
    if facts["us"] is not None:
        parts.append(ngettext(
            "we rate theirs %(us).1f of 5 (%(n_us)d answer, %(last_us)s)",
            "we rate theirs %(us).1f of 5 (%(n_us)d answers, latest %(last_us)s)",
            facts["n_us"],
        ) % facts)
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def review(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """The last completed review: its outcome, the promise and neglect questions, and the
    competitor gap (our rating minus the best competitor's, per attribute, averaged)."""
    rows = run(
        f"""
        WITH last_review AS (
            SELECT id, account_id, held_at, outcome, promises_kept, neglect_found FROM (
                SELECT id, account_id, held_at, outcome, promises_kept, neglect_found,
                       ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY held_at DESC, id DESC) AS rn
                FROM {table(RelationshipReview)}
                WHERE status = :completed AND held_at <= :day AND held_at >= :start
                      {scope_sql("account_id", scope)}
            ) ranked WHERE rn = 1
        ), gaps AS (
            SELECT review_id, attribute,
                   MAX(CASE WHEN competitor_id IS NULL THEN score END) AS ours,
                   MAX(CASE WHEN competitor_id IS NOT NULL THEN score END) AS best
            FROM {table(CompetitorRating)}
            WHERE review_id IN (SELECT id FROM last_review)
            GROUP BY review_id, attribute
        )
        SELECT l.account_id, l.held_at, l.outcome, l.promises_kept, l.neglect_found,
               AVG(CAST(g.ours - g.best AS DOUBLE PRECISION)), COUNT(g.best)
        FROM last_review l
        LEFT JOIN gaps g ON g.review_id = l.id AND g.ours IS NOT NULL AND g.best IS NOT NULL
        GROUP BY l.account_id, l.held_at, l.outcome, l.promises_kept, l.neglect_found
        """,  # noqa: S608 - only table names and constants are formatted in
        completed=ReviewStatus.COMPLETED, day=ctx.as_of_date, start=ctx.horizon_start_date,
    )
    result: dict[int, SignalValue] = {}
    for account_id, held_at, outcome, promises_kept, neglect_found, gap, compared in rows:
        held = date_value(held_at)
        parts = []
        if outcome in OUTCOME_VALUES:
            parts.append(OUTCOME_VALUES[outcome])
        if promises_kept is not None:
            parts.append(1.0 if promises_kept else 0.0)
        if neglect_found is not None:
            parts.append(0.0 if neglect_found else 1.0)
        if compared:
            parts.append(clamp(0.5 + float(gap) / 4))
        if not parts:
            continue
        raw = sum(parts) / len(parts)
        # Old reviews say less: the value drifts back to neutral as the review ages.
        age = (ctx.as_of_date - held).days
        value = 0.5 + (raw - 0.5) * 0.5 ** (age / ctx.config.half_life_days)
        result[account_id] = SignalValue(value, {
            "held": held.isoformat(), "outcome": outcome or "",
            "promises_kept": None if promises_kept is None else bool(promises_kept),
            "neglect": None if neglect_found is None else bool(neglect_found),
            "gap": round(float(gap), 1) if compared else None,
        })
    return result


def explain_review(facts: Mapping[str, Any]) -> str:
    parts = []
    if facts["outcome"]:
        parts.append(gettext("judged %(outcome)s") % {
            "outcome": str(Outcome(facts["outcome"]).label).lower()})
    if facts["promises_kept"] is not None:
        parts.append(gettext("promises fully kept") if facts["promises_kept"]
                     else gettext("promises not fully kept"))
    if facts["neglect"] is not None:
        parts.append(gettext("something important neglected") if facts["neglect"]
                     else gettext("nothing important neglected"))
    if facts["gap"] is not None:
        gap = facts["gap"]
        if gap >= 0:
            parts.append(gettext("rated %(gap).1f points above the best competitor on average")
                         % {"gap": gap})
        else:
            parts.append(gettext("rated %(gap).1f points below the best competitor on average")
                         % {"gap": -gap})
    return gettext("Last review (%(held)s): %(parts)s.") % {"held": facts["held"], "parts": "; ".join(parts)}


register(SignalDef(
    name="shared_plans",
    label=_("Shared plans"),
    principles="P12",
    description=_(
        "Whether a joint plan covers today and how recently it (or one of its items) was "
        "updated: full marks for a current plan touched today, half for one that has ended; "
        "the value halves every 90 days nobody touches it."
    ),
    default_weight=1,
    compute=shared_plans,
    explain=explain_plans,
    no_data=_("No joint plan with this account."),
    events=(EventsLink("account_plans", args=True),),
    order=100,
))

register(SignalDef(
    name="trust",
    label=_("Trust ratings"),
    principles="P16",
    description=_(
        "Trust survey answers in both directions (1 to 5), recent answers counting more; what "
        "the customer says about us counts twice what we say about them. 1 scores zero, 5 "
        "full marks."
    ),
    default_weight=3,
    compute=trust,
    explain=explain_trust,
    no_data=_("No trust rating in the last %(months)d months."),
    events=(EventsLink("account_trust", args=True),),
    order=120,
))

register(SignalDef(
    name="review",
    label=_("Last review"),
    principles="P9",
    description=_(
        "The last completed relationship review: improving, steady or deteriorating; whether "
        "our promises were fully kept; whether anything important was neglected; and how the "
        "customer rates us against the best competitor, attribute by attribute. An old review "
        "drifts back toward neutral with the evidence half-life."
    ),
    default_weight=3,
    compute=review,
    explain=explain_review,
    no_data=_("No completed review in the last %(months)d months."),
    events=(EventsLink("account_reviews", args=True),),
    order=130,
))
