from django.contrib import admin

from aftersale.alerts.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["kind", "account", "owner", "opened_at", "acknowledged_at", "resolved_at"]
    list_filter = ["kind", "resolved_at", "acknowledged_at"]
    search_fields = ["account__name", "explanation", "subject"]
    autocomplete_fields = ["account", "owner", "acknowledged_by"]
    date_hierarchy = "opened_at"
    list_select_related = ["account", "owner"]
