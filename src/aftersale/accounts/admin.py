from django.contrib import admin

from aftersale.accounts.models import Account, Competitor, Contact
from aftersale.core.admin import ChangesAccountAdmin


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["external_id", "name", "email", "role", "is_active", "portal_enabled"]


@admin.register(Account)
class AccountAdmin(ChangesAccountAdmin):
    list_display = ["name", "external_id", "kind", "industry", "tier", "owner", "currency"]
    list_filter = ["kind", "industry", "tier", "owner"]
    search_fields = ["name", "external_id", "city"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["competitors"]
    inlines = [ContactInline]
    readonly_fields = ["created_at", "updated_at"]

    def accounts_of(self, obj: Account) -> set[int]:
        # Its tier, kind and "customer since" weigh on its score and alerts.
        return {obj.pk} if obj.pk else set()


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "email", "role", "is_active", "portal_enabled"]
    list_filter = ["is_active", "portal_enabled"]
    search_fields = ["name", "email", "external_id", "account__name"]
    autocomplete_fields = ["account", "user"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]
