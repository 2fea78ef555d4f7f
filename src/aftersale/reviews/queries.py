"""Read-side querysets shared by the staff pages and (later) the customer portal.

Each takes an account the caller has already fetched through its own access
check (``access_account`` for staff, the portal contact's own account), so the
portal can reuse them without reaching the staff views.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from aftersale.accounts.models import Account
from aftersale.reviews.models import Expectation, JointPlan, JointPlanItem, RelationshipReview, TrustRating


def plans_for_account(account: Account, *, shared_only: bool = False) -> QuerySet[JointPlan]:
    """The account's joint plans, newest first, with their items (two queries when iterated).
    ``shared_only`` keeps the plans shared with the customer (what the portal shows)."""
    plans = JointPlan.objects.filter(account=account)
    if shared_only:
        plans = plans.filter(shared_with_customer=True)
    items = JointPlanItem.objects.select_related("owner_user", "owner_contact", "review")
    return plans.prefetch_related(Prefetch("items", queryset=items)).order_by("-period_start", "-pk")


def expectations_for_account(account: Account) -> QuerySet[Expectation]:
    """Both sides' expectations, the customer's first, unassessed before assessed."""
    return Expectation.objects.filter(account=account).order_by("-held_by", "assessed_at", "-created_at")


def reviews_for_account(account: Account, *, completed_only: bool = False) -> QuerySet[RelationshipReview]:
    reviews = RelationshipReview.objects.filter(account=account).select_related("reviewer")
    if completed_only:
        reviews = reviews.filter(status="completed")
    return reviews.order_by("-held_at", "-pk")


def trust_ratings_for(accounts: QuerySet[Account]) -> QuerySet[TrustRating]:
    """Trust ratings of the given accounts (already scoped by the caller), newest first."""
    return (
        TrustRating.objects.filter(account__in=accounts)
        .select_related("account", "rated_by_user", "rated_by_contact")
        .order_by("-rated_at", "-pk")
    )
