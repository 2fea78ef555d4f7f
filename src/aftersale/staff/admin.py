from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from aftersale.staff.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["name"]
    list_display = ["name", "email", "department", "role", "is_active", "last_login"]
    list_filter = ["role", "department", "is_active", "language"]
    search_fields = ["name", "email"]
    readonly_fields = ["last_login", "date_joined", "updated_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["name", "department", "role", "language", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "updated_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "name", "department", "role", "password1", "password2"],
            },
        )
    ]
    filter_horizontal = []
