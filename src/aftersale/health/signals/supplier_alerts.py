"""The supplier-side alert: a supplier whose ideas dried up while our price pressure rose.

Aggressive buyers who play suppliers off against each other win lower prices but
lose the information and ideas trusting suppliers share (P18, P19). Read from the
facts the supplier signals already computed (recent half-year against the one
before), so it costs no query of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from aftersale.alerts import texts
from aftersale.alerts.actions import Condition, Key
from aftersale.alerts.models import AlertKind
from aftersale.alerts.texts import AlertText, Params
from aftersale.health import engine_alerts
from aftersale.health.evaluate import AccountHealth
from aftersale.health.signals.registry import EvalContext

# Ideas "dried up": at least this many in the earlier half-year, at most half as many since.
MIN_EARLIER_IDEAS = 2
# Pressure "rose": this many more bids and re-quotes per order than in the half-year before.
MIN_PRESSURE_RISE = 0.5


def squeezed(ideas: Mapping[str, Any], pressure: Mapping[str, Any]) -> bool:
    """Plain rule over the two signals' facts (tested without a database)."""
    if ideas.get("earlier", 0) < MIN_EARLIER_IDEAS or ideas.get("recent", 0) * 2 > ideas["earlier"]:
        return False
    now, before = pressure.get("recent"), pressure.get("earlier")
    return now is not None and before is not None and now - before >= MIN_PRESSURE_RISE


def supplier_squeezed(ctx: EvalContext, results: Mapping[int, AccountHealth]) -> dict[Key, Condition]:
    wanted: dict[Key, Condition] = {}
    for account_id, health in results.items():
        ideas = health.values.get("supplier_ideas")
        pressure = health.values.get("supplier_price_pressure")
        if ideas is None or pressure is None or ideas.value is None or pressure.value is None:
            continue
        if not squeezed(ideas.facts, pressure.facts):
            continue
        wanted[(account_id, "")] = Condition({
            "ideas_now": ideas.facts["recent"], "ideas_before": ideas.facts["earlier"],
            "now": pressure.facts["recent"], "before": pressure.facts["earlier"],
        })
    return wanted


def render_supplier_squeezed(params: Params) -> AlertText:
    return AlertText(
        _(
            "Ideas from this supplier dried up (%(ideas_now)s in the last six months against "
            "%(ideas_before)s in the six before) while our price pressure rose (%(now)s "
            "competing bids and re-quotes per order, up from %(before)s)."
        ) % {
            "ideas_now": texts.number(params.get("ideas_now")),
            "ideas_before": texts.number(params.get("ideas_before")),
            "now": texts.number(params.get("now"), 1), "before": texts.number(params.get("before"), 1),
        },
        _("Meet the supplier about more than price: ask what the pressure is costing us in ideas "
          "and quality."),
    )


engine_alerts.register(AlertKind.SUPPLIER_SQUEEZED, supplier_squeezed, render_supplier_squeezed)
