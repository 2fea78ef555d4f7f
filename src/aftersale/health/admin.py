"""Admin: the settings and weights an admin edits, and read-only views of the engine's records."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersale.core.admin import ReadOnlyAdmin
from aftersale.health.models import (
    BacktestRun,
    HealthSettings,
    HealthSnapshot,
    ScanPart,
    ScanRun,
    SignalWeight,
)


@admin.register(HealthSettings)
class HealthSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (_("Evidence"), {"fields": ["half_life_days", "horizon_days"]}),
        (_("Bands"), {"fields": ["healthy_min", "watch_min", "min_coverage_healthy", "trend_points"]}),
        (_("Band rules"), {"fields": [
            "band_open_problems_min", "band_rule_step_in", "band_rule_critical", "band_promise_overdue_days",
        ]}),
        (_("Reference levels"), {"fields": [
            "transactional_trusted_share", "transactional_untrusted_share", "technical_target_share",
            "portal_target_share",
        ]}),
        (_("Worker"), {"fields": ["scan_interval_minutes"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not HealthSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # One row: go straight to it.
        row, _ = HealthSettings.objects.get_or_create(pk=HealthSettings.SINGLETON_ID)
        return HttpResponseRedirect(reverse("admin:health_healthsettings_change", args=[row.pk]))


@admin.register(SignalWeight)
class SignalWeightAdmin(admin.ModelAdmin):
    list_display = ["signal", "label", "weight", "updated_at"]
    list_editable = ["weight"]
    readonly_fields = ["signal"]
    fields = ["signal", "weight"]

    @admin.display(description=_("signal name"))
    def label(self, obj: SignalWeight) -> str:
        return obj.label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per registered signal, created by migrate

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # set the weight to 0 to switch a signal off


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["account", "as_of", "score", "band", "coverage", "trend"]
    list_filter = ["band", "trend", "as_of"]
    search_fields = ["account__name", "account__external_id"]
    date_hierarchy = "as_of"
    list_select_related = ["account"]


class ScanPartInline(admin.TabularInline):
    """Each range of the scan, done or not, with why its last attempt failed."""

    model = ScanPart
    fields = ["first_id", "last_id", "accounts", "done_at", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "status", "accounts", "started_at", "finished_at", "reconciles_alerts"]
    list_filter = ["status"]
    date_hierarchy = "as_of"
    inlines = [ScanPartInline]


@admin.register(BacktestRun)
class BacktestRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "horizon_days", "created_at", "created_by", "applied_at", "applied_by"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by", "applied_by"]
