"""The writer stores exactly what the ORM would store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from aftersale.imports.writer import SqliteDatetimes


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's text form of date-times")
def test_date_times_are_stored_as_the_backend_stores_them(db):
    adapt = SqliteDatetimes()
    zones = [UTC, ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kolkata"),
             ZoneInfo("America/St_Johns"), ZoneInfo("Australia/Lord_Howe")]
    start = datetime(2024, 3, 30, 22, 59, 59)  # across the March change of European clocks
    values = []
    for zone in zones:
        for minutes in range(0, 60 * 60, 7):
            local = start + timedelta(minutes=minutes, microseconds=minutes % 3 * 1_000)
            values += [local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)]
    values += [datetime(1, 1, 1, tzinfo=UTC), datetime(999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)]
    for value in values + values:  # the second time from the cache of hours
        assert adapt(value) == connection.ops.adapt_datetimefield_value(value), value
