from django.contrib import admin

from aftersale.commerce.models import ExchangeRate, Order, OrderLine, Product, Quote, QuoteLine
from aftersale.core.admin import ChangesAccountAdmin


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "kind", "list_price", "unit_cost", "currency"]
    list_filter = ["kind", "is_active", "currency"]
    search_fields = ["name", "external_id"]
    filter_horizontal = ["fits"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    autocomplete_fields = ["product"]


@admin.register(Order)
class OrderAdmin(ChangesAccountAdmin):
    list_display = ["external_id", "account", "placed_at", "total", "currency", "channel"]
    list_filter = ["channel", "currency"]
    search_fields = ["external_id", "account__name"]
    date_hierarchy = "placed_at"
    autocomplete_fields = ["account", "placed_by", "taken_by"]
    inlines = [OrderLineInline]
    list_select_related = ["account"]


class QuoteLineInline(admin.TabularInline):
    model = QuoteLine
    extra = 0
    autocomplete_fields = ["product"]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["title", "account", "status", "created_by", "created_at", "sent_below_floor"]
    list_filter = ["status", "sent_below_floor"]
    search_fields = ["title", "account__name"]
    autocomplete_fields = ["account", "created_by", "competitor"]
    readonly_fields = ["sent_at", "sent_by", "sent_below_floor", "estimated_on"]
    inlines = [QuoteLineInline]
    list_select_related = ["account", "created_by"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "base_currency", "valid_from", "rate"]
    list_filter = ["currency", "base_currency"]
