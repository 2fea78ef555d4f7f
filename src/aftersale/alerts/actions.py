"""Raising and resolving alerts idempotently.

A condition function (in a domain app or the health engine) says which
(account, subject) pairs of one kind should have an open alert as of a moment;
``reconcile_alerts`` opens the missing ones and resolves those whose condition
stopped. Running it twice for the same moment changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from aftersale.accounts.models import Account
from aftersale.alerts.models import STEP_IN_KINDS, Alert
from aftersale.alerts.step_in import last_two_way_contacts


@dataclass(frozen=True)
class Condition:
    """One alert that should be open, with the facts its text is rendered from when read
    (``aftersale.alerts.texts``): numbers, ISO dates, names, record ids, enum values."""

    params: dict[str, Any] = field(default_factory=dict)


Key = tuple[int, str]  # (account_id, subject)


@dataclass
class ReconcileResult:
    opened: int = 0
    resolved: int = 0


def raise_alert(
    *, kind: str, account: Account, subject: str = "", params: dict[str, Any], at: datetime,
) -> Alert | None:
    """Open an alert unless one of that (account, kind, subject) is already open; ``params``
    are the facts its registered text renders from."""
    existing = Alert.objects.open().filter(account=account, kind=kind, subject=subject).first()
    if existing is not None:
        return None
    try:
        with transaction.atomic():
            return Alert.objects.create(
                kind=kind, account=account, subject=subject, owner_id=account.owner_id,
                params=params, opened_at=at,
            )
    except IntegrityError:
        # Another process opened it between our check and our insert.
        return None


def reconcile_alerts(
    *, kind: str, wanted: Mapping[Key, Condition], at: datetime,
    account_ids: Iterable[int] | None = None,
) -> ReconcileResult:
    """Make the open alerts of ``kind`` match ``wanted``.

    ``account_ids`` limits the reconciliation to those accounts (a one-account
    refresh must not resolve the alerts of every other account). Step-in kinds
    (silence, quiet customer) resolve only by a two-way contact logged after
    they opened (``aftersale.alerts.step_in``).
    """
    result = ReconcileResult()
    open_alerts = Alert.objects.open().filter(kind=kind)
    if account_ids is not None:
        open_alerts = open_alerts.filter(account_id__in=list(account_ids))
    rows = list(open_alerts.values_list("account_id", "subject", "pk", "opened_at"))
    current = {(account_id, subject): pk for account_id, subject, pk, _ in rows}

    if kind in STEP_IN_KINDS:
        # A step-in alert closes when someone has talked with the customer since it opened,
        # and only then: not because the condition's computation moved (a new fit, a
        # changed setting), whatever ``wanted`` says now.
        talked = last_two_way_contacts(open_alerts, at) if rows else {}
        stale = [pk for account_id, _, pk, opened in rows
                 if (last := talked.get(account_id)) is not None and last > opened]
    else:
        stale = [pk for key, pk in current.items() if key not in wanted]
    if stale:
        result.resolved = Alert.objects.filter(pk__in=stale, resolved_at__isnull=True).update(
            resolved_at=at
        )

    missing = [key for key in wanted if key not in current]
    if missing:
        owners = dict(
            Account.objects.filter(pk__in={k[0] for k in missing}).values_list("pk", "owner_id")
        )
        rows = [
            Alert(
                kind=kind, account_id=account_id, subject=subject, owner_id=owners[account_id],
                params=wanted[(account_id, subject)].params, opened_at=at,
            )
            for account_id, subject in missing
            if account_id in owners
        ]
        # ignore_conflicts: a concurrent scan may have opened some of them.
        Alert.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        result.opened = len(rows)
    return result
