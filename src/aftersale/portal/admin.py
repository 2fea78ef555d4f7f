from django.contrib import admin

from aftersale.portal.models import PortalInvitation, PortalVisit, SurveyRequest


@admin.register(PortalInvitation)
class PortalInvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made by staff on the account page or by ``portal-invite``."""

    list_display = ["sent_to", "contact", "created_at", "expires_at", "used_at", "revoked_at", "created_by"]
    list_filter = ["used_at", "revoked_at"]
    search_fields = ["sent_to", "contact__name", "contact__account__name"]
    exclude = ["token_hash"]
    readonly_fields = [
        "contact", "sent_to", "created_by", "created_at", "expires_at", "used_at", "revoked_at"
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SurveyRequest)
class SurveyRequestAdmin(admin.ModelAdmin):
    list_display = ["contact", "quarter", "offered_at", "answered_at", "declined_at"]
    list_filter = ["quarter"]
    search_fields = ["contact__name", "contact__account__name"]
    raw_id_fields = ["contact", "rating"]


@admin.register(PortalVisit)
class PortalVisitAdmin(admin.ModelAdmin):
    list_display = ["day", "contact", "account"]
    date_hierarchy = "day"
    search_fields = ["contact__name", "account__name"]
    raw_id_fields = ["contact", "account"]
