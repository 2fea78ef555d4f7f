from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersale.alerts.models import STEP_IN_KINDS, Alert
from aftersale.alerts.step_in import step_in_message

# What would dismiss an alert by hand; a step-in alert closes only by a logged two-way contact.
DISMISSING_FIELDS = ("acknowledged_at", "acknowledged_by", "resolved_at")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["kind", "account", "owner", "text", "opened_at", "acknowledged_at", "resolved_at"]
    list_filter = ["kind", "resolved_at", "acknowledged_at"]
    search_fields = ["account__name", "subject"]
    autocomplete_fields = ["account", "owner", "acknowledged_by"]
    date_hierarchy = "opened_at"
    list_select_related = ["account", "owner"]

    @admin.display(description=_("explanation"))
    def text(self, obj: Alert) -> str:
        """Worded from the alert's facts in the admin user's language."""
        return obj.explanation

    def get_readonly_fields(self, request: HttpRequest, obj: Alert | None = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.needs_step_in:
            return (*readonly, "kind", *DISMISSING_FIELDS)
        return readonly

    def has_delete_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        # Deleting an open step-in alert would dismiss it; closed ones may go.
        if obj is not None and obj.needs_step_in and obj.resolved_at is None:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        """The bulk "delete selected" action leaves open step-in alerts alone, and says so."""
        kept = queryset.open().filter(kind__in=STEP_IN_KINDS)
        if kept.exists():
            messages.warning(request, step_in_message())
        super().delete_queryset(request, queryset.exclude(pk__in=kept.values("pk")))
