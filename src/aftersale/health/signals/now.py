"""Open problems (P3, P5, P10): what the customer feels now, and the band rules.

The other signals weigh the recent past; this one weighs what is wrong *today*, in
proportion to how much the customer feels it: a case past its target (more when it is
critical), equipment down, maintenance overdue, a promise overdue, a customer gone silent
or improbably quiet. It is derived from the other signals' facts for the same account and
moment (one definition of each problem: the signal that measures it), so it costs no query.

Each problem takes a share of what is left: ``value = prod(1 - severity)``; nothing open
is 1.0. The same facts drive the band rules (``EngineConfig.band_*``, tuned in the admin):
an account whose open problems take more than half of this signal's value, one with an open
step-in (silence or quietness), an open critical case past its target, or a promise overdue
by more than the set days is never banded healthy, and its reasons say why (``evaluate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aftersale.core.asof import days_between
from aftersale.health.quietness.flags import is_quiet, is_silent
from aftersale.health.signals.registry import (
    CUSTOMERS_ONLY,
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    register,
)

NAME = "open_problems"
NEEDS = ("service_targets", "open_cases", "maintenance", "promises", "contact_rhythm", "quietness")

# How much of what is left each open problem takes (documented in docs/health.md).
CASE_PAST_TARGET = 0.30
CRITICAL_PAST_TARGET = 0.60
EQUIPMENT_DOWN = 0.30
MAINTENANCE_OVERDUE = 0.15  # plus up to MAINTENANCE_LATE over MAINTENANCE_LATE_DAYS of lateness
MAINTENANCE_LATE = 0.25
MAINTENANCE_LATE_DAYS = 90
PROMISE_OVERDUE = 0.20  # each, at most PROMISES_COUNTED, plus up to PROMISE_LATE by the oldest's lateness
PROMISES_COUNTED = 3
PROMISE_LATE = 0.20
PROMISE_LATE_DAYS = 60
SILENT = 0.35
# An improbably quiet customer costs its points through the quietness signal itself (its value
# is judged without complaints); here it only drives the band rule, so that a complaint, which
# counts against the quiet flag, can never raise the score.

# The band rules, in the order their reasons are given.
RULE_STEP_IN = "step_in"
RULE_CRITICAL = "critical_past_target"
RULE_PROMISE = "promise_overdue"
RULE_SEVERE = "severe"


def _facts(values: Mapping[str, SignalValue], name: str) -> Mapping[str, Any]:
    sv = values.get(name)
    return sv.facts if sv is not None and sv.value is not None else {}


def problems(ctx: EvalContext, values: Mapping[str, SignalValue]) -> dict[str, Any]:
    """The open problems' counts as of ``ctx.as_of``, from the signals that measure them."""
    targets, cases = _facts(values, "service_targets"), _facts(values, "open_cases")
    upkeep, promises = _facts(values, "maintenance"), _facts(values, "promises")
    oldest = promises.get("oldest_overdue") if promises.get("overdue") else None
    return {
        "past_target": int(targets.get("missed_open", 0)),
        "critical_past_target": int(targets.get("missed_open_critical", 0)),
        "down": int(cases.get("down", 0)),
        "maintenance_overdue": int(upkeep.get("overdue", 0)),
        "maintenance_days": int(upkeep.get("worst_days", 0)) if upkeep.get("overdue") else 0,
        "promises_overdue": int(promises.get("overdue", 0)),
        "promise_days": days_between(date.fromisoformat(oldest), ctx.as_of_date) if oldest else 0,
        "silent": is_silent(values.get("contact_rhythm"), ctx.config.silence_p),
        "quiet": is_quiet(values.get("quietness")),
    }


def severity(found: Mapping[str, Any]) -> float:
    """0..1, 1 when nothing is open: each problem takes its share of what is left."""
    value = 1.0
    critical = found["critical_past_target"]
    value *= (1 - CRITICAL_PAST_TARGET) ** critical
    value *= (1 - CASE_PAST_TARGET) ** max(0, found["past_target"] - critical)
    value *= (1 - EQUIPMENT_DOWN) ** found["down"]
    if found["maintenance_overdue"]:
        late = min(1.0, found["maintenance_days"] / MAINTENANCE_LATE_DAYS)
        value *= 1 - MAINTENANCE_OVERDUE - MAINTENANCE_LATE * late
    if found["promises_overdue"]:
        late = min(1.0, found["promise_days"] / PROMISE_LATE_DAYS)
        value *= (1 - PROMISE_OVERDUE) ** min(PROMISES_COUNTED, found["promises_overdue"])
        value *= 1 - PROMISE_LATE * late
    if found["silent"]:
        value *= 1 - SILENT
    return value


def band_rules(ctx: EvalContext, found: Mapping[str, Any], value: float) -> list[str]:
    """The band rules this account breaks (it is then never banded healthy)."""
    config, broken = ctx.config, []
    if value < config.band_open_problems_min:
        broken.append(RULE_SEVERE)
    if config.band_rule_step_in and (found["silent"] or found["quiet"]):
        broken.append(RULE_STEP_IN)
    if config.band_rule_critical and found["critical_past_target"]:
        broken.append(RULE_CRITICAL)
    if config.band_promise_overdue_days and found["promises_overdue"] \
            and found["promise_days"] > config.band_promise_overdue_days:
        broken.append(RULE_PROMISE)
    return broken


def open_problems(ctx: EvalContext, values: Mapping[str, SignalValue]) -> SignalValue:
    if all(_facts(values, name) == {} for name in NEEDS):
        return SignalValue(None)
    found = problems(ctx, values)
    value = severity(found)
    rules = band_rules(ctx, found, value)
    return SignalValue(value, {
        **found, "rules": rules, "caps_band": bool(rules),
        "promise_limit": ctx.config.band_promise_overdue_days,
    })


def explain(facts: Mapping[str, Any]) -> str:
    parts = []
    if facts["past_target"]:
        text = ngettext("%(n)d open case past its target", "%(n)d open cases past their targets",
                        facts["past_target"]) % {"n": facts["past_target"]}
        if facts["critical_past_target"]:
            text += " " + _("(%(n)d critical)") % {"n": facts["critical_past_target"]}
        parts.append(text)
    if facts["down"]:
        parts.append(ngettext("%(n)d machine down (an open repair)", "%(n)d machines down (open repairs)",
                              facts["down"]) % {"n": facts["down"]})
    if facts["maintenance_overdue"]:
        parts.append(ngettext(
            "%(n)d maintenance visit overdue by %(days)d days",
            "%(n)d maintenance visits overdue, by up to %(days)d days",
            facts["maintenance_overdue"],
        ) % {"n": facts["maintenance_overdue"], "days": facts["maintenance_days"]})
    if facts["promises_overdue"]:
        parts.append(ngettext(
            "%(n)d promise overdue by %(days)d days",
            "%(n)d promises overdue, the oldest by %(days)d days",
            facts["promises_overdue"]) % {"n": facts["promises_overdue"], "days": facts["promise_days"]})
    if facts["silent"]:
        parts.append(_("the customer has gone silent"))
    if facts["quiet"]:
        parts.append(_("the customer is improbably quiet"))
    if not parts:
        return _("Nothing open that the customer feels now.")
    text = _("Open now: %(problems)s.") % {"problems": "; ".join(parts)}
    rules = {
        RULE_SEVERE: _("this much is open"),
        RULE_STEP_IN: _("someone must step in"),
        RULE_CRITICAL: _("a critical case is past its target"),
        RULE_PROMISE: _("a promise is overdue by more than %(days)d days") % {
            "days": facts.get("promise_limit", 0)},
    }
    if facts["rules"]:
        text += " " + _("Never healthy while %(rules)s.") % {
            "rules": _(" and ").join(str(rules[r]) for r in facts["rules"])}
    return text


register(SignalDef(
    name=NAME,
    label=gettext_lazy("Open problems"),
    principles="P3, P5, P10",
    description=gettext_lazy(
        "What the customer feels now: each open case past its target (a critical one more), "
        "each machine down, overdue maintenance, overdue promises and a customer gone silent "
        "take a share of the value. Nothing open scores full marks. The band rules read the "
        "same problems, and an improbably quiet customer too."
    ),
    default_weight=10,
    compute=None,
    derive=open_problems,
    needs=NEEDS,
    explain=explain,
    no_data=gettext_lazy("Nothing recorded yet to judge."),
    events=(EventsLink("service:board", "?account={account}"),),
    order=5,
    caps_band=True,
    neutral=1.0,
    kinds=CUSTOMERS_ONLY,
))
