from django.contrib import admin

from aftersale.demo.models import DemoDataset


@admin.register(DemoDataset)
class DemoDatasetAdmin(admin.ModelAdmin):
    """Read-only: the dataset is changed with ``aftersale demo --replace``, not by hand."""

    list_display = ["accounts", "seed", "as_of", "events", "rows", "seconds", "loaded_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
