"""core.sql's day expressions: the database finds the same local calendar day as core.asof,
on SQLite (which knows no time zones) as on PostgreSQL, at any hour and in any zone."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersale.core.asof import as_date, day_number, end_of_day, start_of_day
from aftersale.core.sql import age_days_sql, day_number_sql, run

pytestmark = pytest.mark.django_db

ZONES = ["Asia/Ho_Chi_Minh", "Europe/Berlin", "America/New_York", "UTC"]
moments = st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2080, 12, 31),
                       timezones=st.just(UTC))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(ZONES), moments, st.dates(min_value=date(1960, 1, 1), max_value=date(2080, 12, 31)))
def test_it_finds_the_local_day_of_a_moment_as_python_does(zone, moment, day):
    with override_settings(TIME_ZONE=zone):
        found = run(
            f"SELECT {day_number_sql(':moment', is_datetime=True)}, {day_number_sql(':day')},"
            f" {age_days_sql(':moment', is_datetime=True, at=':as_of')}",
            moment=moment, day=day, as_of=end_of_day(day),
        )[0]
        assert found[0] == day_number(moment)
        assert found[1] == day_number(day)
        assert found[2] == (day - as_date(moment)).days


@override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
def test_it_puts_the_first_and_last_moments_of_a_local_day_on_that_day():
    day = date(1997, 1, 1)
    first, last = start_of_day(day), end_of_day(day)
    (a, b, c), = run(
        f"SELECT {day_number_sql(':first', is_datetime=True)}, {day_number_sql(':last', is_datetime=True)},"
        f" {day_number_sql(':before', is_datetime=True)}",
        first=first, last=last, before=first - timedelta(microseconds=1),
    )
    assert a == b == day_number(day)
    assert c == day_number(day) - 1


@override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
@given(st.integers(min_value=0, max_value=86399), st.integers(min_value=0, max_value=86399))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_it_counts_an_age_in_whole_days_whatever_the_hour_of_either_moment(event_second, as_of_second):
    event = start_of_day(date(2026, 3, 1)) + timedelta(seconds=event_second)
    as_of = start_of_day(date(2026, 3, 11)) + timedelta(seconds=as_of_second)
    (age,), = run(f"SELECT {age_days_sql(':event', is_datetime=True)}", event=event, as_of=as_of)
    assert age == 10
