"""Recording contact between the two sides."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.accounts.models import Account, Contact
from aftersale.core.enums import Direction
from aftersale.engagement.models import Idea, IdeaStatus, InfoShare, Touchpoint, TouchpointParticipant
from aftersale.staff.models import User


@transaction.atomic
def do_log_touchpoint(
    *, account: Account, by: User, occurred_at: datetime, kind: str, initiated_by: str,
    minutes: int, topic: str, summary: str = "", participants: Iterable[User] = (),
    contacts: Iterable[Contact] = (), departments: dict[int, str] | None = None,
) -> Touchpoint:
    """Record a touchpoint with our participants (each with the department they
    represented, defaulting to their own) and the account's people present."""
    touchpoint = Touchpoint.objects.create(
        account=account, occurred_at=occurred_at, kind=kind, initiated_by=initiated_by,
        minutes=minutes, topic=topic, summary=summary, logged_by=by,
    )
    departments = departments or {}
    people = {user.pk: user for user in participants}
    TouchpointParticipant.objects.bulk_create(
        TouchpointParticipant(
            touchpoint=touchpoint, user=user,
            department=departments.get(user.pk) or user.department,
        )
        for user in people.values()
    )
    touchpoint.contacts.set([c for c in contacts if c.account_id == account.pk])
    return touchpoint


def do_log_idea(*, account: Account, by: User, **fields) -> Idea:
    """Record an idea; one of ours is proposed by the person logging it unless said otherwise."""
    if fields.get("direction") == Direction.FROM_US:
        fields.setdefault("proposed_by_user", by)
        fields["proposed_by_contact"] = None
    return Idea.objects.create(account=account, **fields)


def do_log_info_share(*, account: Account, by: User, **fields) -> InfoShare:
    return InfoShare.objects.create(account=account, recorded_by=by, **fields)


def do_decide_idea(*, idea: Idea, status: str, on: date | None = None) -> Idea:
    """Record whether an idea was adopted (or not); back to "proposed" clears the decision."""
    if status not in IdeaStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)r.") % {"status": status}})
    idea.status = status
    idea.decided_at = None if status == IdeaStatus.PROPOSED else (on or timezone.localdate())
    if idea.decided_at is not None and idea.decided_at < idea.proposed_at:
        raise ValidationError({"decided_at": _("An idea cannot be decided before it was proposed.")})
    idea.save(update_fields=["status", "decided_at", "updated_at"])
    return idea
