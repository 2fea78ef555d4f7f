"""Relationship reviews (read): the four questions of P9 and the competitor ratings."""


from collections import defaultdict
from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from aftersale.api.common import ACCOUNT_REF, ONE, READ, PageFilters, get_or_404, since, visible_accounts
from aftersale.api.paging import page
from aftersale.api.schemas import ReviewOut, ReviewPage
from aftersale.api.types import Id
from aftersale.reviews.models import CompetitorRating, RelationshipReview, ReviewStatus

router = Router()

FIELDS = ("id", "held_at", "period_start", "status", "outcome", "trend_notes", "promises_kept",
          "promises_notes",
          "neglect_found", "neglect_notes", "competitor_notes", "next_due_at", "created_at", "updated_at")


def review_rows(queryset: QuerySet[RelationshipReview]) -> QuerySet:
    return queryset.values(*FIELDS, "account", **ACCOUNT_REF,
                           reviewer_email=F("reviewer__email"))


def with_ratings(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ratings: dict[int, list[dict[str, Any]]] = defaultdict(list)
    found = CompetitorRating.objects.filter(review_id__in=[r["id"] for r in rows]).order_by("pk")
    for review_id, attribute, score, competitor in found.values_list(
        "review_id", "attribute", "score", "competitor__name"
    ):
        ratings[review_id].append({"competitor": competitor, "attribute": attribute, "score": score})
    for row in rows:
        row["outcome"] = row["outcome"] or None
        row["ratings"] = ratings[row["id"]]
    return rows


def visible_reviews(request: HttpRequest) -> QuerySet[RelationshipReview]:
    return RelationshipReview.objects.filter(account__in=visible_accounts(request))


class ReviewFilters(PageFilters):
    account: Id | None = Field(None, description="Only reviews of this account.")
    status: ReviewStatus | None = None


@router.get("", response={200: ReviewPage, **READ}, summary="List relationship reviews")
def list_reviews(request: HttpRequest, filters: Query[ReviewFilters]) -> dict[str, Any]:
    reviews = since(visible_reviews(request), filters.updated_since)
    if filters.account:
        reviews = reviews.filter(account_id=filters.account)
    if filters.status:
        reviews = reviews.filter(status=filters.status)
    items, cursor = page(review_rows(reviews), limit=filters.limit, cursor=filters.cursor)
    return {"items": with_ratings(items), "next_cursor": cursor}


@router.get("/{review_id}", response={200: ReviewOut, **ONE}, summary="One relationship review")
def get_review(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    return with_ratings([get_or_404(review_rows(visible_reviews(request)), review_id)])[0]
