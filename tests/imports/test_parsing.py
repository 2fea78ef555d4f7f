"""Reading cells: ISO 8601 dates and date-times, decimals with a dot, booleans, enumerations."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersale.imports import parsing as p
from aftersale.imports.parsing import CsvSource
from aftersale.imports.problems import BadValue, Problems

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_it_reads_a_date_alone_as_midnight_in_our_time_zone(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    assert p.datetime_value("2024-03-01") == datetime(2024, 3, 1, tzinfo=HCM)


def test_it_reads_a_date_time_without_offset_in_our_time_zone_and_keeps_offsets():
    assert p.datetime_value("2024-03-01T09:30:00") == datetime(2024, 3, 1, 9, 30, tzinfo=HCM)
    assert p.datetime_value("2024-03-01 09:30") == datetime(2024, 3, 1, 9, 30, tzinfo=HCM)
    moment = p.datetime_value("2024-03-01T09:30:00Z")
    assert moment == datetime(2024, 3, 1, 16, 30, tzinfo=HCM)
    assert moment.utcoffset() == timedelta(0)
    assert p.datetime_value("2024-03-01T09:30:00-05:00") == datetime(2024, 3, 1, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["2024-02-30", "01/03/2024", "yesterday", "2024-03-01T25:00"])
def test_it_refuses_what_is_not_iso_8601(raw):
    with pytest.raises(BadValue, match="ISO 8601"):
        p.datetime_value(raw)


def test_it_takes_a_date_or_the_local_day_of_a_date_time_in_a_date_column():
    assert p.date_value("2024-03-01") == date(2024, 3, 1)
    # 20:00 UTC on the 1st is already the 2nd in Hồ Chí Minh City.
    assert p.date_value("2024-03-01T20:00:00+00:00") == date(2024, 3, 2)
    with pytest.raises(BadValue, match="YYYY-MM-DD"):
        p.date_value("1/3/2024")


def test_it_reads_decimals_with_a_dot_only():
    money = p.decimal(18, 2)
    assert money("85000000.50") == Decimal("85000000.50")
    assert money("0") == Decimal("0")
    for raw, message in [("1,5", "use a dot"), ("1.005", "at most 2 decimal places"),
                         ("-1", "must not be negative"), ("NaN", "not a number"),
                         ("1" * 17, "too large")]:
        with pytest.raises(BadValue, match=message):
            money(raw)


def test_it_reads_booleans_and_enumerations():
    assert p.boolean("true") is True and p.boolean("FALSE") is False
    with pytest.raises(BadValue, match="true or false"):
        p.boolean("yes")
    channel = p.choice(["rep", "portal"])
    assert channel("rep") == "rep"
    with pytest.raises(BadValue, match="rep|portal"):
        channel("Rep")


def test_it_reads_whole_numbers_in_range():
    minutes = p.integer(0, 100)
    assert minutes("45") == 45
    with pytest.raises(BadValue, match="whole number"):
        minutes("4.5")
    with pytest.raises(BadValue, match="between 0 and 100"):
        minutes("-1")


def test_it_checks_staff_emails_and_matches_them_lower_case():
    assert p.login_email("An.Nguyen@Vendor.test") == "an.nguyen@vendor.test"
    assert p.email("Lan@Khach.vn") == "Lan@Khach.vn"
    with pytest.raises(BadValue, match="e-mail"):
        p.email("not-an-address")


def test_it_writes_cells_that_read_back_the_same():
    moment = datetime(2024, 3, 1, 2, 30, tzinfo=UTC)
    assert p.to_cell(moment) == "2024-03-01T09:30:00+07:00"
    assert p.datetime_value(p.to_cell(moment)) == moment
    assert p.to_cell(Decimal("1E+3")) == "1000"
    assert p.to_cell(True) == "true" and p.to_cell(None) == ""
    assert p.to_cell(date(2024, 3, 1)) == "2024-03-01"
    five_hours_behind = timezone(timedelta(hours=-5))
    assert p.to_cell(datetime(2024, 3, 1, tzinfo=five_hours_behind)) == "2024-03-01T12:00:00+07:00"


def test_it_numbers_rows_as_a_spreadsheet_does_and_skips_blank_lines():
    data = b"a,b\r\n1,\"two\nlines\"\r\n\r\n3,4\r\n"
    source = CsvSource(io.BytesIO(b"\xef\xbb\xbf" + data), Problems())
    assert source.open() == ["a", "b"]
    assert list(source.rows()) == [(2, ["1", "two\nlines"]), (4, ["3", "4"])]
    assert source.bytes_read == len(data) + 3


def test_it_stops_the_reader_thread_when_the_import_gives_up_early():
    import threading

    from aftersale.imports.reader import ChunkReader

    body = "".join(f"{i},x\n" for i in range(50_000))
    source = CsvSource(io.BytesIO(("a,b\n" + body).encode()), Problems())
    source.open()
    reader = ChunkReader(source, steps=[], width=2, key="a", chunk_size=100)
    chunks = iter(reader)
    assert len(next(chunks).rows) == 100
    chunks.close()  # as when the main thread raises mid-file
    assert not any(t.name == "csv-reader" for t in threading.enumerate())


def _datetime_value_with_replace(raw: str) -> datetime:
    """What ``datetime_value`` did before it attached the zone with ``combine``."""
    tz = ZoneInfo(str(p.timezone.get_default_timezone()))
    if len(raw) == 10:
        day = date.fromisoformat(raw)
        return datetime(day.year, day.month, day.day, tzinfo=tz)
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "UTC", "Europe/Berlin", "America/New_York",
                                  "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"])
def test_it_reads_and_stores_date_times_as_before_across_zones_and_clock_changes(settings, zone):
    from django.db import connection

    from aftersale.imports.writer import SqliteDatetimes

    settings.TIME_ZONE = zone
    # Both spring and autumn changes of the northern and southern hemispheres,
    # the missing and the repeated hours included, with and without microseconds.
    starts = [datetime(2024, 3, 9, 22), datetime(2024, 3, 30, 22), datetime(2024, 4, 6, 22),
              datetime(2024, 10, 5, 22), datetime(2024, 10, 26, 22), datetime(2024, 11, 2, 22)]
    raws = []
    for start in starts:
        for minutes in range(0, 8 * 60, 13):
            local = start + timedelta(minutes=minutes, seconds=minutes % 60,
                                      microseconds=minutes % 3 * 250_001)
            text = local.isoformat()
            raws += [text, text.replace("T", " "), text + "Z", text + "+00:00", text + "-05:00",
                     local.date().isoformat()]
    adapt = SqliteDatetimes()
    for raw in raws:
        expected = _datetime_value_with_replace(raw)
        got = p.datetime_value(raw)
        assert (got, got.tzinfo, got.fold) == (expected, expected.tzinfo, expected.fold), raw
        assert got.replace(tzinfo=None) == expected.replace(tzinfo=None), raw
        if connection.vendor == "sqlite":
            stored = connection.ops.adapt_datetimefield_value(expected)
            assert adapt(got) == stored, raw


@pytest.mark.parametrize("raw", ["2025-02-30T08:00:00", "2025-02-30", "2025-02-28T24:00:00",
                                 "2025-02-28T08:60:00", "2025-02-28T08:00:00+25:00"])
def test_it_refuses_invalid_date_times_with_the_same_message(raw):
    with pytest.raises(BadValue) as refused:
        p.datetime_value(raw)
    assert str(refused.value) == (
        "not an ISO 8601 date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, optional offset)"
    )
