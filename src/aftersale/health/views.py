"""Staff pages: how the score works, whether it works (the latest backtest), one account's health."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersale.accounts.access import access_account
from aftersale.accounts.models import AccountKind
from aftersale.core import charts
from aftersale.core.asof import BadDate, end_of_day, parse_as_of
from aftersale.core.filters import FilterForm
from aftersale.health.actions import access_backtest_for_weights, do_apply_weights
from aftersale.health.backtest import ACTIVE, BASELINES, ORDERS_AGAIN, check_dates
from aftersale.health.models import BacktestRun, Band, ScanRun, ScanStatus
from aftersale.health.panel import panel_context
from aftersale.health.proof import latest_run
from aftersale.health.quietness.assess import COVARIATES
from aftersale.health.quietness.assess import STREAM as QUIETNESS
from aftersale.health.signals import registry
from aftersale.health.store import load_config
from aftersale.jobs import tasks
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


def ranking_label(name: str) -> str:
    """What a ranking of the backtest is, in words."""
    labels = {
        "health": _("Health score"),
        "rhythm": _("Rhythm alone: orders expected in the horizon"),
        "recency": _("Recency alone: days since the last order"),
        "frequency": _("Frequency alone: days with a repeat order"),
    }
    if name in labels:
        return str(labels[name])
    definition = registry.get(name)
    return str(definition.label) if definition else name


def proof_context(run: BacktestRun) -> dict[str, Any]:
    """What the "Does the score work?" page shows of one run."""
    report = run.report
    outcomes = []
    for key, title in ((ORDERS_AGAIN, _("Orders again")),
                       (ACTIVE, _("Still active: an order or a contact from them"))):
        found = report["outcomes"][key]
        outcomes.append({
            "key": key, "title": title, **{k: found[k] for k in ("accounts", "positives", "rate")},
            "rows": [{"name": name, "label": ranking_label(name),
                      "signal": name not in ("health", *BASELINES), **r}
                     for name, r in found["rankings"].items()],
        })
    headline = report["outcomes"][ORDERS_AGAIN]
    aucs = {n: r["auc"] for n, r in headline["rankings"].items() if r["auc"] is not None}
    health_auc = aucs.pop("health", None)
    best = max(aucs, key=aucs.__getitem__) if aucs else None
    calibration = headline["calibration"]
    tenth_rows = calibration["by_tenth"]
    chart = charts.line_chart(
        str(_("Who ordered again, by tenth of the health score")),
        [str(i + 1) for i in range(len(tenth_rows))],
        [charts.Series(str(_("Share that ordered again")), "s-brand", [t["rate"] for t in tenth_rows]),
         charts.Series(str(_("Calibrated chance")), "s-accent dashed", [t["predicted"] for t in tenth_rows])],
        y_range=(0, 1), y_format=charts.percent(0),
        references=[(str(_("All accounts")), headline["rate"] or 0, "s-muted")],
        description=str(_("From the lowest tenth of scores (1) to the highest (10): the share of "
                          "accounts that ordered again in the horizon, and the calibrated chance shown "
                          "beside scores.")),
    )
    fitted = report.get("fitted")
    weights = []
    if fitted:
        weights = [{"label": ranking_label(n), "current": fitted["current"].get(n, 0), "suggested": w}
                   for n, w in fitted["suggested"].items()]
        fitted = {**fitted, "best_label": ranking_label(fitted["best_part"]["name"]),
                  "fitted_on": fitted["fitted_on"][:10], "checked_on": fitted["checked_on"][:10]}
    return {
        "run": run, "report": report, "outcomes": outcomes, "chart": chart,
        "by_band": [{**b, "label": Band(b["band"]).label} for b in calibration["by_band"]],
        "tenths": tenth_rows, "unscored": calibration["unscored"],
        "health_auc": health_auc, "best": best and {"label": ranking_label(best), "auc": aucs[best]},
        "expected": [{"group": g, **row} for g, row in (report.get("expected_orders") or {}).items()],
        "fitted": fitted, "weights": weights,
    }


class BacktestForm(forms.Form):
    """What an admin asks the worker to backtest (the ``backtest`` command's options)."""

    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    horizon = forms.IntegerField(label=_("Horizon (days)"), min_value=1, max_value=3650, initial=180)
    fit_weights = forms.BooleanField(label=_("Fit weights on the date one horizon earlier"), required=False,
                                     initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("as_of") and data.get("horizon"):
            as_of = end_of_day(data["as_of"])
            try:
                check_dates(as_of, data["horizon"])
            except ValueError:
                raise ValidationError({"horizon": _(
                    "The horizon must have ended by today: what happened in it is not known yet.")}) from None
            data["moment"] = as_of
        return data


def default_backtest_form() -> BacktestForm:
    horizon = 180
    return BacktestForm(initial={"as_of": timezone.localdate() - timedelta(days=horizon), "horizon": horizon,
                                 "fit_weights": True})


@staff_required
def proof_page(request: HttpRequest) -> HttpResponse:
    """Does the score work? The latest backtest: how the shipped score ranked who ordered again."""
    run = latest_run()
    context: dict[str, Any] = {"run": run, "form": default_backtest_form()}
    if run is not None:
        context.update(proof_context(run))
    return render(request, "health/proof.html", context)


@require_POST
@staff_required
def start_backtest(request: HttpRequest) -> HttpResponse:
    """An admin queues a backtest (and a fit of weights) for the worker: too long for a request."""
    if not request.user.is_staff:
        raise PermissionDenied
    form = BacktestForm(request.POST)
    if not form.is_valid():
        run = latest_run()
        context: dict[str, Any] = {"run": run, "form": form}
        if run is not None:
            context.update(proof_context(run))
        return render(request, "health/proof.html", context, status=400)
    data = form.cleaned_data
    tasks.backtest.enqueue(data["moment"].isoformat(), data["horizon"], data["fit_weights"], request.user.pk)
    messages.success(request, _("The backtest is queued: the worker runs it, and this page shows it when it "
                                "is done."))
    return redirect("health_proof")


@require_POST
@staff_required
def apply_weights(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin applies the weights a backtest suggested (each change is in the audit trail)."""
    run = access_backtest_for_weights(request.user, pk)
    try:
        do_apply_weights(run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("health_proof")
    messages.success(request, _("The suggested weights are applied; the next scan scores with them."))
    return redirect("health_proof")
