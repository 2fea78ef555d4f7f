"""The bulk writer stores exactly what Django would, and refuses what the schema cannot take."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from django.db import connection

from aftersale.accounts.models import Competitor
from aftersale.core.bulk import BulkWriteError, sqlite_session
from aftersale.demo.writer import BulkWriter, DemoWriteError, _datetime_strings, _literal
from aftersale.promises.models import Promise

pytestmark = pytest.mark.django_db
STAMP = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def test_it_formats_datetimes_as_django_stores_them():
    values = np.array(["2026-01-05T03:04:05", "NaT"], dtype="datetime64[s]")
    assert _datetime_strings(values) == ["2026-01-05 03:04:05", None]
    assert _datetime_strings([datetime(2026, 1, 5, 10, 0, tzinfo=UTC), None]) == ["2026-01-05 10:00:00", None]


def test_it_quotes_constants():
    assert _literal("O'Brien") == "'O''Brien'"
    assert _literal(None) == "NULL"
    assert _literal(True) == "1"
    with pytest.raises(DemoWriteError):
        _literal(object())


def test_it_inserts_rows_that_read_back_through_the_orm():
    writer = BulkWriter(STAMP)
    first = writer.allocate(Competitor, 2)
    writer.insert(Competitor, {
        "id": [first, first + 1],
        "external_id": ["T-1", "T-2"],
        "name": ["Nhà máy Đồng Tâm", "O'Neil Tools"],
        "notes": "shared 'note'",
    })
    rows = Competitor.objects.filter(pk__gte=first).order_by("pk")
    assert [c.name for c in rows] == ["Nhà máy Đồng Tâm", "O'Neil Tools"]
    assert {c.notes for c in rows} == {"shared 'note'"}
    assert {c.created_at for c in rows} == {STAMP}
    assert writer.rows["accounts.Competitor"] == 2
    # The next allocation continues after the rows written.
    assert writer.allocate(Competitor, 1) == first + 2


def test_it_writes_more_rows_than_one_statement_holds():
    writer = BulkWriter(STAMP)
    first = writer.allocate(Competitor, 123)
    writer.insert(Competitor, {
        "id": np.arange(first, first + 123),
        "external_id": [f"T-{k}" for k in range(123)],
        "name": [f"Rival {k}" for k in range(123)],
    })
    assert Competitor.objects.filter(external_id__startswith="T-").count() == 123


def test_it_names_what_it_cannot_write():
    writer = BulkWriter(STAMP)
    with pytest.raises(DemoWriteError, match="Competitor has no field 'colour'"):
        writer.insert(Competitor, {"id": [1], "colour": ["red"]})
    with pytest.raises(DemoWriteError, match="Competitor.name: 2 values, expected 1"):
        writer.insert(Competitor, {"id": [1], "name": ["a", "b"]})
    with pytest.raises(DemoWriteError, match="Promise.account has no default"):
        writer.insert(Promise, {"id": [1], "description": ["x"], "made_at": [date(2026, 1, 1)]})
    assert writer.insert(Competitor, {"id": [], "name": []}) == 0


def test_it_skips_optional_columns_when_the_field_is_missing():
    writer = BulkWriter(STAMP)
    pk = writer.allocate(Competitor, 1)
    writer.insert(
        Competitor, {"id": [pk], "external_id": ["T-9"], "name": ["Nine"], "colour": ["red"]},
        optional=("colour",),
    )
    assert Competitor.objects.get(pk=pk).name == "Nine"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's bulk mode")
def test_it_still_catches_a_dangling_key_in_bulk_mode():
    from django.db import transaction

    from aftersale.accounts.models import Contact

    ghost = {"id": [1], "external_id": ["K-1"], "account_id": [424242], "name": ["Ghost"]}
    with (
        sqlite_session(64, exclusive=True),
        pytest.raises(BulkWriteError, match="missing accounts_account"),
        transaction.atomic(),
    ):
        writer = BulkWriter(STAMP)
        writer.insert(Contact, ghost)
        writer.check_foreign_keys([Contact])
    assert not Contact.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
