"""Alert kinds the engine itself raises, from the health it just computed.

Domain apps register conditions that read their own tables in
``aftersale.alerts.registry``; kinds that need the evaluated health (its
trend, its signals' facts) register here instead::

    from aftersale.health import engine_alerts
    engine_alerts.register("silence", my_condition, my_text)

where ``my_condition(ctx, results) -> {(account_id, subject): Condition}``
receives the ``EvalContext`` and ``{account_id: AccountHealth}`` of the
accounts being evaluated, and must not query per account. The scan (and a
one-account refresh) reconciles each kind over exactly those accounts.
``my_text(params) -> AlertText`` renders an alert's words from its condition's
params when the alert is read, in the reader's language
(``aftersale.alerts.texts``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from django.utils.translation import gettext as _

from aftersale.alerts import texts
from aftersale.alerts.actions import Condition, Key, ReconcileResult, reconcile_alerts
from aftersale.alerts.models import AlertKind
from aftersale.alerts.texts import AlertText, Params
from aftersale.health.evaluate import AccountHealth
from aftersale.health.models import Band, Trend
from aftersale.health.signals import registry
from aftersale.health.signals.registry import EvalContext

EngineCondition = Callable[[EvalContext, Mapping[int, AccountHealth]], dict[Key, Condition]]

_kinds: dict[str, EngineCondition] = {}


def register(kind: str, fn: EngineCondition, text: texts.Renderer) -> None:
    """Register an engine alert kind: its condition, and the renderer of its text."""
    _kinds[kind] = fn
    texts.register(kind, text)


def registered() -> dict[str, EngineCondition]:
    return dict(_kinds)


def evaluate(ctx: EvalContext, results: Mapping[int, AccountHealth]) -> dict[str, dict[Key, Condition]]:
    """What each engine kind says should be open (writes nothing)."""
    return {kind: fn(ctx, results) for kind, fn in _kinds.items()}


def reconcile(ctx: EvalContext, results: Mapping[int, AccountHealth],
              account_ids: Iterable[int]) -> dict[str, ReconcileResult]:
    ids = list(account_ids)
    return {
        kind: reconcile_alerts(kind=kind, wanted=wanted, at=ctx.as_of, account_ids=ids)
        for kind, wanted in evaluate(ctx, results).items()
    }


def health_deteriorating(ctx: EvalContext, results: Mapping[int, AccountHealth]) -> dict[Key, Condition]:
    """Open while the 90-day trend is deteriorating and the account is no longer healthy:
    a healthy account drifting a little does not need anyone's time yet."""
    wanted: dict[Key, Condition] = {}
    for account_id, health in results.items():
        if health.trend != Trend.DETERIORATING or health.band == Band.HEALTHY or health.score is None:
            continue
        wanted[(account_id, "")] = Condition({
            "change": round(-(health.trend_change or 0)), "score": round(health.score), "band": health.band,
            "signals": [name for name in health.reasons if registry.get(name)],
        })
    return wanted


def render_health_deteriorating(params: Params) -> AlertText:
    band = params.get("band")
    explanation = _("Health fell about %(change)s points over 90 days, to %(score)s (%(band)s).") % {
        "change": texts.number(params.get("change")), "score": texts.number(params.get("score")),
        "band": str(Band(band).label).lower() if band in Band.values else (band or ""),
    }
    labels = [str(d.label) for name in params.get("signals") or () if (d := registry.get(name))]
    if labels:
        explanation += " " + _("Weakest signals: %(signals)s.") % {"signals": ", ".join(labels)}
    return AlertText(
        explanation, _("Look at what changed and talk to the customer before it slips further."),
    )


register(AlertKind.HEALTH_DETERIORATING, health_deteriorating, render_health_deteriorating)
