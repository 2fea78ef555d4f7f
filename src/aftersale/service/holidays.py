"""Holiday sets shipped with the app, loaded into the Holiday table."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from aftersale.service.models import Holiday

SHIPPED: dict[str, Path] = {"vn": Path(__file__).resolve().parent / "holidays_vn.csv"}


def shipped_holidays(calendar: str) -> list[tuple[date, str]]:
    if calendar not in SHIPPED:
        raise KeyError(f"no holiday set {calendar!r} is shipped (known: {', '.join(sorted(SHIPPED))})")
    with SHIPPED[calendar].open(encoding="utf-8") as f:
        return [(date.fromisoformat(row["date"]), row["name"]) for row in csv.DictReader(f)]


def do_load_holidays(calendar: str) -> int:
    """Add the shipped days of ``calendar`` that the table lacks; days entered by hand stay."""
    rows = [Holiday(calendar=calendar, date=day, name=name) for day, name in shipped_holidays(calendar)]
    existing = set(Holiday.objects.filter(calendar=calendar).values_list("date", flat=True))
    missing = [r for r in rows if r.date not in existing]
    Holiday.objects.bulk_create(missing)
    return len(missing)
