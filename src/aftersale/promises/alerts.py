"""The promise alerts: the ``promise_overdue`` condition, registered with the alert
registry, and the texts of ``promise_overdue`` and ``promise_new`` (raised when a
promise is recorded, ``actions.notify_owner_of_new_promise``).

One alert per promise that is still pending at the end of the day and whose
due date (as in force that day) has passed; the scan's reconciliation resolves
it once the promise is kept, broken, cancelled or given a new date.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from aftersale.alerts import texts
from aftersale.alerts.actions import Condition, Key
from aftersale.alerts.texts import AlertText, Params, iso
from aftersale.core.asof import as_date
from aftersale.core.enums import Department, Direction
from aftersale.promises.measures import pending_q, with_due_as_of
from aftersale.promises.models import Promise


def promise_subject(promise_id: int) -> str:
    return f"promise:{promise_id}"


def promise_overdue(as_of: datetime, account_ids: list[int] | None) -> dict[Key, Condition]:
    """Every promise overdue at the end of ``as_of``'s day, in one query."""
    day = as_date(as_of)
    promises = with_due_as_of(Promise.objects.filter(pending_q(day)), day).filter(due_as_of__lt=day)
    if account_ids is not None:
        promises = promises.filter(account_id__in=list(account_ids))
    rows = promises.values_list(
        "pk", "account_id", "direction", "description", "due_as_of", "delivery_owner__name",
        "delivery_department",
    )
    wanted: dict[Key, Condition] = {}
    for pk, account_id, direction, description, due, deliverer, department in rows:
        wanted[(account_id, promise_subject(pk))] = Condition({
            "promise": pk, "direction": direction, "what": description[:120], "due": iso(due),
            "days": (day - due).days, "who": deliverer, "dept": department,
        })
    return wanted


def _department(value: str | None) -> str:
    return str(Department(value).label) if value in Department.values else (value or "")


def render_promise_overdue(params: Params) -> AlertText:
    values = {
        "what": params.get("what", ""), "due": texts.day(params.get("due")),
        "days": texts.number(params.get("days")), "who": params.get("who") or "—",
        "dept": _department(params.get("dept")),
    }
    if params.get("direction") == Direction.TO_US:
        return AlertText(
            _("The supplier's promise “%(what)s” was due on %(due)s (%(days)s days ago).") % values,
            _("Chase the supplier for delivery or a new date."),
        )
    return AlertText(
        _("“%(what)s” was due on %(due)s (%(days)s days ago); %(who)s (%(dept)s) must deliver it.") % values,
        _("Get it delivered, or agree a new date with the customer and record it."),
    )


def new_promise_params(promise: Promise) -> dict[str, Any]:
    """The facts of a ``promise_new`` alert: names as they were when the promise was recorded."""
    return {
        "promise": promise.pk, "direction": promise.direction, "what": promise.description[:120],
        "due": iso(promise.due_at), "maker": str(promise.made_by or ""), "dept": promise.made_by_department,
        "owner": str(promise.delivery_owner or ""), "ddept": promise.delivery_department,
        "account": str(promise.account),
    }


def render_promise_new(params: Params) -> AlertText:
    values = {
        "maker": params.get("maker") or "—", "dept": _department(params.get("dept")),
        "what": params.get("what", ""), "due": texts.day(params.get("due")),
        "owner": params.get("owner") or "—", "ddept": _department(params.get("ddept")),
        "account": params.get("account", ""),
    }
    if params.get("direction") == Direction.FROM_US:
        explanation = _(
            "%(maker)s (%(dept)s) promised “%(what)s” by %(due)s; %(owner)s (%(ddept)s) must deliver it."
        )
    else:
        explanation = _("%(account)s promised us “%(what)s” by %(due)s; recorded by %(maker)s (%(dept)s).")
    return AlertText(
        explanation % values,
        _("Check that the promise is realistic and that the delivering department knows."),
    )
