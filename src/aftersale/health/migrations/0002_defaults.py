"""The documented defaults: the settings row, one weight per built-in signal, the scan schedule."""

from django.db import migrations

DEFAULT_WEIGHTS = {
    "contact_rhythm": 12,
    "order_rhythm": 12,
    "promises": 12,
    "service_targets": 8,
    "open_cases": 6,
    "maintenance": 6,
    "transactional_share": 8,
    "technical_presence": 6,
    "portal_share": 4,
    "shared_plans": 5,
    "ideas_info": 5,
    "trust": 10,
    "review": 6,
}


def create_defaults(apps, schema_editor):
    HealthSettings = apps.get_model("health", "HealthSettings")
    SignalWeight = apps.get_model("health", "SignalWeight")
    Schedule = apps.get_model("health", "Schedule")
    HealthSettings.objects.get_or_create(pk=1)
    for signal, weight in DEFAULT_WEIGHTS.items():
        SignalWeight.objects.get_or_create(signal=signal, defaults={"weight": weight})
    Schedule.objects.get_or_create(name="scan")


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
