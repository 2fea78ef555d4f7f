"""Make room for the quietness signal (P10, weight 6) so the default weights still add up to 100.

The service signals and promises give up 6 points between them. Only weights still at
their old default are changed: an admin's own choice stays as it is.
"""

from django.db import migrations

QUIETNESS = ("quietness", 6)
# signal: (old default, new default)
REBALANCED = {"promises": (12, 10), "service_targets": (8, 6), "open_cases": (6, 5), "maintenance": (6, 5)}


def forwards(apps, schema_editor):
    SignalWeight = apps.get_model("health", "SignalWeight")
    for signal, (old, new) in REBALANCED.items():
        SignalWeight.objects.filter(signal=signal, weight=old).update(weight=new)
    SignalWeight.objects.get_or_create(signal=QUIETNESS[0], defaults={"weight": QUIETNESS[1]})


def backwards(apps, schema_editor):
    SignalWeight = apps.get_model("health", "SignalWeight")
    for signal, (old, new) in REBALANCED.items():
        SignalWeight.objects.filter(signal=signal, weight=new).update(weight=old)
    SignalWeight.objects.filter(signal=QUIETNESS[0], weight=QUIETNESS[1]).delete()


class Migration(migrations.Migration):
    dependencies = [("health", "0002_defaults")]

    operations = [migrations.RunPython(forwards, backwards)]
