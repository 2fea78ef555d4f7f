from django.contrib import admin

from aftersale.core.admin import ReadOnlyAdmin
from aftersale.jobs.models import Schedule


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["name", "next_run_at", "task_id"]
