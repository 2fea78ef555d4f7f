"""The ``promise_overdue`` alert condition, registered with the alert registry.

One alert per promise that is still pending at the end of the day and whose
due date (as in force that day) has passed; the scan's reconciliation resolves
it once the promise is kept, broken, cancelled or given a new date.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from aftersale.alerts.actions import Condition, Key
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
    departments = {value: str(label) for value, label in Department.choices}
    # Translated once, not per row: a portfolio scan may format tens of thousands.
    theirs = (
        _("The supplier's promise “%(what)s” was due on %(due)s (%(days)s days ago)."),
        _("Chase the supplier for delivery or a new date."),
    )
    ours = (
        _("“%(what)s” was due on %(due)s (%(days)s days ago); %(who)s (%(dept)s) must deliver it."),
        _("Get it delivered, or agree a new date with the customer and record it."),
    )
    wanted: dict[Key, Condition] = {}
    for pk, account_id, direction, description, due, deliverer, department in rows:
        explanation, action = theirs if direction == Direction.TO_US else ours
        values = {
            "what": description[:120], "due": due.isoformat(), "days": (day - due).days,
            "who": deliverer, "dept": departments.get(department, department),
        }
        wanted[(account_id, promise_subject(pk))] = Condition(explanation % values, action)
    return wanted
