"""Touchpoints, with the one participant a file row can name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy

from aftersale.core.enums import Department
from aftersale.engagement.actions import check_touchpoint_minutes, check_touchpoint_time
from aftersale.engagement.models import (
    TOPIC_CLASSES,
    InitiatedBy,
    Topic,
    TopicClass,
    Touchpoint,
    TouchpointKind,
    TouchpointParticipant,
)
from aftersale.imports import parsing as p
from aftersale.imports.kinds import refs
from aftersale.imports.kinds.base import Column, Kind, Report, Resolver, Row
from aftersale.imports.kinds.people import EXTERNAL_ID

# (participant pk, user pk or None, department)
Participant = tuple[int, int | None, str]


class TouchpointsKind(Kind):
    """A touchpoint row may name one of our people (``staff_email``) and the department
    they represented; without a department, the person's own department is used.
    Further participants added in the UI are kept; the file's one is added if missing."""

    name = "touchpoints"
    label = gettext_lazy("Touchpoints")
    model = Touchpoint
    account_field = "account_id"
    columns = (
        EXTERNAL_ID,
        Column("account", p.text(100), field="account_id", ref="account",
               export="account__external_id"),
        Column("occurred_at", p.datetime_value, field="occurred_at"),
        Column("kind", p.choice(TouchpointKind.values), field="kind"),
        Column("initiated_by", p.choice(InitiatedBy.values), field="initiated_by"),
        Column("minutes", p.integer(0, 100_000), field="minutes"),
        Column("topic", p.choice(Topic.values), field="topic"),
        Column("staff_email", p.login_email, ref="staff_email", required=False,
               export="lead_email"),
        Column("department", p.choice(Department.values), required=False, export="lead_department"),
    )
    stored_extra = ("topic_class",)
    needs_pks = True
    related_models = (TouchpointParticipant,)

    def resolvers(self) -> dict[str, Resolver]:
        return {"account": refs.accounts(), "staff_email": refs.staff()}

    def check(self, row: Row, merged: dict[str, Any], report: Report) -> None:
        """The rules a touchpoint logged in a page or through the API obeys."""
        for column, check in (("occurred_at", check_touchpoint_time), ("minutes", check_touchpoint_minutes)):
            try:
                check(merged[column])
            except ValidationError as error:
                report(column, " ".join(error.messages))

    def derive(self, merged: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
        # Stored so the transactional share of face time is one aggregate (P17).
        return {"topic_class": TOPIC_CLASSES.get(merged["topic"], TopicClass.OTHER)}

    @staticmethod
    def participant(row: Row) -> tuple[int | None, str] | None:
        """(user pk, department) the row names, or None when it names nobody."""
        person = row.refs.get("staff_email")
        department = row.values.get("department")
        if person is None and not department:
            return None
        if person is None:
            return (None, department)
        return (person[0], department or person[1])

    def load_related(self, pks: Sequence[int]) -> dict[int, list[Participant]]:
        related: dict[int, list[Participant]] = {}
        if not pks:
            return related
        rows = TouchpointParticipant.objects.filter(touchpoint_id__in=pks)
        for pk, touchpoint, user, department in rows.values_list(
            "pk", "touchpoint_id", "user_id", "department"
        ):
            related.setdefault(touchpoint, []).append((pk, user, department))
        return related

    def related_changed(self, row: Row, related: list[Participant] | None) -> bool:
        wanted = self.participant(row)
        if wanted is None:
            return False
        return not any((user, department) == wanted for _pk, user, department in related or [])

    def write_related(self, rows: Sequence[Row], related: dict[int, Any], now: datetime) -> None:
        new: list[TouchpointParticipant] = []
        moved: list[TouchpointParticipant] = []
        for row in rows:
            wanted = self.participant(row)
            if wanted is None:
                continue
            user, department = wanted
            present = related.get(row.pk, [])
            if any((u, d) == wanted for _pk, u, d in present):
                continue
            same_person = next((pk for pk, u, _d in present if user is not None and u == user), None)
            if same_person is not None:
                moved.append(TouchpointParticipant(pk=same_person, department=department))
            else:
                new.append(TouchpointParticipant(touchpoint_id=row.pk, user_id=user, department=department))
        TouchpointParticipant.objects.bulk_create(new, batch_size=1000)
        TouchpointParticipant.objects.bulk_update(moved, ["department"], batch_size=1000)

    def export_queryset(self, accounts: QuerySet) -> QuerySet:
        # The first participant (the one an import adds) is the row's staff_email.
        first = TouchpointParticipant.objects.filter(touchpoint=OuterRef("pk")).order_by("pk")
        return (
            Touchpoint.objects.filter(account__in=accounts)
            .annotate(
                lead_email=Subquery(first.values("user__email")[:1]),
                lead_department=Subquery(first.values("department")[:1]),
            )
            .order_by("pk")
            .values_list(*[c.export_path for c in self.columns])
        )
