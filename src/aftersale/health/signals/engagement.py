"""Face time and what flows across it (P15, P17, P19): transactional share, technical
presence, and ideas and information shared."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.core.enums import Department, Direction
from aftersale.core.sql import Scope, decay_sql, run, scope_sql, table, true
from aftersale.engagement.models import (
    Idea,
    IdeaStatus,
    InfoShare,
    TopicClass,
    Touchpoint,
    TouchpointParticipant,
)
from aftersale.health.signals.registry import (
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    clamp,
    register,
)
from aftersale.service.models import WorkLog

# Decayed items per direction that earn full marks for ideas and information (about
# three a year each way at the default half-life).
IDEAS_TARGET = 2.0


def transactional_share(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    rows = run(
        f"""
        SELECT account_id, COUNT(*), SUM(mw), SUM(CASE WHEN topic_class = :tx THEN mw ELSE 0 END)
        FROM (
            SELECT account_id, topic_class,
                   minutes * {decay_sql("occurred_at", ctx.rate, is_datetime=True)} AS mw
            FROM {table(Touchpoint)}
            WHERE occurred_at <= :as_of AND occurred_at >= :start AND topic_class IN (:tx, :collab)
                  {scope_sql("account_id", scope)}
        ) face
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        as_of=ctx.as_of, start=ctx.horizon_start, tx=TopicClass.TRANSACTIONAL,
        collab=TopicClass.COLLABORATIVE,
    )
    trusted = ctx.config.transactional_trusted_share
    untrusted = ctx.config.transactional_untrusted_share
    result: dict[int, SignalValue] = {}
    for account_id, n, w_all, w_tx in rows:
        if not w_all:
            continue
        share = float(w_tx or 0) / float(w_all)
        result[account_id] = SignalValue(clamp((untrusted - share) / (untrusted - trusted)), {
            "share": round(100 * share), "trusted": round(100 * trusted),
            "untrusted": round(100 * untrusted), "touchpoints": n,
        })
    return result


def explain_transactional(facts: Mapping[str, Any]) -> str:
    return _(
        "%(share)d%% of recent face time went on price, contracts, disputes or chasing "
        "(most trusted partners: about %(trusted)d%%; least trusted: %(untrusted)d%%)."
    ) % facts


def technical_presence(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    """Touchpoint minutes with an engineering, production or service person present,
    plus on-site work by those departments, as a share of all face time."""
    technical = ", ".join(f"'{d}'" for d in Department.technical())
    rows = run(
        f"""
        SELECT account_id, SUM(minutes * w * tech), SUM(minutes * w),
               SUM(CASE WHEN src = 0 THEN tech ELSE 0 END), SUM(1 - src), SUM(src)
        FROM (
            SELECT t.account_id AS account_id, t.minutes AS minutes, 0 AS src,
                   {decay_sql("t.occurred_at", ctx.rate, is_datetime=True)} AS w,
                   CASE WHEN EXISTS (
                       SELECT 1 FROM {table(TouchpointParticipant)} p
                       WHERE p.touchpoint_id = t.id AND p.department IN ({technical})
                   ) THEN 1 ELSE 0 END AS tech
            FROM {table(Touchpoint)} t
            WHERE t.occurred_at <= :as_of AND t.occurred_at >= :start{scope_sql("t.account_id", scope)}
            UNION ALL
            SELECT w.account_id, CAST(w.hours AS DOUBLE PRECISION) * 60, 1,
                   {decay_sql("w.worked_on", ctx.rate, is_datetime=False, at=":day")}, 1
            FROM {table(WorkLog)} w
            WHERE w.on_site = {true()} AND w.department IN ({technical})
              AND w.worked_on <= :day AND w.worked_on >= :start_day{scope_sql("w.account_id", scope)}
        ) face
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        as_of=ctx.as_of, start=ctx.horizon_start, day=ctx.as_of_date, start_day=ctx.horizon_start_date,
    )
    target = ctx.config.technical_target_share
    result: dict[int, SignalValue] = {}
    for account_id, w_tech, w_all, tech_touchpoints, touchpoints, visits in rows:
        if not w_all:
            continue
        share = float(w_tech or 0) / float(w_all)
        result[account_id] = SignalValue(clamp(share / target), {
            "share": round(100 * share), "target": round(100 * target),
            "technical": int(tech_touchpoints or 0), "touchpoints": int(touchpoints or 0),
            "visits": int(visits or 0),
        })
    return result


def explain_technical(facts: Mapping[str, Any]) -> str:
    text = _(
        "Engineering, production or service people were part of %(share)d%% of recent face time "
        "(%(technical)d of %(touchpoints)d touchpoints"
    ) % facts
    if facts["visits"]:
        text += ngettext(
            ", %(visits)d on-site visit", ", %(visits)d on-site visits", facts["visits"]
        ) % facts
    return text + ")" + _("; aim: %(target)d%%.") % facts


def ideas_info(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    scoped = scope_sql("account_id", scope)
    rows = run(
        f"""
        SELECT account_id,
               SUM(CASE WHEN direction = :us THEN w ELSE 0 END),
               SUM(CASE WHEN direction = :them THEN w ELSE 0 END),
               SUM(CASE WHEN direction = :us THEN 1 ELSE 0 END),
               SUM(CASE WHEN direction = :them THEN 1 ELSE 0 END),
               SUM(adopted)
        FROM (
            SELECT account_id, direction,
                   {decay_sql("proposed_at", ctx.rate, is_datetime=False, at=":day")} AS w,
                   CASE WHEN status = :adopted AND decided_at <= :day THEN 1 ELSE 0 END AS adopted
            FROM {table(Idea)}
            WHERE proposed_at <= :day AND proposed_at >= :start{scoped}
            UNION ALL
            SELECT account_id, direction,
                   {decay_sql("shared_at", ctx.rate, is_datetime=False, at=":day")}, 0
            FROM {table(InfoShare)}
            WHERE shared_at <= :day AND shared_at >= :start{scoped}
        ) flows
        GROUP BY account_id
        """,  # noqa: S608 - only table names and constants are formatted in
        day=ctx.as_of_date, start=ctx.horizon_start_date, us=Direction.FROM_US, them=Direction.TO_US,
        adopted=IdeaStatus.ADOPTED,
    )
    result: dict[int, SignalValue] = {}
    for account_id, w_us, w_them, n_us, n_them, adopted in rows:
        ours = min(1.0, float(w_us or 0) / IDEAS_TARGET)
        theirs = min(1.0, float(w_them or 0) / IDEAS_TARGET)
        result[account_id] = SignalValue((ours + theirs) / 2, {
            "from_us": int(n_us or 0), "from_them": int(n_them or 0), "adopted": int(adopted or 0),
            "months": ctx.months,
        })
    return result


def explain_ideas(facts: Mapping[str, Any]) -> str:
    text = ngettext(
        "In the last %(months)d months we offered %(from_us)d idea or piece of information "
        "and they offered %(from_them)d",
        "In the last %(months)d months we offered %(from_us)d ideas or pieces of information "
        "and they offered %(from_them)d",
        facts["from_us"],
    ) % facts
    if facts["adopted"]:
        text += ngettext(
            "; %(adopted)d idea adopted", "; %(adopted)d ideas adopted", facts["adopted"]
        ) % facts
    return text + "."


register(SignalDef(
    name="transactional_share",
    label=_("Transactional face time"),
    principles="P17",
    description=_(
        "Share of face time spent on price, contracts, disputes and expediting rather than on "
        "planning, ideas, improvement, training and support, recent minutes counting more. "
        "Reference levels from studies of automakers and suppliers: the most trusted partners "
        "spend about a quarter of their face time this way, the least trusted almost half. "
        "At or below the trusted level scores full marks, at or above the untrusted level zero."
    ),
    default_weight=3,
    compute=transactional_share,
    explain=explain_transactional,
    no_data=_("No touchpoint with a topic in the last %(months)d months."),
    order=70,
    events=(EventsLink("account_detail", "?kind=touchpoint#timeline", args=True),),
))

register(SignalDef(
    name="technical_presence",
    label=_("Technical presence"),
    principles="P15",
    description=_(
        "Share of face time (touchpoint minutes and on-site work) in which engineering, "
        "production or service people took part, against a target share."
    ),
    default_weight=5,
    compute=technical_presence,
    explain=explain_technical,
    no_data=_("No face time recorded in the last %(months)d months."),
    order=80,
    events=(EventsLink("account_detail", "?kind=touchpoint#timeline", args=True),),
))

register(SignalDef(
    name="ideas_info",
    label=_("Ideas and information shared"),
    principles="P12, P19",
    description=_(
        "Ideas and information (forecasts, roadmaps, cost and quality data, confidential "
        "documents) offered in each direction, recent ones counting more. Half the marks come "
        "from what we offer, half from what they offer: trust shows in both directions."
    ),
    default_weight=4,
    compute=ideas_info,
    explain=explain_ideas,
    no_data=_("No ideas or information shared in the last %(months)d months."),
    events=(EventsLink("account_ideas", args=True),),
    order=110,
))

