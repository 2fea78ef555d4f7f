"""Default response and resolution targets per severity, in business hours.

Admins change them in the admin; a case keeps the targets it was opened with.
"""

from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    # severity: (first response within, resolution within), business hours
    "critical": (Decimal("1"), Decimal("8")),
    "high": (Decimal("4"), Decimal("24")),
    "normal": (Decimal("8"), Decimal("40")),
    "low": (Decimal("16"), Decimal("80")),
}


def create_targets(apps, schema_editor):
    ServiceTarget = apps.get_model("service", "ServiceTarget")
    for severity, (response, resolution) in DEFAULTS.items():
        ServiceTarget.objects.get_or_create(
            severity=severity,
            defaults={"response_hours": response, "resolution_hours": resolution},
        )


def remove_targets(apps, schema_editor):
    ServiceTarget = apps.get_model("service", "ServiceTarget")
    ServiceTarget.objects.filter(severity__in=list(DEFAULTS)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("service", "0003_case_plan_targets_pending_asset"),
    ]

    operations = [migrations.RunPython(create_targets, remove_targets)]
