"""The promise ledger, with a history row for every promise an import records or changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.core.enums import Department
from aftersale.imports import parsing as p
from aftersale.imports.kinds import refs
from aftersale.imports.kinds.base import Column, Kind, Report, Resolver, Row
from aftersale.imports.kinds.people import EXTERNAL_ID
from aftersale.imports.parsing import to_cell
from aftersale.promises.actions import check_promise_dates
from aftersale.promises.models import EventAction, Promise, PromiseEvent, PromiseStatus, Stage
from aftersale.staff.models import User

# Statuses that close a promise for good: they carry the date it closed, and an
# import may not rewrite them (a closed promise's outcome is history).
FINAL = PromiseStatus.final()
PEOPLE = {"made_by_id": "made_by", "delivery_owner_id": "delivery_owner"}


def history_value(value: Any) -> Any:
    """As the promise history keeps values: dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else value


class PromisesKind(Kind):
    name = "promises"
    label = gettext_lazy("Promises")
    model = Promise
    account_field = "account_id"
    columns = (
        EXTERNAL_ID,
        Column("account", p.text(100), field="account_id", ref="account",
               export="account__external_id"),
        Column("made_at", p.date_value, field="made_at"),
        Column("made_by_email", p.login_email, field="made_by_id", ref="made_by_email",
               export="made_by__email"),
        Column("made_by_department", p.choice(Department.values), field="made_by_department"),
        Column("stage", p.choice(Stage.values), field="stage"),
        Column("description", p.text(10_000), field="description"),
        Column("due_at", p.date_value, field="due_at"),
        Column("delivery_owner_email", p.login_email, field="delivery_owner_id",
               ref="delivery_owner_email", export="delivery_owner__email"),
        Column("delivery_department", p.choice(Department.values), field="delivery_department"),
        Column("status", p.choice(PromiseStatus.values), field="status", required=False),
        Column("closed_at", p.date_value, field="closed_at", required=False),
    )
    stored_extra = ("delivered_at", "version")
    needs_pks = True
    related_models = (PromiseEvent,)

    def resolvers(self) -> dict[str, Resolver]:
        staff = refs.staff()
        return {"account": refs.accounts(), "made_by_email": staff, "delivery_owner_email": staff}

    def check(self, row: Row, merged: dict[str, Any], report: Report) -> None:
        made, due, closed, status = (
            merged["made_at"], merged["due_at"], merged["closed_at"], merged["status"]
        )
        try:
            check_promise_dates(made_at=made, due_at=due, today=timezone.localdate())
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                report(column, " ".join(messages))
        if closed is not None and closed < made:
            report("closed_at", _("The promise cannot close before it was made (%(made)s).")
                   % {"made": to_cell(made)})
        if status in FINAL and closed is None:
            report("closed_at", _("A kept, late, broken or cancelled promise needs the date it closed."))
        if status not in FINAL and closed is not None:
            report("closed_at", _("An open or renegotiated promise has no closing date."))
        stored = row.existing
        if stored is not None and stored["status"] in FINAL and (
            stored["status"] != status or stored["closed_at"] != closed
        ):
            report("status", _("This promise is already closed (%(status)s on %(day)s); "
                               "its outcome cannot be changed by an import.")
                   % {"status": stored["status"], "day": to_cell(stored["closed_at"])})

    def derive(self, merged: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
        # A delivered promise was delivered when it closed, unless a delivery date
        # recorded in the UI already says when.
        if merged["status"] not in PromiseStatus.delivered():
            return {"delivered_at": None}
        kept = existing["delivered_at"] if existing else None
        if kept is not None and kept >= merged["made_at"]:
            return {"delivered_at": kept}
        return {"delivered_at": merged["closed_at"]}

    def on_update(self, row: Row) -> None:
        assert row.existing is not None
        row.fields["version"] = row.existing["version"] + 1

    def write_related(self, rows: Sequence[Row], related: dict[int, Any], now: datetime) -> None:
        names = self._names(rows)
        events = []
        for row in rows:
            if row.existing is None:
                action = EventAction.RECORDED
                changes = {
                    PEOPLE.get(name, name): [None, names.get(value) if name in PEOPLE else
                                             history_value(value)]
                    for name, value in row.fields.items()
                    if value is not None and name not in ("version", "account_id")
                }
                version = 1
            else:
                action = EventAction.EDITED
                changes = {
                    PEOPLE.get(name, name): (
                        [names.get(old), names.get(new)] if name in PEOPLE
                        else [history_value(old), history_value(new)]
                    )
                    for name, (old, new) in row.changes.items()
                }
                version = row.fields["version"]
            events.append(PromiseEvent(
                promise_id=row.pk, at=now, action=action, changes=changes, note=_("CSV import"),
                version=version,
            ))
        PromiseEvent.objects.bulk_create(events, batch_size=1000)

    @staticmethod
    def _names(rows: Sequence[Row]) -> dict[int, str]:
        """Names of the people a chunk's promises mention: history keeps people by name."""
        pks: set[int] = set()
        for row in rows:
            for name in PEOPLE:
                pks.add(row.fields[name])
                if row.existing is not None:
                    pks.add(row.existing[name])
        return {pk: name or email for pk, name, email in
                User.objects.filter(pk__in=pks).values_list("pk", "name", "email")}
