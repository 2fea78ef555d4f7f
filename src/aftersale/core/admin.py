"""What every app's admin shares."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from aftersale.core.changes import account_changed


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the system writes (scans, schedules, claims): look, never edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChangesAccountAdmin(admin.ModelAdmin):
    """For records an account's health is computed from: saves and deletes in the admin
    tell ``core.changes`` which accounts changed (before and after the edit, in case the
    record moved), so the admin rescores like every other interface.

    ``accounts_of`` says whose record it is: the ``account`` field unless overridden.
    """

    def accounts_of(self, obj: Any) -> set[int]:
        account_id = getattr(obj, "account_id", None)
        return set() if account_id is None else {account_id}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before: set[int] = set()
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = self.accounts_of(stored) if stored is not None else set()
        super().save_model(request, obj, form, change)
        account_changed(*before, *self.accounts_of(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        accounts = self.accounts_of(obj)
        super().delete_model(request, obj)
        account_changed(*accounts)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        accounts = {a for obj in queryset for a in self.accounts_of(obj)}
        super().delete_queryset(request, queryset)
        account_changed(*accounts)
