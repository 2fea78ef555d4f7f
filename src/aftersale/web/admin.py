from django.contrib import admin

from aftersale.web.models import DepartmentFigures


@admin.register(DepartmentFigures)
class DepartmentFiguresAdmin(admin.ModelAdmin):
    list_display = ["day", "computed_at", "months"]
    date_hierarchy = "day"
    readonly_fields = ["day", "computed_at", "months", "rows"]

    def has_add_permission(self, request) -> bool:
        return False  # computed by the departments page, never typed in
