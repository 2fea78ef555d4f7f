"""Vietnam's public holidays 2020-2035 (calendar "vn"), from the holidays package.

Statutory days off under the 2019 Labour Code (Tết Dương lịch, five days of
Tết Nguyên Đán, Giỗ Tổ Hùng Vương, 30/4, 1/5, two days of Quốc khánh, Ngày Văn
hóa Việt Nam from 2026) with the substitute days off. This migration first read
them from a table shipped with the app; the package gives the same 237 days and
names, which tests/service/test_holidays.py checks against a copy of that table.
Later government decisions can be entered in the admin; ``aftersale load_holidays
VN`` adds missing days for other years.
"""

import holidays
from django.db import migrations


def load(apps, schema_editor):
    Holiday = apps.get_model("service", "Holiday")
    # Named explicitly in Vietnamese: left unset, the package follows the machine's locale.
    days = holidays.country_holidays("VN", years=range(2020, 2036), language="vi")
    rows = [Holiday(calendar="vn", date=day, name=name) for day, name in sorted(days.items())]
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("service", "Holiday").objects.filter(calendar="vn").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("service", "0004_default_service_targets"),
    ]

    operations = [migrations.RunPython(load, unload)]
