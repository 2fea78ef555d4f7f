"""The writer stores exactly what the ORM would store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from operator import itemgetter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.imports.kinds import KINDS
from aftersale.imports.writer import SqliteDatetimes, StoredValues, Writer
from aftersale.staff.models import User
from tests.imports.conftest import import_sample, run_import


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's text form of date-times")
def test_it_stores_date_times_as_the_backend_stores_them(db):
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
def test_it_stores_rows_that_read_back_as_the_orm_reads_them(portfolio, kind_name):
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


def test_it_keeps_the_microseconds_of_stored_date_times(db):
    import_sample("staff")
    import_sample("accounts")
    result = run_import(
        "orders", "external_id,account,placed_at,total,channel\n"
        "O-1,ACC-001,2024-05-06T07:08:09.123456+07:00,1.00,rep\n",
    )
    assert result.ok
    (row,) = StoredValues(Order, ["placed_at"]).read(Order.objects.all())
    assert row["placed_at"] == datetime(2024, 5, 6, 0, 8, 9, 123456, tzinfo=UTC)


def test_it_inserts_rows_holding_what_the_orm_stores(db):
    import_sample("staff")
    import_sample("accounts")
    account = Account.objects.get(external_id="ACC-001")
    taker = User.objects.order_by("pk").first()
    now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    given = [  # the chunk's fields; an adapted column (placed_at) and a nullable one (taken_by_id)
        {"placed_at": datetime(2024, 3, 31, 2, 30, tzinfo=berlin), "taken_by_id": None},
        {"placed_at": datetime(2024, 10, 27, 2, 30, 0, 5, tzinfo=berlin, fold=1), "taken_by_id": taker.pk},
        {"placed_at": datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC), "taken_by_id": None},
    ]
    for number, fields in enumerate(given):
        common = {"account_id": account.pk, "total": Decimal(f"{number}1.50"), "currency": "VND"}
        Order.objects.create(external_id=f"ORM-{number}", **common, **fields)
        fields.update(common, external_id=f"WRITER-{number}")
    Writer(Order, now).insert(given)
    compared = ["account_id", "placed_at", "total", "currency", "channel", "taken_by_id", "note"]
    by_orm = list(Order.objects.filter(external_id__startswith="ORM-").order_by("pk").values(*compared))
    by_writer = list(
        Order.objects.filter(external_id__startswith="WRITER-").order_by("pk").values(*compared)
    )
    assert by_writer == by_orm
    with connection.cursor() as cursor:  # the stored text too, not only what it reads back as
        cursor.execute("SELECT placed_at, total FROM commerce_order ORDER BY id")
        stored = cursor.fetchall()
    assert stored[3:] == stored[:3]


def test_it_refuses_rows_of_one_chunk_that_fill_different_fields(db):
    import_sample("staff")
    import_sample("accounts")
    account = Account.objects.get(external_id="ACC-001")
    row = {"external_id": "O-1", "account_id": account.pk, "placed_at": datetime(2024, 1, 1, tzinfo=UTC),
           "total": Decimal("1"), "currency": "VND"}
    with pytest.raises(ValueError, match="fields differ"):
        Writer(Order, datetime(2024, 6, 1, tzinfo=UTC)).insert([row, {**row, "note": "extra"}])
    with pytest.raises(KeyError):
        Writer(Order, datetime(2024, 6, 1, tzinfo=UTC)).insert(
            [{**row, "note": "a"}, {**row, "channel": "rep"}]
        )
