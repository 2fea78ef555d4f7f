from django.contrib import admin

from aftersale.core.admin import ChangesAccountAdmin
from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort


@admin.register(IncomingInspection)
class IncomingInspectionAdmin(ChangesAccountAdmin):
    list_display = ["received_on", "account", "lots_received", "lots_inspected", "lots_rejected"]
    search_fields = ["account__name", "external_id", "notes"]
    autocomplete_fields = ["account", "inspected_by"]
    date_hierarchy = "received_on"
    list_select_related = ["account"]


@admin.register(PurchasingEffort)
class PurchasingEffortAdmin(ChangesAccountAdmin):
    list_display = ["account", "period_start", "period_end", "staff_hours", "purchase_value", "currency"]
    search_fields = ["account__name", "external_id"]
    autocomplete_fields = ["account"]
    list_select_related = ["account"]


@admin.register(Purchase)
class PurchaseAdmin(ChangesAccountAdmin):
    list_display = ["ordered_on", "account", "reference", "value", "currency", "competing_bids", "requotes"]
    search_fields = ["account__name", "external_id", "reference"]
    autocomplete_fields = ["account"]
    date_hierarchy = "ordered_on"
    list_select_related = ["account"]
