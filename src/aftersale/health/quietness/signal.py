"""Quietness (P10): fewer requests and complaints than accounts like it would raise.

The peers are fitted once per scan (``aftersale.health.quietness.assess.fit_quietness``,
stored beside the rhythm models); this signal values the accounts in scope
against that fit. A quiet account (facts ``quiet``) is held by the band rules: the engine
never bands it healthy, however green its other signals (see ``evaluate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aftersale.core.sql import Scope
from aftersale.health.quietness.assess import STREAM, TOO_NEW, assess_quietness
from aftersale.health.signals.registry import (
    CUSTOMERS_ONLY,
    EvalContext,
    EventsLink,
    SignalDef,
    SignalValue,
    register,
)

NAME = "quietness"


def quietness(ctx: EvalContext, scope: Scope) -> dict[int, SignalValue]:
    assessed = assess_quietness(ctx.as_of, scope, ctx.fits.get(STREAM))
    return {account_id: SignalValue(a.value, a.facts) for account_id, a in assessed.items()}


def explain(facts: Mapping[str, Any]) -> str:
    if "not_judged" in facts:
        return _explain_not_judged(facts)
    raised = ngettext(
        "Raised %(observed)d request or complaint in the last %(days)d days",
        "Raised %(observed)d requests and complaints in the last %(days)d days",
        facts["observed"],
    ) % {"observed": facts["observed"], "days": facts["window_days"]}
    machines = ngettext("%(n)d machine installed", "%(n)d machines installed", facts["assets"]) % {
        "n": facts["assets"]}
    peers = _("accounts with the same exposure (%(machines)s, their age, contract cover, our "
              "outreach and the orders of the year before) raise about %(expected)s") % {
        "machines": machines, "expected": number_format(facts["expected"], 1)}
    if facts["quiet"]:
        return _(
            "%(raised)s, where %(peers)s: so few by chance has a probability of %(p)s, among the "
            "improbable few flagged at a %(fdr)s false-discovery rate. A customer is never that "
            "satisfied for long: step in."
        ) % {"raised": raised, "peers": peers,
             "p": f"{facts['p']:.2g}".replace(".", get_format("DECIMAL_SEPARATOR")),
             "fdr": f"{number_format(100 * facts['fdr'], 0)}%"}
    return _("%(raised)s; %(peers)s.") % {"raised": raised, "peers": peers}


def _explain_not_judged(facts: Mapping[str, Any]) -> str:
    if facts["not_judged"] == TOO_NEW:
        return ngettext(
            "Not judged: using us for %(days)d day of the last %(window)d, under the %(least)d needed.",
            "Not judged: using us for %(days)d days of the last %(window)d, under the %(least)d needed.",
            facts["exposure_days"],
        ) % {"days": facts["exposure_days"], "window": facts["window_days"], "least": facts["min_days"]}
    return ngettext(
        "Not judged: no machine installed and %(orders)d order in the last %(window)d days (fewer than "
        "%(least)d), so nothing exposes it to needing us.",
        "Not judged: no machine installed and %(orders)d orders in the last %(window)d days (fewer than "
        "%(least)d), so nothing exposes it to needing us.",
        facts["orders"],
    ) % {"orders": facts["orders"], "window": facts["window_days"], "least": facts["min_orders"]}


register(SignalDef(
    name=NAME,
    label=gettext_lazy("Quietness"),
    principles="P10",
    description=gettext_lazy(
        "Requests and complaints the customer raised over the last year (service cases it opened, "
        "scheduled maintenance excluded, and touchpoints it started), against what accounts with "
        "the same exposure raise: a zero-inflated negative-binomial model of installed machines, "
        "their age, the share a maintenance contract covers, our own outreach and the orders of "
        "the year before, fitted on the "
        "whole portfolio at each scan with each account's own count left out. The value is twice "
        "the probability of seeing so few by chance (at most 1). The quiet accounts are chosen by "
        "Benjamini-Hochberg at the QUIET_FDR false-discovery rate: each gets a step-in alert and "
        "is never banded healthy. Accounts with no equipment and few orders are not judged."
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
    events=(EventsLink("account_detail", "?kind=case&kind=touchpoint#timeline", args=True),),
))
