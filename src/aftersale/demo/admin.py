from django.contrib import admin
from django.http import HttpRequest

from aftersale.demo.models import DemoDataset


@admin.register(DemoDataset)
class DemoDatasetAdmin(admin.ModelAdmin):
    """Read-only: the dataset is changed with ``aftersale demo --replace``, not by hand."""

    list_display = ["accounts", "seed", "as_of", "events", "rows", "seconds", "loaded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DemoDataset | None = None) -> bool:
        return False
