"""Staff pages: how the score works, and one account's health explained."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.access import access_account
from aftersale.accounts.models import AccountKind
from aftersale.core.asof import BadDate, parse_as_of
from aftersale.core.filters import FilterForm
from aftersale.health.models import Band, ScanRun, ScanStatus
from aftersale.health.panel import panel_context
from aftersale.health.quietness.assess import COVARIATES
from aftersale.health.quietness.assess import STREAM as QUIETNESS
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
    return render(request, "health/model.html", {"config": config, "signals": signals, "bands": Band,
                                                  "quiet": latest_quiet_model()})


#: How the model page names the quietness covariates.
COVARIATE_LABELS = {
    "log_assets": _("installed machines (log of 1 + count)"),
    "asset_age_years": _("mean age of the machines (years)"),
    "contract_coverage": _("share of the machines a maintenance contract covers"),
    "log_outreach_per_year": _("our own outreach (log of 1 + contacts we started per year)"),
    "log_prior_orders_per_year": _("orders in the year before the window (log of 1 + per year)"),
    "new_in_window": _("new in the window (no history before it)"),
}


def latest_quiet_model() -> dict[str, Any] | None:
    """The quietness model of the latest finished scan, as the model page shows it."""
    latest = (ScanRun.objects.filter(status=ScanStatus.DONE).order_by("-as_of")
              .values_list("as_of", "rhythm_models").first())
    if latest is None:
        return None
    as_of, models = latest
    fit = next((m for m in models or [] if m.get("stream") == QUIETNESS and "tested" in m), None)
    if fit is None:
        return None
    params = fit.get("params", {})
    return {
        **fit,
        "as_of": as_of,
        "zero_inflated": fit.get("kind") == "zinb",
        "coefficients": [(COVARIATE_LABELS.get(name, name), params.get(name)) for name in COVARIATES],
        "intercept": params.get("intercept"),
    }


class MomentField(forms.CharField):
    """A day (its end) or an ISO date and time, as the ``health`` command takes it."""

    def to_python(self, value: Any) -> datetime | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_as_of(text)
        except BadDate as error:
            raise ValidationError(str(error)) from None


class HealthFilters(FilterForm):
    as_of = MomentField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    submit_label = _("Show")


@staff_required
def account_health(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    filters = HealthFilters(request.GET)
    context = {"account": account, "filters": filters,
               **panel_context(account, filters.values["as_of"], full=True)}
    template = "health/_panel.html" if request.htmx else "health/account.html"
    return render(request, template, context, status=filters.response_status)
