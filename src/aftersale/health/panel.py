"""The score panel: one account's health as every page shows it (``health/_panel.html``).

The account page, its in-place refresh and the health page all build the panel
here, so they show the same score, band, coverage, trend, history, reasons
(with links to the records), band note, movements and signals.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersale.accounts.models import Account, AccountKind
from aftersale.alerts.models import AlertKind
from aftersale.core import charts
from aftersale.health.evaluate import evaluate_account
from aftersale.health.models import HealthSnapshot
from aftersale.health.proof import calibrated_probability, latest_run
from aftersale.health.report import alert_conditions, moved_rows
from aftersale.health.signals import registry

HISTORY_DAYS = 365


def score_history(account: Account, as_of: datetime, healthy_min: int) -> charts.Chart:
    """The scores the scans stored over the year up to ``as_of``, as a sparkline."""
    until = timezone.localdate(as_of)
    history = list(
        HealthSnapshot.objects.filter(
            account=account, as_of__gte=until - timedelta(days=HISTORY_DAYS), as_of__lte=until,
        ).order_by("as_of").values_list("as_of", "score")
    )
    scored = [day for day, score in history if score is not None]
    n = len(scored)
    title = _("Score from %(first)s to %(last)s") % {
        "first": charts.short_date(scored[0]), "last": charts.short_date(scored[-1]),
    } if scored else _("Score history")
    return charts.sparkline(
        title, history, y_range=(0, 100), label=_("Score"),
        reference=(_("Healthy from %(score)s") % {"score": healthy_min}, healthy_min),
        caption=ngettext("%(n)s scan", "%(n)s scans", n) % {"n": n},
    )


def probability(account: Account, score: float | None) -> dict[str, Any] | None:
    """The chance of ordering again within the latest backtest's horizon, for a customer's score,
    with its basis (the backtest's date and horizon); ``None`` without a calibrated backtest."""
    if account.kind != AccountKind.CUSTOMER or score is None:
        return None
    run = latest_run()
    value = calibrated_probability(run, score)
    if run is None or value is None:
        return None
    return {"percent": round(100 * value), "horizon": run.horizon_days,
            "as_of": timezone.localdate(run.as_of), "accounts": run.report.get("accounts")}


def panel_context(account: Account, as_of: datetime | None = None, *, full: bool = False) -> dict[str, Any]:
    """What ``health/_panel.html`` shows, evaluated as of ``as_of`` (now) by the scan's code.

    ``full`` (the health page) adds every alert condition that holds then and opens
    the table of signals; the account page keeps to the score and its reasons.
    """
    as_of = as_of or timezone.now()
    health, ctx = evaluate_account(account, as_of)
    context: dict[str, Any] = {
        "health": health,
        "as_of": as_of,
        "signals": health.signal_rows(ctx.months),
        "reasons": [
            {"label": d.label, "url": d.events_url(account.pk)}
            for name in health.reasons if (d := registry.get(name))
        ],
        "moved": moved_rows(health),
        "spark": score_history(account, as_of, ctx.config.healthy_min),
        "full": full,
        "probability": probability(account, health.score),
    }
    if full:
        context["alerts"] = [
            {**row, "label": AlertKind(row["kind"]).label if row["kind"] in AlertKind.values else row["kind"]}
            for row in alert_conditions(ctx, account, health)
        ]
    return context
