"""Changes to the engine's settings made by people: applying the weights a backtest suggested."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.health.models import BacktestRun, SignalWeight
from aftersale.health.signals import registry
from aftersale.staff.models import User


def access_backtest_for_weights(user: User, pk: int) -> BacktestRun:
    """A run whose weights ``user`` may apply: admins only (403), an unknown run is a 404."""
    if not user.is_staff:
        raise PermissionDenied
    return get_object_or_404(BacktestRun, pk=pk)


def check_suggested(run: BacktestRun) -> dict[str, int]:
    fitted = run.report.get("fitted") or {}
    suggested = fitted.get("suggested") or {}
    if not suggested:
        raise ValidationError(_("This backtest has no suggested weights: run it with --fit-weights."))
    if run.applied_at is not None:
        raise ValidationError(_("These weights were applied already."))
    unknown = sorted(set(suggested) - set(registry.names()))
    if unknown:
        raise ValidationError(_("There is no signal called %(name)s.") % {"name": ", ".join(unknown)})
    if any(not isinstance(w, int) or not 0 <= w <= 100 for w in suggested.values()):
        raise ValidationError(_("A suggested weight is not a whole number from 0 to 100."))
    return suggested


@transaction.atomic
def do_apply_weights(run: BacktestRun, *, by: User) -> dict[str, int]:
    """Set each signal's weight to the suggestion, one saved row per change (so the audit trail
    records who changed which weight from what to what), and mark the run applied."""
    run = BacktestRun.objects.select_for_update().get(pk=run.pk)
    suggested = check_suggested(run)
    rows = {w.signal: w for w in SignalWeight.objects.select_for_update().filter(signal__in=suggested)}
    for name, weight in suggested.items():
        row = rows.get(name) or SignalWeight(signal=name, weight=weight)
        if row.pk is None or row.weight != weight:
            row.weight = weight
            row.save()
    run.applied_at, run.applied_by = timezone.now(), by
    run.save(update_fields=["applied_at", "applied_by"])
    return suggested
