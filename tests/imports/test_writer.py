"""The writer stores exactly what the ORM would store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from aftersale.commerce.models import Order
from aftersale.imports.kinds import KINDS
from aftersale.imports.writer import SqliteDatetimes, StoredValues
from tests.imports.conftest import import_sample, run_import


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


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_stored_rows_are_read_as_the_orm_reads_them(portfolio, kind_name):
    kind = KINDS[kind_name]
    names = kind.stored_fields()
    queryset = kind.model._default_manager.all()
    expected = sorted(queryset.values("pk", *names), key=itemgetter("pk"))
    assert expected  # the sample file has rows of this kind
    read = sorted(StoredValues(kind.model, names).read(queryset), key=itemgetter("pk"))
    assert read == expected
    # The same types too (an equal value of another type would compare and export differently).
    assert [{k: type(v) for k, v in row.items()} for row in read] == [
        {k: type(v) for k, v in row.items()} for row in expected
    ]


def test_stored_date_times_keep_their_microseconds(db):
    import_sample("staff")
    import_sample("accounts")
    result = run_import(
        "orders", "external_id,account,placed_at,total,channel\n"
        "O-1,ACC-001,2024-05-06T07:08:09.123456+07:00,1.00,rep\n",
    )
    assert result.ok
    (row,) = StoredValues(Order, ["placed_at"]).read(Order.objects.all())
    assert row["placed_at"] == datetime(2024, 5, 6, 0, 8, 9, 123456, tzinfo=UTC)
