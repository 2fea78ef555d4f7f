from django.contrib import admin

from aftersale.core.admin import ChangesAccountAdmin
from aftersale.reviews.models import (
    CompetitorRating,
    Expectation,
    JointPlan,
    JointPlanItem,
    RelationshipReview,
    ReviewPromise,
    TrustRating,
)


class RatingInline(admin.TabularInline):
    model = CompetitorRating
    extra = 0
    autocomplete_fields = ["competitor"]


class ReviewPromiseInline(admin.TabularInline):
    """The promises recorded as the review's actions (created from the review form)."""

    model = ReviewPromise
    extra = 0
    raw_id_fields = ["promise"]


@admin.register(RelationshipReview)
class RelationshipReviewAdmin(ChangesAccountAdmin):
    list_display = ["account", "held_at", "reviewer", "status", "outcome", "next_due_at"]
    list_filter = ["status", "outcome"]
    search_fields = ["account__name"]
    autocomplete_fields = ["account", "reviewer"]
    date_hierarchy = "held_at"
    inlines = [RatingInline, ReviewPromiseInline]


class PlanItemInline(admin.TabularInline):
    model = JointPlanItem
    extra = 0
    autocomplete_fields = ["owner_user", "owner_contact"]
    exclude = ["review"]


@admin.register(JointPlan)
class JointPlanAdmin(ChangesAccountAdmin):
    list_display = ["title", "account", "period_start", "period_end", "shared_with_customer"]
    search_fields = ["title", "account__name"]
    autocomplete_fields = ["account"]
    inlines = [PlanItemInline]


@admin.register(Expectation)
class ExpectationAdmin(ChangesAccountAdmin):
    list_display = ["description", "account", "held_by", "met", "assessed_at"]
    list_filter = ["held_by", "met"]
    search_fields = ["description", "account__name"]
    autocomplete_fields = ["account"]


@admin.register(TrustRating)
class TrustRatingAdmin(ChangesAccountAdmin):
    list_display = ["account", "direction", "rated_at", "trust", "satisfaction"]
    list_filter = ["direction"]
    search_fields = ["account__name"]
    autocomplete_fields = ["account", "rated_by_user", "rated_by_contact"]
