from django.contrib import admin

from aftersale.core.admin import ChangesAccountAdmin
from aftersale.service.models import (
    Asset,
    CaseAttachment,
    CaseComment,
    CaseStatusChange,
    Holiday,
    MaintenancePlan,
    ServiceCase,
    ServiceTarget,
    WorkLog,
)


class MaintenancePlanInline(admin.TabularInline):
    model = MaintenancePlan
    extra = 0
    fields = ["name", "interval_days", "last_done_at", "next_due_at", "is_active"]


@admin.register(Asset)
class AssetAdmin(ChangesAccountAdmin):
    list_display = ["serial", "product", "account", "installed_at", "warranty_until", "status"]
    list_filter = ["status", "product"]
    search_fields = ["serial", "external_id", "account__name", "product__name"]
    autocomplete_fields = ["account", "product"]
    inlines = [MaintenancePlanInline]
    list_select_related = ["account", "product"]


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(ChangesAccountAdmin):
    list_display = ["name", "asset", "product", "interval_days", "last_done_at", "next_due_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "asset__serial", "product__name"]
    autocomplete_fields = ["asset", "product"]

    def accounts_of(self, obj: MaintenancePlan) -> set[int]:
        """A one-asset plan is its asset's account's; a product-wide plan, every account
        with that product."""
        if obj.asset_id is not None:
            return set(Asset.objects.filter(pk=obj.asset_id).values_list("account_id", flat=True))
        return set(Asset.objects.filter(product_id=obj.product_id).values_list("account_id", flat=True))


class StatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    readonly_fields = ["at", "from_status", "to_status", "by"]
    can_delete = False


class CommentInline(admin.StackedInline):
    model = CaseComment
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = CaseAttachment
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


class WorkLogInline(admin.TabularInline):
    model = WorkLog
    extra = 0
    fields = ["user", "department", "worked_on", "hours", "labour_cost", "parts_cost",
              "travel_cost", "on_site"]
    autocomplete_fields = ["user"]


@admin.register(ServiceCase)
class ServiceCaseAdmin(ChangesAccountAdmin):
    list_display = [
        "title", "account", "kind", "is_complaint", "severity", "status", "opened_at",
        "response_breached", "resolution_breached",
    ]
    list_filter = [
        "status", "kind", "is_complaint", "severity", "channel", "response_breached",
        "resolution_breached",
    ]
    search_fields = ["title", "external_id", "account__name"]
    autocomplete_fields = ["account", "asset", "raised_by", "assigned_to", "maintenance_plan"]
    # Computed by the case clock (service/clock.py) whenever the case changes through the app.
    readonly_fields = [
        "response_target_hours", "resolution_target_hours", "response_due_at",
        "resolution_due_at", "response_breached", "resolution_breached",
    ]
    date_hierarchy = "opened_at"
    inlines = [StatusChangeInline, CommentInline, AttachmentInline, WorkLogInline]
    list_select_related = ["account"]


@admin.register(WorkLog)
class WorkLogAdmin(ChangesAccountAdmin):
    list_display = ["worked_on", "account", "user", "department", "hours", "parts_cost", "on_site"]
    list_filter = ["department", "on_site", "is_warranty"]
    search_fields = ["account__name", "user__name", "note"]
    autocomplete_fields = ["account", "case", "asset", "user"]
    date_hierarchy = "worked_on"
    list_select_related = ["account", "user"]


@admin.register(ServiceTarget)
class ServiceTargetAdmin(admin.ModelAdmin):
    list_display = ["severity", "response_hours", "resolution_hours"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "calendar"]
    list_filter = ["calendar"]
    date_hierarchy = "date"
