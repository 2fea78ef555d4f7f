"""Vietnam's public holidays 2020-2035 (calendar "vn"), from holidays_vn.csv.

Statutory days off under the 2019 Labour Code (Tết Dương lịch, five days of
Tết Nguyên Đán, Giỗ Tổ Hùng Vương, 30/4, 1/5, two days of Quốc khánh) with
the substitute days off. Later government decisions can be entered in the
admin; ``aftersale load_holidays vn`` adds shipped days that are missing.
"""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "holidays_vn.csv"


def load(apps, schema_editor):
    Holiday = apps.get_model("service", "Holiday")
    with CSV.open(encoding="utf-8") as f:
        rows = [
            Holiday(calendar="vn", date=date.fromisoformat(row["date"]), name=row["name"])
            for row in csv.DictReader(f)
        ]
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("service", "Holiday").objects.filter(calendar="vn").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("service", "0004_default_service_targets"),
    ]

    operations = [migrations.RunPython(load, unload)]
