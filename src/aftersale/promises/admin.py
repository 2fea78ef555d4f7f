from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from aftersale.core.admin import ChangesAccountAdmin
from aftersale.promises.actions import RECORDED_FIELDS, history_value, notify_owner_of_new_promise
from aftersale.promises.models import EventAction, Promise, PromiseEvent


class PromiseEventInline(admin.TabularInline):
    model = PromiseEvent
    extra = 0
    can_delete = False
    fields = ["at", "by", "action", "change_summary", "note", "version"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("changes"))
    def change_summary(self, event: PromiseEvent) -> str:
        return format_html_join(
            "", "<div><strong>{}</strong>: {} → {}</div>", event.change_rows()
        )


@admin.register(Promise)
class PromiseAdmin(ChangesAccountAdmin):
    list_display = [
        "description", "account", "made_by_department", "delivery_department", "due_at", "status",
    ]
    list_filter = ["status", "stage", "direction", "made_by_department", "delivery_department"]
    search_fields = ["description", "external_id", "account__name"]
    autocomplete_fields = ["account", "contact", "made_by", "delivery_owner"]
    date_hierarchy = "due_at"
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [PromiseEventInline]
    list_select_related = ["account"]

    def save_model(self, request: HttpRequest, obj: Promise, form, change: bool) -> None:
        """Admin corrections bypass the lifecycle, so they at least leave a history row."""
        now = timezone.now()
        with transaction.atomic():
            if not change:
                super().save_model(request, obj, form, change)
                PromiseEvent.objects.create(
                    promise=obj, at=now, by=request.user, action=EventAction.RECORDED,
                    version=obj.version, note=str(_("Recorded in the admin.")),
                    changes={name: [None, history_value(getattr(obj, name))] for name in RECORDED_FIELDS},
                )
                notify_owner_of_new_promise(obj, at=now)
                return
            before = Promise.objects.select_for_update().get(pk=obj.pk)
            changes = {
                name: [history_value(getattr(before, name)), history_value(getattr(obj, name))]
                for name in form.changed_data
                if getattr(before, name) != getattr(obj, name)
            }
            obj.version = before.version + 1
            super().save_model(request, obj, form, change)
            PromiseEvent.objects.create(
                promise=obj, at=now, by=request.user, action=EventAction.EDITED, changes=changes,
                note=str(_("Changed in the admin.")), version=obj.version,
            )
