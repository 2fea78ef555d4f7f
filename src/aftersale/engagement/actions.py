"""Recording contact between the two sides; each change tells ``core.changes`` whose account it was."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.accounts.models import Account, Contact
from aftersale.core.changes import account_changed
from aftersale.core.enums import Department, Direction
from aftersale.engagement.models import (
    Idea,
    IdeaStatus,
    InfoShare,
    InitiatedBy,
    Topic,
    Touchpoint,
    TouchpointKind,
    TouchpointParticipant,
)
from aftersale.staff.models import User

# A time logged from someone's own clock may run a little ahead of the server's.
CLOCK_SLACK = timedelta(minutes=5)
MAX_MINUTES = 24 * 60


def check_touchpoint_time(occurred_at: datetime, *, now: datetime | None = None) -> None:
    if occurred_at > (now or timezone.now()) + CLOCK_SLACK:
        raise ValidationError(_("A touchpoint cannot be in the future."), code="future")


def check_touchpoint_minutes(minutes: int) -> None:
    if minutes < 0:
        raise ValidationError(_("The minutes cannot be negative."), code="min_value")
    if minutes > MAX_MINUTES:
        raise ValidationError(_("A touchpoint lasts at most a day (1,440 minutes)."), code="max_value")


def check_touchpoint(
    *, account: Account, occurred_at: datetime, kind: str, initiated_by: str, minutes: int, topic: str,
    contacts: Iterable[Contact] = (), department: str = "", departments: Mapping[int, str] | None = None,
    now: datetime | None = None,
) -> None:
    """Every rule a touchpoint obeys, whoever logs it (page, dialog, API, import): one
    ``ValidationError`` naming each field that breaks one."""
    errors: dict[str, list[str]] = {}
    for name, check in (("occurred_at", lambda: check_touchpoint_time(occurred_at, now=now)),
                        ("minutes", lambda: check_touchpoint_minutes(minutes))):
        try:
            check()
        except ValidationError as error:
            errors[name] = error.messages
    for name, values, allowed in (
        ("kind", [kind], TouchpointKind.values), ("initiated_by", [initiated_by], InitiatedBy.values),
        ("topic", [topic], Topic.values),
        ("department", [department, *(departments or {}).values()], ["", *Department.values]),
    ):
        wrong = [value for value in values if value not in allowed]
        if wrong:
            errors[name] = [_("%(value)r is not a valid choice.") % {"value": wrong[0]}]
    if any(contact.account_id != account.pk for contact in contacts):
        errors["contacts"] = [_("Only the account's own people can be present.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_log_touchpoint(
    *, account: Account, by: User, occurred_at: datetime, kind: str, initiated_by: str,
    minutes: int, topic: str, summary: str = "", participants: Iterable[User] = (),
    contacts: Iterable[Contact] = (), department: str = "", departments: Mapping[int, str] | None = None,
    external_id: str | None = None,
) -> Touchpoint:
    """Record a touchpoint with our participants and the account's people present.

    Each participant represented ``departments[their pk]``, else ``department`` (the one all
    of them represented), else their own. The page, its quick dialog and the API pass a
    touchpoint form's cleaned data as is; ``external_id`` is an integrator's own key.
    """
    contacts = list(contacts)
    check_touchpoint(account=account, occurred_at=occurred_at, kind=kind, initiated_by=initiated_by,
                     minutes=minutes, topic=topic, contacts=contacts, department=department,
                     departments=departments)
    touchpoint = Touchpoint(
        account=account, occurred_at=occurred_at, kind=kind, initiated_by=initiated_by,
        minutes=minutes, topic=topic, summary=summary, logged_by=by,
    )
    if external_id:
        touchpoint.external_id = external_id
    touchpoint.save()
    departments = departments or {}
    people = {user.pk: user for user in participants}
    TouchpointParticipant.objects.bulk_create(
        TouchpointParticipant(
            touchpoint=touchpoint, user=user,
            department=departments.get(user.pk) or department or user.department,
        )
        for user in people.values()
    )
    touchpoint.contacts.set(contacts)
    account_changed(account.pk)
    return touchpoint


def do_log_idea(*, account: Account, by: User, **fields) -> Idea:
    """Record an idea; one of ours is proposed by the person logging it unless said otherwise."""
    if fields.get("direction") == Direction.FROM_US:
        fields.setdefault("proposed_by_user", by)
        fields["proposed_by_contact"] = None
    idea = Idea.objects.create(account=account, **fields)
    account_changed(account.pk)
    return idea


def do_log_info_share(*, account: Account, by: User, **fields) -> InfoShare:
    share = InfoShare.objects.create(account=account, recorded_by=by, **fields)
    account_changed(account.pk)
    return share


def do_decide_idea(*, idea: Idea, status: str, on: date | None = None) -> Idea:
    """Record whether an idea was adopted (or not); back to "proposed" clears the decision."""
    if status not in IdeaStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)r.") % {"status": status}})
    idea.status = status
    idea.decided_at = None if status == IdeaStatus.PROPOSED else (on or timezone.localdate())
    if idea.decided_at is not None and idea.decided_at < idea.proposed_at:
        raise ValidationError({"decided_at": _("An idea cannot be decided before it was proposed.")})
    idea.save(update_fields=["status", "decided_at", "updated_at"])
    account_changed(idea.account_id)
    return idea
