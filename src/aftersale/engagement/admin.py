from django.contrib import admin

from aftersale.core.admin import ChangesAccountAdmin
from aftersale.engagement.models import Idea, InfoShare, Touchpoint, TouchpointParticipant


class ParticipantInline(admin.TabularInline):
    model = TouchpointParticipant
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Touchpoint)
class TouchpointAdmin(ChangesAccountAdmin):
    list_display = [
        "occurred_at", "account", "kind", "initiated_by", "minutes", "topic", "topic_class",
    ]
    list_filter = ["kind", "initiated_by", "topic_class", "topic"]
    search_fields = ["account__name", "summary", "external_id"]
    autocomplete_fields = ["account", "contacts", "logged_by"]
    date_hierarchy = "occurred_at"
    inlines = [ParticipantInline]
    list_select_related = ["account"]


@admin.register(Idea)
class IdeaAdmin(ChangesAccountAdmin):
    list_display = ["title", "account", "direction", "area", "status", "proposed_at"]
    list_filter = ["direction", "area", "status"]
    search_fields = ["title", "account__name"]
    autocomplete_fields = ["account", "proposed_by_user", "proposed_by_contact"]


@admin.register(InfoShare)
class InfoShareAdmin(ChangesAccountAdmin):
    list_display = ["description", "account", "direction", "kind", "shared_at", "is_confidential"]
    list_filter = ["direction", "kind", "is_confidential"]
    search_fields = ["description", "account__name"]
    autocomplete_fields = ["account"]
