"""One account's health as the ``health`` command and the account page present it.

Reads only: evaluating "as of" a date and listing the alert conditions that
hold then must never change what the scan stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.alerts import registry as alert_registry
from aftersale.alerts import texts
from aftersale.alerts.models import Alert
from aftersale.health import engine_alerts
from aftersale.health.evaluate import AccountHealth, evaluate_account
from aftersale.health.signals import registry
from aftersale.health.signals.registry import EvalContext


def alert_conditions(ctx: EvalContext, account: Account, health: AccountHealth) -> list[dict[str, Any]]:
    """Every alert condition that holds for the account as of ``ctx.as_of``, with the
    moment its alert was opened if one was open then (``None`` if none was raised), its
    text in the active language."""
    wanted = {
        **alert_registry.evaluate(ctx.as_of, [account.pk]),
        **engine_alerts.evaluate(ctx, {account.pk: health}),
    }
    open_then = {
        (kind, subject): opened
        for kind, subject, opened in Alert.objects.filter(account=account, opened_at__lte=ctx.as_of)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=ctx.as_of))
        .values_list("kind", "subject", "opened_at")
    }
    rows = []
    for kind, conditions in sorted(wanted.items()):
        for (account_id, subject), condition in sorted(conditions.items()):
            if account_id != account.pk:
                continue
            opened = open_then.get((kind, subject))
            rows.append({
                "kind": kind,
                "opened_at": timezone.localtime(opened).isoformat(timespec="seconds") if opened else None,
                "explanation": texts.render(kind, condition.params).explanation,
            })
    return rows


def account_report(account: Account, as_of: datetime) -> tuple[dict[str, Any], AccountHealth, EvalContext]:
    """The ``health --json`` object, plus the evaluation behind it."""
    health, ctx = evaluate_account(account, as_of)
    signals = [
        {key: row[key] for key in ("name", "value", "weight", "contribution", "explanation")}
        for row in health.signal_rows(ctx.months)
    ]
    report = {
        "account": account.external_id,
        "as_of": timezone.localtime(as_of).isoformat(timespec="seconds"),
        "score": health.rounded_score,
        "band": health.band,
        "coverage": round(health.coverage, 2),
        "trend": health.trend or None,
        "signals": signals,
        "alerts": alert_conditions(ctx, account, health),
    }
    return report, health, ctx


def moved_rows(health: AccountHealth) -> list[dict[str, Any]]:
    """"Why it moved": each big change since the previous scan, linked to its events."""
    rows = []
    for name, delta in health.moved:
        definition = registry.get(name)
        rows.append({
            "name": name,
            "label": str(definition.label) if definition else name,
            "change": round(delta, 1),
            "url": definition.events_url(health.account_id) if definition else None,
        })
    return rows
