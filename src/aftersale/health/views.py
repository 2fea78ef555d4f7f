"""Staff pages: how the score works, and one account's health explained."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aftersale.accounts.access import access_account
from aftersale.accounts.models import AccountKind
from aftersale.alerts.models import AlertKind
from aftersale.core.asof import BadDate, parse_as_of
from aftersale.health.evaluate import evaluate_account
from aftersale.health.models import Band
from aftersale.health.report import alert_conditions, moved_rows
from aftersale.health.signals import registry
from aftersale.health.store import load_config
from aftersale.staff.access import staff_required


@staff_required
def model_page(request: HttpRequest) -> HttpResponse:
    config = load_config()
    # A signal's share of the weight of the signals that score the same kind of account
    # (customers; for a supplier-only signal, suppliers).
    totals = {kind: sum(config.weight(d.name) for d in registry.all() if d.applies_to(kind)) or 1
              for kind in AccountKind.values}
    signals = [
        {"definition": d, "weight": (w := config.weight(d.name)), "share": round(100 * w / totals[
            AccountKind.CUSTOMER if d.applies_to(AccountKind.CUSTOMER) else AccountKind.SUPPLIER])}
        for d in registry.all()
    ]
    return render(request, "health/model.html", {"config": config, "signals": signals, "bands": Band})


@staff_required
def account_health(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    error = ""
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except BadDate as exc:
        error, as_of = str(exc), parse_as_of(None)
    health, ctx = evaluate_account(account, as_of)
    context = {
        "account": account,
        "as_of": as_of,
        "as_of_error": error,
        "health": health,
        "signals": health.signal_rows(ctx.months),
        "reasons": [d.label for name in health.reasons if (d := registry.get(name))],
        "moved": moved_rows(health),
        "alerts": [
            {**row, "label": AlertKind(row["kind"]).label if row["kind"] in AlertKind.values else row["kind"]}
            for row in alert_conditions(ctx, account, health)
        ],
    }
    template = "health/_panel.html" if request.htmx else "health/account.html"
    return render(request, template, context)
