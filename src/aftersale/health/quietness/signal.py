"""Quietness (P10): fewer requests and complaints than accounts like it would raise.

The peers are fitted once per scan (``aftersale.health.quietness.assess.fit_quietness``,
stored beside the rhythm models); this signal values the accounts in scope
against that fit. A quiet account's facts carry ``caps_band``: the engine
never bands it healthy, however green its other signals (see ``evaluate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aftersale.core.sql import Scope
from aftersale.health.quietness.assess import STREAM, assess_quietness
from aftersale.health.signals.registry import CUSTOMERS_ONLY, EvalContext, SignalDef, SignalValue, register

NAME = "quietness"


def quietness(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    assessed = assess_quietness(ctx.as_of, scope, ctx.fits.get(STREAM))
    return {account_id: SignalValue(a.value, a.facts) for account_id, a in assessed.items()}


def explain(facts: Mapping[str, Any]) -> str:
    raised = ngettext(
        "Raised %(observed)d request or complaint in the last %(days)d days",
        "Raised %(observed)d requests and complaints in the last %(days)d days",
        facts["observed"],
    ) % {"observed": facts["observed"], "days": facts["window_days"]}
    machines = ngettext("%(n)d machine installed", "%(n)d machines installed", facts["assets"]) % {
        "n": facts["assets"]}
    orders = ngettext("%(n)d order", "%(n)d orders", facts["orders"]) % {"n": facts["orders"]}
    peers = _("accounts with the same use (%(machines)s, %(orders)s) raise about %(expected)s") % {
        "machines": machines, "orders": orders, "expected": f"{facts['expected']:.1f}"}
    if facts["quiet"]:
        return _(
            "%(raised)s, where %(peers)s: so few by chance has a probability of %(p)s. A customer "
            "is never that satisfied for long: step in."
        ) % {"raised": raised, "peers": peers, "p": f"{facts['p']:.2g}"}
    return _("%(raised)s; %(peers)s.") % {"raised": raised, "peers": peers}


register(SignalDef(
    name=NAME,
    label=gettext_lazy("Quietness"),
    principles="P10",
    description=gettext_lazy(
        "Requests and complaints the customer raised over the last year (service cases it opened, "
        "scheduled maintenance excluded, and touchpoints it started), against what accounts with "
        "the same use raise: a Poisson regression on installed machines, their age, orders per "
        "year and, where enough accounts share them, tier and industry, fitted on the whole "
        "portfolio at each scan with each account's own count left out. The value is twice the "
        "probability of seeing so few by chance (at most 1). Below the QUIET_P setting the "
        "account is quiet: it gets a step-in alert and is never banded healthy. Accounts with no "
        "equipment and few orders are not judged."
    ),
    default_weight=5,
    neutral=1.0,
    compute=quietness,
    explain=explain,
    no_data=gettext_lazy(
        "Not judged: too little use (no equipment and few orders, or under six months) or too few "
        "comparable accounts to expect requests from it."
    ),
    order=15,
    kinds=CUSTOMERS_ONLY,  # requests and complaints are a customer's; a supplier raises none with us
))
