"""Public holidays: the holidays package against the table the project shipped."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import holidays

import aftersale.service

SHIPPED_CSV = Path(aftersale.service.__file__).parent / "holidays_vn.csv"


def test_it_finds_the_shipped_vietnamese_days_2020_2035_in_the_package():
    with SHIPPED_CSV.open(encoding="utf-8") as f:
        shipped = [(date.fromisoformat(row["date"]), row["name"]) for row in csv.DictReader(f)]
    package = sorted(holidays.country_holidays("VN", years=range(2020, 2036), language="vi").items())
    assert len(shipped) == 237
    assert package == shipped
