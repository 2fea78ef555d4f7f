"""Contact rhythm and order rhythm (P1, P2, P8, P10): silence relative to the account's own pace.

Rhythm reads the whole history up to ``as_of`` (not only the evidence
horizon): an account that stopped ordering three years ago is the silence we
are looking for, not an account without data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from aftersale.commerce.models import Order
from aftersale.core.sql import Scope, age_days_sql, run, scope_sql, table
from aftersale.engagement.models import Touchpoint
from aftersale.health.rhythm import base as rhythm
from aftersale.health.signals.registry import (
    CUSTOMERS_ONLY,
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    register,
)


def _stats(model: type[Model], column: str, ctx: EvalContext, scope: Scope) -> dict[int, rhythm.RhythmStats]:
    rows = run(
        f"""
        SELECT account_id, COUNT(*), {age_days_sql(f"MIN({column})", is_datetime=True)},
               {age_days_sql(f"MAX({column})", is_datetime=True)}
        FROM {table(model)}
        WHERE {column} <= :as_of{scope_sql("account_id", scope)}
        GROUP BY account_id
        """,  # noqa: S608 - only table and column names are formatted in
        as_of=ctx.as_of,
    )
    return {a: rhythm.RhythmStats(n, float(first), float(last)) for a, n, first, last in rows}


def order_stats(ctx: EvalContext, scope: Scope) -> dict[int, rhythm.RhythmStats]:
    return _stats(Order, "placed_at", ctx, scope)


def contact_stats(ctx: EvalContext, scope: Scope) -> dict[int, rhythm.RhythmStats]:
    return _stats(Touchpoint, "occurred_at", ctx, scope)


STATS = {"orders": order_stats, "contacts": contact_stats}


def _gather(model: Any, stream: str, ctx: EvalContext, scope: Scope) -> Any:
    """The model's own query when it has one (distinct event days), else count/first/last."""
    gather = getattr(model, "gather", None)
    if gather is not None:
        return gather(ctx.as_of, scope)
    return STATS[stream](ctx, scope)


def _assess(stream: str, ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    model = rhythm.model_for(stream)
    assessed = model.assess(ctx.as_of, _gather(model, stream, ctx, scope), ctx.fits.get(stream))
    return {a: SignalValue(r.value, r.facts) for a, r in assessed.items()}


def contact_rhythm(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    return _assess("contacts", ctx, scope)


def order_rhythm(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    return _assess("orders", ctx, scope)


def fit_models(ctx: EvalContext) -> list[dict[str, Any]]:
    """Fit every model that needs it on the whole portfolio (once per scan): the rhythm of
    each stream, and the peers that quietness compares each account with."""
    from aftersale.health.quietness.assess import fit_quietness

    fits: list[dict[str, Any]] = []
    for stream in rhythm.STREAMS:
        model = rhythm.model_for(stream)
        if not model.needs_fit:
            continue
        fit = model.fit(ctx.as_of, _gather(model, stream, ctx, None))
        if fit is not None:
            fits.append({"stream": stream, **fit})
    quiet = fit_quietness(ctx.as_of)
    if quiet is not None:
        fits.append(quiet)
    return fits


def fits_by_stream(fits: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {f["stream"]: f for f in fits if "stream" in f}


register(SignalDef(
    name="contact_rhythm",
    label=_("Contact rhythm"),
    principles="P1, P8, P10",
    description=_(
        "The chance that the customer reaches out again within its usual gap, from the days on "
        "which it reached out (service cases raised and touchpoints it initiated), by one BG/NBD "
        "model fitted on the whole portfolio at each scan, for customers that reached out once "
        "as for the others; a new one is not scored down. Without a fitted model, or when the "
        "fit did not settle: days since the last contact in the account's own usual gaps."
    ),
    default_weight=22,
    compute=contact_rhythm,
    explain=lambda facts: rhythm.model_for("contacts").explain(facts),
    no_data=_("Too few contacts from the customer to judge a rhythm yet."),
    order=10,
    events=(EventsLink("account_detail", "?kind=touchpoint&kind=case#timeline", args=True),),
))

register(SignalDef(
    name="order_rhythm",
    label=_("Order rhythm"),
    principles="P2, P10",
    description=_(
        "The chance that the account orders again within its usual gap, from the days on which "
        "it ordered, by a BG/NBD model fitted on the whole portfolio at each scan, scored like "
        "the contact rhythm."
    ),
    default_weight=30,
    compute=order_rhythm,
    explain=lambda facts: rhythm.model_for("orders").explain(facts),
    no_data=_("Too few orders to judge a rhythm yet."),
    order=20,
    kinds=CUSTOMERS_ONLY,
    events=(EventsLink("account_detail", "?kind=order#timeline", args=True),),
))
