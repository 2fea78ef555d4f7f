"""Where domain apps declare the alert conditions the health scan evaluates.

Each app registers, in its ``AppConfig.ready()``, one function per alert kind:
``fn(as_of: datetime, account_ids: list[int] | None) -> dict[(account_id, subject), Condition]``.
The function must be set-based (a few queries for all accounts) and ignore
events after ``as_of``. The scan (and a one-account refresh) calls
``evaluate()`` and hands each result to ``reconcile_alerts``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aftersale.alerts.actions import Condition, Key, ReconcileResult, reconcile_alerts

ConditionFn = Callable[[datetime, list[int] | None], dict[Key, Condition]]

_conditions: dict[str, ConditionFn] = {}


def register(kind: str, fn: ConditionFn) -> None:
    _conditions[kind] = fn


def registered() -> dict[str, ConditionFn]:
    return dict(_conditions)


def evaluate(as_of: datetime, account_ids: list[int] | None = None) -> dict[str, dict[Key, Condition]]:
    """What every registered condition says should be open as of ``as_of`` (writes nothing)."""
    return {kind: fn(as_of, account_ids) for kind, fn in _conditions.items()}


def refresh(as_of: datetime, account_ids: list[int] | None = None) -> dict[str, ReconcileResult]:
    """Open and resolve the alerts of every registered kind to match ``as_of``."""
    return {
        kind: reconcile_alerts(kind=kind, wanted=wanted, at=as_of, account_ids=account_ids)
        for kind, wanted in evaluate(as_of, account_ids).items()
    }
