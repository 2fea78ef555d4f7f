"""New default weights: the rhythm of orders and contact carries 52 of the customer score's 100
points, open problems 10, and the relationship signals the rest (docs/health.md says why: the
backtest on the demo's history). A weight an administrator changed from its old default is left
as they set it."""

from django.db import migrations

OLD = {"contact_rhythm": 12, "order_rhythm": 12, "quietness": 6, "promises": 10, "service_targets": 6,
       "open_cases": 5, "maintenance": 5, "transactional_share": 8, "technical_presence": 6, "ideas_info": 5,
       "portal_share": 4, "shared_plans": 5, "trust": 10, "review": 6}
NEW = {"order_rhythm": 30, "contact_rhythm": 22, "open_problems": 10, "promises": 7, "quietness": 5, "service_targets": 4, "technical_presence": 5, "transactional_share": 3, "ideas_info": 4, "trust": 3, "review": 3, "maintenance": 1, "open_cases": 1, "portal_share": 1, "shared_plans": 1}


def shift(apps, schema_editor, before=OLD, after=NEW):
    SignalWeight = apps.get_model("health", "SignalWeight")
    for signal, weight in after.items():
        if signal in before:
            SignalWeight.objects.filter(signal=signal, weight=before[signal]).update(weight=weight)
        else:
            SignalWeight.objects.get_or_create(signal=signal, defaults={"weight": weight})


def unshift(apps, schema_editor):
    SignalWeight = apps.get_model("health", "SignalWeight")
    SignalWeight.objects.filter(signal="open_problems").delete()
    for signal, weight in NEW.items():
        if signal in OLD:
            SignalWeight.objects.filter(signal=signal, weight=weight).update(weight=OLD[signal])


class Migration(migrations.Migration):
    dependencies = [("health", "0006_band_rules")]
    operations = [migrations.RunPython(shift, unshift)]
