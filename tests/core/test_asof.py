"""The one home for "as of": days in the installation's zone, their bounds, month windows."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from aftersale.core.asof import (
    DAY_ZERO,
    BadDate,
    as_date,
    day_after,
    day_number,
    day_range,
    days_between,
    end_of_day,
    months_before,
    parse_as_of,
    start_of_day,
    utc_offsets,
    window_start,
    year_before,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@given(days)
def test_it_bounds_a_day_in_the_installations_zone(day):
    start, stop = day_range(day, day)
    assert start == start_of_day(day) and stop == day_after(day)
    assert as_date(start) == day and as_date(end_of_day(day)) == day
    assert as_date(stop) == day + timedelta(days=1)
    assert end_of_day(day) < stop and stop - end_of_day(day) == timedelta(microseconds=1)


@given(days, st.integers(min_value=0, max_value=600))
def test_it_steps_back_whole_calendar_months(day, months):
    earlier = months_before(day, months)
    assert (day.year * 12 + day.month) - (earlier.year * 12 + earlier.month) == months
    # The same day of the month where it exists, else the month's last day.
    assert earlier.day == day.day or (earlier + timedelta(days=1)).day == 1


def test_it_takes_the_last_day_of_a_shorter_month():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert year_before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


@override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
def test_it_reads_a_moment_as_its_local_day_not_the_utc_day():
    late_utc = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)  # 03:00 on 2 May in Hanoi
    assert as_date(late_utc) == date(2026, 5, 2)


@override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
def test_it_parses_a_date_as_the_end_of_that_day_and_a_moment_as_itself():
    assert parse_as_of("2026-05-02") == end_of_day(date(2026, 5, 2))
    assert as_date(parse_as_of("2026-05-02T09:30:00")) == date(2026, 5, 2)
    assert parse_as_of("2026-05-02T09:30:00+00:00") == datetime(2026, 5, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "2026-13-01", "0000-01-01"])
def test_it_names_the_value_it_cannot_read(value):
    with pytest.raises(BadDate, match=value):
        parse_as_of(value)


zones = st.sampled_from(["Asia/Ho_Chi_Minh", "Europe/Berlin", "America/New_York", "UTC", "Pacific/Chatham"])
moments = st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2090, 12, 31),
                       timezones=st.just(UTC))


@given(zones, moments)
def test_it_knows_every_offset_of_the_zone(name, moment):
    from zoneinfo import ZoneInfo

    offsets = utc_offsets(name)
    current = [seconds for start, seconds in offsets if start <= moment][-1]
    assert current == moment.astimezone(ZoneInfo(name)).utcoffset().total_seconds()


@given(days, st.integers(min_value=0, max_value=86399), st.integers(min_value=0, max_value=86399))
def test_it_counts_whole_calendar_days_whatever_the_hours(day, first, second):
    with override_settings(TIME_ZONE="Asia/Ho_Chi_Minh"):
        yesterday = start_of_day(day - timedelta(days=1)) + timedelta(seconds=first)
        today = start_of_day(day) + timedelta(seconds=second)
        assert days_between(yesterday, today) == 1
        assert days_between(today, yesterday) == -1
        assert day_number(today) - day_number(yesterday) == 1
        assert day_number(DAY_ZERO) == 0


@given(days, st.integers(min_value=1, max_value=800), st.integers(min_value=0, max_value=86399))
def test_it_makes_a_window_of_whole_days_ending_with_the_day_of_the_moment(day, length, second):
    moment = start_of_day(day) + timedelta(seconds=second)
    start = window_start(moment, length)
    assert start == start_of_day(day - timedelta(days=length - 1))
    assert days_between(start, moment) == length - 1


@override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
def test_it_keeps_the_last_moment_of_a_local_day_on_that_day_not_the_utc_next():
    assert as_date(end_of_day(date(1997, 9, 30))) == date(1997, 9, 30)
    assert day_number(end_of_day(date(1997, 9, 30))) == day_number(date(1997, 9, 30))
    # Local midnight is 17:00 UTC the day before: still the local day.
    assert as_date(datetime(1996, 12, 31, 17, 0, tzinfo=UTC)) == date(1997, 1, 1)
