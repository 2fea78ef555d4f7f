from django.contrib import admin

from aftersale.promises.models import Promise, PromiseEvent


class PromiseEventInline(admin.TabularInline):
    model = PromiseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "by", "action", "changes", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Promise)
class PromiseAdmin(admin.ModelAdmin):
    list_display = [
        "description", "account", "made_by_department", "delivery_department", "due_at", "status",
    ]
    list_filter = ["status", "stage", "direction", "made_by_department", "delivery_department"]
    search_fields = ["description", "external_id", "account__name"]
    autocomplete_fields = ["account", "contact", "made_by", "delivery_owner"]
    date_hierarchy = "due_at"
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [PromiseEventInline]
    list_select_related = ["account"]
