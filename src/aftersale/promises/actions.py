"""Recording promises and moving them through their lifecycle, each change kept in history.

Every change goes through a conditional ``UPDATE ... WHERE version = N``: if
someone else saved the promise since the form was loaded, nothing is written
and ``PromiseConflict`` carries the history rows that explain what changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.accounts.models import Account, Contact
from aftersale.alerts.actions import raise_alert
from aftersale.alerts.models import AlertKind
from aftersale.core.changes import account_changed
from aftersale.core.enums import Department, Direction
from aftersale.promises.alerts import new_promise_params, promise_subject
from aftersale.promises.models import (
    EventAction,
    Promise,
    PromiseEvent,
    PromiseStatus,
    Stage,
)
from aftersale.staff.models import User

# The fields a plain edit may change. The due date is not among them: it moves
# only by renegotiation, so a promise cannot be quietly made "on time".
EDITABLE_FIELDS = (
    "contact", "direction", "description", "stage", "made_at", "made_by", "made_by_department",
    "delivery_owner", "delivery_department",
)
RECORDED_FIELDS = (*EDITABLE_FIELDS, "due_at")


class PromiseConflict(Exception):
    """Someone saved the promise after the form was loaded at ``expected_version``."""

    def __init__(self, promise_id: int, expected_version: int) -> None:
        self.promise_id = promise_id
        self.expected_version = expected_version
        self.events = list(
            PromiseEvent.objects.filter(promise_id=promise_id, version__gt=expected_version)
            .select_related("by")
            .order_by("version", "pk")
        )
        super().__init__(self.message())

    def message(self) -> str:
        if not self.events:
            return _("This promise was changed by someone else meanwhile; your changes were not saved.")
        parts = []
        for event in self.events:
            changed = "; ".join(f"{label}: {old} → {new}" for label, old, new in event.change_rows())
            parts.append(
                _("%(who)s, %(when)s: %(action)s (%(changes)s)") % {
                    "who": event.by or _("someone"),
                    "when": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
                    "action": event.get_action_display(),
                    "changes": changed or _("no field changed"),
                }
            )
        return _(
            "Your changes were not saved: this promise was changed meanwhile. %(changes)s. "
            "Check the current values and save again."
        ) % {"changes": " · ".join(parts)}


def access_promise(user: Any, pk: int) -> Promise:
    """The promise ``pk`` if ``user`` may see its account; otherwise 404."""
    return get_object_or_404(
        Promise.objects.restrict(user).select_related(
            "account", "account__owner", "contact", "made_by", "delivery_owner"
        ),
        pk=pk,
    )


def history_value(value: Any) -> Any:
    """A value as history keeps it: dates as ISO text, people and contacts by name."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def check_promise_dates(*, made_at: date, due_at: date | None, today: date) -> None:
    """A promise is made by ``today`` and due on or after the day it was made (``due_at``
    None: the due date is not being set). The forms, the actions and the import check this."""
    errors = {}
    if made_at > today:
        errors["made_at"] = _("A promise cannot be made in the future.")
    if due_at is not None and due_at < made_at:
        errors["due_at"] = _("The due date cannot be before the date the promise was made (%(made)s).") % {
            "made": made_at.isoformat()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_record_promise(
    *, account: Account, by: User | None, description: str, stage: str, made_at: date,
    made_by: User, made_by_department: str, due_at: date, delivery_owner: User,
    delivery_department: str, contact: Contact | None = None,
    direction: str = Direction.FROM_US, at: datetime | None = None, external_id: str | None = None,
) -> Promise:
    """Record a new promise, its first history row, and a ``promise_new`` alert for the owner.

    ``external_id`` is for imports; promises recorded in the UI get a generated one.
    """
    at = at or timezone.now()
    check_promise_dates(made_at=made_at, due_at=due_at, today=timezone.localdate(at))
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": _("That contact belongs to another account.")})
    if not description.strip():
        raise ValidationError({"description": _("Say what was promised.")})
    for field, value, choices in (
        ("stage", stage, Stage), ("made_by_department", made_by_department, Department),
        ("delivery_department", delivery_department, Department), ("direction", direction, Direction),
    ):
        if value not in choices.values:
            raise ValidationError({field: _("%(value)r is not a valid choice.") % {"value": value}})
    promise = Promise(
        account=account, contact=contact, direction=direction, description=description.strip(),
        stage=stage, made_at=made_at, made_by=made_by, made_by_department=made_by_department,
        due_at=due_at, delivery_owner=delivery_owner, delivery_department=delivery_department,
    )
    if external_id:
        promise.external_id = external_id
    promise.save()
    PromiseEvent.objects.create(
        promise=promise, at=at, by=by, action=EventAction.RECORDED, version=promise.version,
        changes={name: [None, history_value(getattr(promise, name))] for name in RECORDED_FIELDS},
    )
    notify_owner_of_new_promise(promise, at=at)
    account_changed(account.pk)
    return promise


def notify_owner_of_new_promise(promise: Promise, *, at: datetime) -> None:
    """Every new promise to an account reaches its accountable owner (P6)."""
    raise_alert(
        kind=AlertKind.PROMISE_NEW, account=promise.account, subject=promise_subject(promise.pk),
        params=new_promise_params(promise), at=at,
    )


def _save_versioned(
    promise: Promise, *, expected_version: int, values: Mapping[str, Any], by: User | None,
    action: str, note: str, at: datetime,
) -> Promise:
    """Write ``values`` only if the promise is still at ``expected_version``, with its history row."""
    changes = {
        name: [history_value(getattr(promise, name)), history_value(value)]
        for name, value in values.items()
        if getattr(promise, name) != value
    }
    with transaction.atomic():
        updated = Promise.objects.filter(pk=promise.pk, version=expected_version).update(
            **values, version=F("version") + 1, updated_at=at
        )
        if updated != 1:
            raise PromiseConflict(promise.pk, expected_version)
        PromiseEvent.objects.create(
            promise_id=promise.pk, at=at, by=by, action=action, changes=changes, note=note.strip(),
            version=expected_version + 1,
        )
        account_changed(promise.account_id)
    promise.refresh_from_db()
    return promise


def do_edit_promise(
    promise: Promise, *, by: User | None, expected_version: int, values: Mapping[str, Any],
    note: str = "", at: datetime | None = None,
) -> Promise:
    """Change the editable fields of a promise (not its status or due date)."""
    at = at or timezone.now()
    if promise.version != expected_version:
        raise PromiseConflict(promise.pk, expected_version)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"these promise fields cannot be edited: {', '.join(sorted(unknown))}")
    made_at = values.get("made_at", promise.made_at)
    check_promise_dates(made_at=made_at, due_at=None, today=timezone.localdate(at))
    errors = {}
    if made_at > promise.due_at:
        errors["made_at"] = _("The promise cannot be made after its due date (%(due)s).") % {
            "due": promise.due_at.isoformat()
        }
    contact = values.get("contact", promise.contact)
    if contact is not None and contact.account_id != promise.account_id:
        errors["contact"] = _("That contact belongs to another account.")
    if errors:
        raise ValidationError(errors)
    changed = {name: value for name, value in values.items() if getattr(promise, name) != value}
    if not changed and not note.strip():
        return promise
    return _save_versioned(
        promise, expected_version=expected_version, values=changed, by=by,
        action=EventAction.EDITED, note=note, at=at,
    )


def check_status_change(
    promise: Promise, *, status: str, today: date, delivered_at: date | None = None,
    evidence: str = "", new_due_at: date | None = None, closed_at: date | None = None,
) -> dict[str, Any]:
    """Validate a status change; return the field values it writes."""
    if status not in PromiseStatus.values:
        raise ValidationError({"status": _("%(value)r is not a promise status.") % {"value": status}})
    if not promise.can_become(status):
        raise ValidationError({
            "status": _("A promise that is %(current)s cannot become %(new)s.") % {
                "current": promise.get_status_display().lower(),
                "new": PromiseStatus(status).label.lower(),
            }
        })
    if status in PromiseStatus.delivered():
        return _check_delivery(promise, status=status, today=today, delivered_at=delivered_at,
                               evidence=evidence)
    if status == PromiseStatus.RENEGOTIATED:
        if new_due_at is None:
            raise ValidationError({"new_due_at": _("A renegotiation needs the new due date.")})
        if new_due_at == promise.due_at:
            raise ValidationError({"new_due_at": _("The new due date is the same as the current one.")})
        if new_due_at < today:
            raise ValidationError({"new_due_at": _("The new due date cannot be in the past.")})
        return {
            "status": status, "due_at": new_due_at,
            "original_due_at": promise.original_due_at or promise.due_at,
            "renegotiations": promise.renegotiations + 1,
        }
    # Broken or cancelled: closed on the given day (default today).
    closed_on = closed_at or today
    if closed_on > today:
        raise ValidationError({"closed_at": _("The date cannot be in the future.")})
    if closed_on < promise.made_at:
        raise ValidationError({
            "closed_at": _("The date cannot be before the promise was made (%(made)s).")
            % {"made": promise.made_at.isoformat()}
        })
    return {"status": status, "closed_at": closed_on}


def _check_delivery(
    promise: Promise, *, status: str, today: date, delivered_at: date | None, evidence: str,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if delivered_at is None:
        errors["delivered_at"] = _("Say on which date it was delivered.")
    elif delivered_at > today:
        errors["delivered_at"] = _("The delivery date cannot be in the future.")
    elif delivered_at < promise.made_at:
        errors["delivered_at"] = _("It cannot be delivered before it was promised (%(made)s).") % {
            "made": promise.made_at.isoformat()}
    elif status == PromiseStatus.KEPT and delivered_at > promise.due_at:
        errors["status"] = _(
            "Delivered on %(delivered)s, after the due date %(due)s: record it as kept late."
        ) % {"delivered": delivered_at.isoformat(), "due": promise.due_at.isoformat()}
    elif status == PromiseStatus.LATE and delivered_at <= promise.due_at:
        errors["status"] = _(
            "Delivered on %(delivered)s, on or before the due date %(due)s: record it as kept."
        ) % {"delivered": delivered_at.isoformat(), "due": promise.due_at.isoformat()}
    if not evidence.strip():
        errors["evidence"] = _("Add a short note of evidence (delivery note, sign-off, ticket).")
    if errors:
        raise ValidationError(errors)
    return {"status": status, "delivered_at": delivered_at, "closed_at": delivered_at,
            "evidence": evidence.strip()}


def do_change_status(
    promise: Promise, *, by: User | None, status: str, expected_version: int,
    delivered_at: date | None = None, evidence: str = "", new_due_at: date | None = None,
    closed_at: date | None = None, note: str = "", at: datetime | None = None,
) -> Promise:
    """Move a promise to ``status`` if the lifecycle allows it, and record who did it.

    Kept and late need the delivery date and evidence (kept: delivered on or
    before the due date; late: after it). Renegotiated needs a new due date;
    the first due date stays in ``original_due_at``. Closing a promise resolves
    its ``promise_overdue`` alert as soon as the change commits (``core.changes``
    rescores the account), not at the next scan.
    """
    at = at or timezone.now()
    if promise.version != expected_version:
        raise PromiseConflict(promise.pk, expected_version)
    values = check_status_change(
        promise, status=status, today=timezone.localdate(at), delivered_at=delivered_at,
        evidence=evidence, new_due_at=new_due_at, closed_at=closed_at,
    )
    return _save_versioned(
        promise, expected_version=expected_version, values=values, by=by, action=status,
        note=note, at=at,
    )
