from django.contrib import admin

from aftersale.core.admin import ReadOnlyAdmin
from aftersale.notify.models import CalendarFeed, Digest, NotificationClaim, NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery", "updated_at"]
    list_filter = ["kind", "delivery"]
    search_fields = ["user__email", "user__name"]
    autocomplete_fields = ["user"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """Read-only: the worker's record of each daily digest (failures show their error)."""

    list_display = ["day", "user", "state", "alerts", "sent_at", "attempts", "worker_id"]
    list_filter = ["state", "day"]
    search_fields = ["user__email", "user__name"]
    date_hierarchy = "day"
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Deleting a feed revokes its secret link."""

    list_display = ["user", "created_at", "last_fetched_at"]
    search_fields = ["user__email", "user__name"]
    fields = ["user", "created_at", "last_fetched_at"]
    readonly_fields = ["user", "created_at", "last_fetched_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(NotificationClaim)
class NotificationClaimAdmin(ReadOnlyAdmin):
    list_display = ["alert", "worker_id", "claimed_at", "attempts", "last_error"]
