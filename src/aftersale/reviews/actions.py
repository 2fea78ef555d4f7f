"""Changes to reviews, joint plans, expectations and trust ratings (``do_*``), the
checks they need (``check_*``), and fetching with access checked (``access_*``).

Every function that a staff page calls takes the objects already fetched through
an ``access_*`` helper, so no change can reach another account by id. Each change
tells ``core.changes`` which account it touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.accounts.models import Account, Competitor, Contact
from aftersale.core.changes import account_changed
from aftersale.core.enums import Department, Direction
from aftersale.promises.actions import do_record_promise
from aftersale.promises.models import Stage
from aftersale.reviews.conf import cadence_for
from aftersale.reviews.evidence import gather_evidence
from aftersale.reviews.models import (
    Attribute,
    CompetitorRating,
    Expectation,
    ItemStatus,
    JointPlan,
    JointPlanItem,
    RelationshipReview,
    ReviewPromise,
    ReviewStatus,
    Side,
    TrustRating,
)
from aftersale.staff.models import User

# The short trust survey (P16: trust is the belief that the other side will not
# exploit one's vulnerabilities). Each item is answered 1 (not at all) to 5
# (completely); the rating is their mean. The same items serve both directions.
TRUST_ITEMS: dict[str, Any] = {
    "keeps_word": gettext_lazy("They keep their word."),
    "no_exploit": gettext_lazy("They would not take advantage of us, even if they could."),
    "candid": gettext_lazy("They tell us openly about problems and plans."),
}


def _accounts(user: Any):
    return Account.objects.restrict(user)


def access_review(user: Any, pk: int) -> RelationshipReview:
    return get_object_or_404(
        RelationshipReview.objects.filter(account__in=_accounts(user)).select_related("account", "reviewer"),
        pk=pk,
    )


def access_plan(user: Any, pk: int) -> JointPlan:
    return get_object_or_404(
        JointPlan.objects.filter(account__in=_accounts(user)).select_related("account"), pk=pk
    )


def access_plan_item(user: Any, pk: int) -> JointPlanItem:
    return get_object_or_404(
        JointPlanItem.objects.filter(plan__account__in=_accounts(user)).select_related("plan__account"),
        pk=pk,
    )


def access_expectation(user: Any, pk: int) -> Expectation:
    return get_object_or_404(
        Expectation.objects.filter(account__in=_accounts(user)).select_related("account"), pk=pk
    )


# Reviews --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewAction:
    """One action the reviewer decided: a promise of ours, or an item of a joint plan."""

    kind: str  # "promise" or "plan_item"
    description: str
    due_at: date
    owner_side: str = Side.US
    delivery_owner: User | None = None
    delivery_department: str = ""
    plan: JointPlan | None = None


Rating = tuple[int | None, str, int]  # (competitor id or None for us, attribute, score 1..5)


def check_ratings(account: Account, ratings: Iterable[Rating]) -> list[Rating]:
    """Scores 1..5 on known attributes, for us or a competitor known to the system."""
    cleaned, seen = [], set()
    competitor_ids = {c for c, _a, _s in ratings if c is not None}
    known = set(Competitor.objects.filter(pk__in=competitor_ids).values_list("pk", flat=True))
    for competitor_id, attribute, score in ratings:
        if attribute not in Attribute.values:
            raise ValidationError(_("Unknown attribute %(attribute)r.") % {"attribute": attribute})
        if competitor_id is not None and competitor_id not in known:
            raise ValidationError(_("Unknown competitor %(id)s.") % {"id": competitor_id})
        if not 1 <= int(score) <= 5:
            raise ValidationError(_("Ratings run from 1 to 5 (%(attribute)s: %(score)s).") % {
                "attribute": Attribute(attribute).label, "score": score})
        key = (competitor_id, attribute)
        if key in seen:
            raise ValidationError(_("%(attribute)s is rated twice for the same side.") % {
                "attribute": Attribute(attribute).label})
        seen.add(key)
        cleaned.append((competitor_id, attribute, int(score)))
    return cleaned


def check_completion(review: RelationshipReview, ratings: Sequence[Rating]) -> None:
    """A completed review answers all four questions."""
    errors: dict[str, str] = {}
    if not review.outcome:
        errors["outcome"] = _("Say whether the relationship is improving, steady or deteriorating.")
    if review.promises_kept is None:
        errors["promises_kept"] = _("Say whether our promises were fully kept.")
    if review.neglect_found is None:
        errors["neglect_found"] = _("Say whether we neglected anything important to the customer.")
    if not ratings and not review.competitor_notes.strip():
        errors["competitor_notes"] = _(
            "Rate us against the competitors, or say why no comparison could be made."
        )
    if errors:
        raise ValidationError(errors)


def _record_action(review: RelationshipReview, action: ReviewAction, by: User, at: datetime) -> None:
    account = review.account
    if action.due_at < review.held_at:
        raise ValidationError({"actions": _("An action cannot be due before the review (“%(what)s”).") % {
            "what": action.description}})
    if action.kind == "promise":
        owner = action.delivery_owner or account.owner
        promise = do_record_promise(
            account=account, by=by, description=action.description, stage=Stage.AFTER_SALE,
            made_at=review.held_at, made_by=by, made_by_department=by.department or Department.MANAGEMENT,
            due_at=action.due_at, delivery_owner=owner,
            delivery_department=action.delivery_department or owner.department or Department.MANAGEMENT,
            direction=Direction.FROM_US, at=at,
        )
        ReviewPromise.objects.create(review=review, promise=promise)
        return
    if action.kind != "plan_item":
        raise ValidationError({"actions": _("Unknown kind of action %(kind)r.") % {"kind": action.kind}})
    plan = action.plan
    if plan is None:
        plan = JointPlan.objects.create(
            account=account,
            title=_("Actions from the review of %(day)s") % {"day": review.held_at.isoformat()},
            period_start=review.held_at, period_end=max(action.due_at, review.held_at),
        )
    elif plan.account_id != account.pk:
        raise ValidationError({"actions": _("That plan belongs to another account.")})
    elif plan.period_end < action.due_at:
        plan.period_end = action.due_at
        plan.save(update_fields=["period_end", "updated_at"])
    JointPlanItem.objects.create(
        plan=plan, title=action.description, owner_side=action.owner_side,
        owner_user=action.delivery_owner if action.owner_side == Side.US else None,
        due_at=action.due_at, review=review,
    )


@transaction.atomic
def do_save_review(
    *, account: Account, by: User, held_at: date, judgements: Mapping[str, Any],
    ratings: Iterable[Rating] = (), actions: Sequence[ReviewAction] = (), complete: bool = False,
    next_due_at: date | None = None, review: RelationshipReview | None = None,
    trend: Mapping[int, dict[str, Any]] | None = None, at: datetime | None = None,
) -> RelationshipReview:
    """Create or update a draft review; ``complete`` finishes it.

    Every save stores the evidence as of ``held_at``; completing freezes it, sets
    the next due date (the tier's cadence unless given), so the account's ``review_due``
    alert resolves once the change commits. Actions become promises or joint-plan items
    at once.
    """
    at = at or timezone.now()
    if review is not None and (review.is_completed or review.account_id != account.pk):
        raise ValidationError(_("A completed review cannot be changed; start a new one."))
    if held_at > timezone.localdate(at):
        raise ValidationError({"held_at": _("A review cannot be held in the future.")})
    cleaned = check_ratings(account, list(ratings))
    review = review or RelationshipReview(account=account, reviewer=by)
    review.held_at = held_at
    for field in ("outcome", "trend_notes", "promises_kept", "promises_notes", "neglect_found",
                  "neglect_notes", "competitor_notes"):
        if field in judgements:
            setattr(review, field, judgements[field])
    evidence = gather_evidence([account], held_at, trend=trend, exclude_review_id=review.pk)[account.pk]
    review.evidence = evidence
    review.period_start = date.fromisoformat(evidence["since"])
    if complete:
        check_completion(review, cleaned)
        due = next_due_at or held_at + timedelta(days=cadence_for(account.tier))
        if due <= held_at:
            raise ValidationError({"next_due_at": _("The next review must come after this one.")})
        review.next_due_at = due
        review.status = ReviewStatus.COMPLETED
    review.save()
    review.ratings.all().delete()
    CompetitorRating.objects.bulk_create(
        CompetitorRating(review=review, competitor_id=c, attribute=a, score=s) for c, a, s in cleaned
    )
    for action in actions:
        _record_action(review, action, by, at)
    # Once committed, the account is rescored and its ``review_due`` alert settled.
    account_changed(account.pk)
    return review


# Joint plans and expectations (P12) ------------------------------------------------------

def check_plan_item_owner(plan: JointPlan, owner_side: str, owner_contact: Contact | None) -> None:
    if owner_side not in Side.values:
        raise ValidationError({"owner_side": _("Say which side owns the item.")})
    if owner_contact is not None and owner_contact.account_id != plan.account_id:
        raise ValidationError({"owner_contact": _("That contact belongs to another account.")})


def do_create_plan(
    *, account: Account, title: str, period_start: date, period_end: date,
    shared_with_customer: bool = True,
) -> JointPlan:
    if period_end < period_start:
        raise ValidationError({"period_end": _("A plan cannot end before it starts.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the plan a title.")})
    plan = JointPlan.objects.create(
        account=account, title=title.strip(), period_start=period_start, period_end=period_end,
        shared_with_customer=shared_with_customer,
    )
    account_changed(account.pk)
    return plan


def do_add_plan_item(
    *, plan: JointPlan, title: str, owner_side: str, due_at: date | None = None,
    owner_user: User | None = None, owner_contact: Contact | None = None,
) -> JointPlanItem:
    check_plan_item_owner(plan, owner_side, owner_contact)
    if owner_side == Side.US:
        owner_contact = None
    else:
        owner_user = None
    item = JointPlanItem.objects.create(
        plan=plan, title=title.strip(), owner_side=owner_side, owner_user=owner_user,
        owner_contact=owner_contact, due_at=due_at,
    )
    account_changed(plan.account_id)
    return item


def do_set_item_status(*, item: JointPlanItem, status: str, on: date | None = None) -> JointPlanItem:
    """Mark an item open, done (on a date, today by default) or dropped."""
    if status not in ItemStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)r.") % {"status": status}})
    item.status = status
    item.completed_at = (on or timezone.localdate()) if status == ItemStatus.DONE else None
    item.save(update_fields=["status", "completed_at", "updated_at"])
    account_changed(item.plan.account_id)
    return item


def do_record_expectation(*, account: Account, held_by: str, description: str) -> Expectation:
    if held_by not in Side.values:
        raise ValidationError({"held_by": _("Say which side holds the expectation.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe the expectation.")})
    expectation = Expectation.objects.create(
        account=account, held_by=held_by, description=description.strip()
    )
    account_changed(account.pk)
    return expectation


def do_assess_expectation(
    *, expectation: Expectation, met: bool | None, on: date | None = None,
) -> Expectation:
    """Record whether an expectation is met; ``None`` takes the assessment back."""
    expectation.met = met
    expectation.assessed_at = None if met is None else (on or timezone.localdate())
    expectation.save(update_fields=["met", "assessed_at", "updated_at"])
    account_changed(expectation.account_id)
    return expectation


# Trust (P16) ---------------------------------------------------------------------------------

def trust_from_answers(answers: Mapping[str, int]) -> Decimal:
    """The mean of the trust items, 1..5, to two decimals (pure)."""
    missing = [key for key in TRUST_ITEMS if key not in answers]
    if missing:
        raise ValidationError(_("Answer every trust question."))
    values = [int(answers[key]) for key in TRUST_ITEMS]
    if any(not 1 <= v <= 5 for v in values):
        raise ValidationError(_("Trust answers run from 1 to 5."))
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def do_record_trust_rating(
    *, account: Account, by: User, direction: str, rated_at: date, answers: Mapping[str, int],
    satisfaction: int | None = None, contact: Contact | None = None, comment: str = "",
) -> TrustRating:
    """Record a trust survey answer: ours about the account (from_us) or the account's
    contact's about us (to_us, entered by staff or answered in the portal)."""
    if direction not in Direction.values:
        raise ValidationError({"direction": _("Say who is rating whom.")})
    if rated_at > timezone.localdate():
        raise ValidationError({"rated_at": _("A rating cannot be dated in the future.")})
    if satisfaction is not None and not 0 <= satisfaction <= 10:
        raise ValidationError({"satisfaction": _("Satisfaction runs from 0 to 10.")})
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"rated_by_contact": _("That contact belongs to another account.")})
    trust = trust_from_answers(answers)
    rating = TrustRating.objects.create(
        account=account, direction=direction, rated_at=rated_at, trust=trust,
        satisfaction=satisfaction, comment=comment.strip(),
        answers={key: int(answers[key]) for key in TRUST_ITEMS},
        rated_by_user=by if direction == Direction.FROM_US else None,
        rated_by_contact=contact if direction == Direction.TO_US else None,
    )
    account_changed(account.pk)
    return rating
