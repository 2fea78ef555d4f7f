"""Which models the audit trail records (django-auditlog), and how it is searched.

Registered here rather than in each app, so the apps stay unaware of the audit trail.
The health engine's weights join the list when that app is installed.
"""

from __future__ import annotations

from datetime import date

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

# app_label.ModelName: fields left out of the record (none means every field).
AUDITED: dict[str, list[str]] = {
    "accounts.Account": [],
    "promises.Promise": [],
    "service.ServiceCase": [],
    "reviews.RelationshipReview": [],
    # The score's weights and settings: who changed a weight (by hand, or applying a backtest's
    # suggestion) and from what.
    "health.SignalWeight": ["updated_at"],
    "health.HealthSettings": ["updated_at"],
    # Permissions: who is staff, manager or admin, and in which department.
    "staff.User": ["password", "last_login", "updated_at"],
    "auth.Group": [],
}


def register() -> None:
    for label, exclude in AUDITED.items():
        app_label, model_name = label.split(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue  # an app not installed (yet): nothing to record
        if not auditlog.contains(model):
            m2m = ["groups", "user_permissions"] if label == "staff.User" else []
            auditlog.register(model, exclude_fields=exclude, m2m_fields=m2m)


def audited_content_types() -> list[ContentType]:
    models = [m for m in apps.get_models() if auditlog.contains(m)]
    types = ContentType.objects.get_for_models(*models)
    return sorted(types.values(), key=lambda ct: str(ct.model_class()._meta.verbose_name))


def search(
    *, content_type: int | None = None, actor: int | None = None, object_pk: str = "",
    since: date | None = None, until: date | None = None,
) -> QuerySet[LogEntry]:
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if content_type:
        entries = entries.filter(content_type_id=content_type)
    if actor:
        entries = entries.filter(actor_id=actor)
    if object_pk:
        entries = entries.filter(object_pk=object_pk)
    if since:
        entries = entries.filter(timestamp__date__gte=since)
    if until:
        entries = entries.filter(timestamp__date__lte=until)
    return entries
