"""The business-hours calendar: worked examples, then properties checked by hypothesis."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aftersale.service.business_hours import (
    WorkCalendar,
    add_business_time,
    as_hours,
    business_time_between,
    hours,
    merge_intervals,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
H = timedelta(hours=1)
TET_2026 = {date(2026, 2, d) for d in (16, 17, 18, 19, 20)}


def vn_calendar(holidays=()) -> WorkCalendar:
    return WorkCalendar.from_hours(
        tz=HCM, working_days=range(5), start=time(8), end=time(17), lunch=(time(12), time(13)),
        holidays=holidays,
    )


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=HCM)


# --- worked examples -------------------------------------------------------------------------

def test_it_skips_the_lunch_break():
    assert add_business_time(vn_calendar(), at(2026, 3, 2, 11), 2 * H) == at(2026, 3, 2, 14)


def test_it_carries_over_the_weekend():
    # Friday 16:00 + 2 business hours = Monday 09:00.
    assert add_business_time(vn_calendar(), at(2026, 3, 6, 16), 2 * H) == at(2026, 3, 9, 9)


def test_it_starts_counting_at_the_next_opening_when_opened_out_of_hours():
    assert add_business_time(vn_calendar(), at(2026, 3, 7, 22), 1 * H) == at(2026, 3, 9, 9)
    assert business_time_between(vn_calendar(), at(2026, 3, 6, 18), at(2026, 3, 9, 8)) == timedelta(0)


def test_it_stops_the_clock_over_tet():
    cal = vn_calendar(TET_2026)
    # Friday before Tết, 16:00, plus 8 business hours: Mon..Fri of Tết week are holidays.
    assert add_business_time(cal, at(2026, 2, 13, 16), 8 * H) == at(2026, 2, 23, 16)
    assert business_time_between(cal, at(2026, 2, 13, 8), at(2026, 2, 24, 8)) == 16 * H


def test_it_pauses_while_waiting_on_the_customer():
    cal = vn_calendar()
    waiting = [(at(2026, 3, 2, 9), at(2026, 3, 3, 9))]  # one full business day paused
    assert add_business_time(cal, at(2026, 3, 2, 8), 2 * H, waiting) == at(2026, 3, 3, 10)
    assert business_time_between(cal, at(2026, 3, 2, 8), at(2026, 3, 3, 10), waiting) == 2 * H


def test_it_returns_the_earliest_moment_at_the_end_of_a_working_period():
    # Exactly used up at 17:00 Friday: due then, not at 08:00 Monday.
    assert add_business_time(vn_calendar(), at(2026, 3, 6, 16), 1 * H) == at(2026, 3, 6, 17)


def test_it_spans_months():
    cal = vn_calendar()
    # Friday 30 January plus 25 working days of 8 hours ends on Thursday 5 March.
    due = add_business_time(cal, at(2026, 1, 30, 8), 200 * H)
    assert due == at(2026, 3, 5, 17)
    assert business_time_between(cal, at(2026, 1, 30, 8), due) == 200 * H


def test_it_works_in_the_calendar_time_zone_whatever_the_input_zone():
    moment = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Ho Chi Minh City
    assert add_business_time(vn_calendar(), moment, 1 * H) == at(2026, 3, 2, 9)


def test_it_handles_a_daylight_saving_zone():
    paris = ZoneInfo("Europe/Paris")
    cal = WorkCalendar.from_hours(tz=paris, working_days=range(7), start=time(0), end=time(23, 59))
    # 29 March 2026: clocks go from 02:00 to 03:00; the day has 22:59 of wall time, 21:59 real.
    start = datetime(2026, 3, 29, 0, 0, tzinfo=paris)
    end = datetime(2026, 3, 29, 23, 59, tzinfo=paris)
    assert business_time_between(cal, start, end) == timedelta(hours=22, minutes=59)


def test_it_refuses_bad_calendars_and_inputs():
    with pytest.raises(ValueError, match="lunch"):
        WorkCalendar.from_hours(tz=HCM, working_days=range(5), start=time(8), end=time(17),
                                lunch=(time(7), time(8)))
    with pytest.raises(ValueError, match="working day"):
        WorkCalendar.from_hours(tz=HCM, working_days=[], start=time(8), end=time(17))
    with pytest.raises(ValueError, match="negative"):
        add_business_time(vn_calendar(), at(2026, 3, 2), -H)
    with pytest.raises(ValueError, match="time zone"):
        add_business_time(vn_calendar(), datetime(2026, 3, 2, 8), H)


def test_it_converts_target_hours_exactly():
    assert hours("1.25") == timedelta(minutes=75)
    assert as_hours(timedelta(minutes=90)) == 1.5


# --- properties ---------------------------------------------------------------------------

EPOCH = datetime(2025, 12, 1, tzinfo=HCM)
SPAN_MINUTES = 120 * 24 * 60  # four months of possible start times


@st.composite
def calendars(draw) -> WorkCalendar:
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    start_h = draw(st.integers(0, 10))
    end_h = draw(st.integers(start_h + 2, 23))
    lunch = None
    if draw(st.booleans()) and end_h - start_h >= 3:
        ls = draw(st.integers(start_h + 1, end_h - 2))
        lunch = (time(ls), draw(st.sampled_from([time(ls, 30), time(ls + 1)])))
    holidays = draw(st.frozensets(
        st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 6, 30)), max_size=30,
    ))
    return WorkCalendar.from_hours(
        tz=HCM, working_days=days, start=time(start_h), end=time(end_h), lunch=lunch,
        holidays=holidays,
    )


moments = st.integers(0, SPAN_MINUTES).map(lambda m: EPOCH + timedelta(minutes=m))
durations = st.integers(0, 400 * 60).map(lambda m: timedelta(minutes=m))  # up to 400 h: months
fine_durations = st.integers(0, 10**6).map(lambda s: timedelta(microseconds=s * 1_000_003))


@st.composite
def pause_lists(draw) -> list[tuple[datetime, datetime]]:
    result = []
    for _ in range(draw(st.integers(0, 6))):
        a = draw(moments)
        result.append((a, a + timedelta(minutes=draw(st.integers(1, 20 * 24 * 60)))))
    return result


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, durations, durations, pause_lists())
def test_it_adds_in_two_steps_what_it_adds_in_one(cal, start, h1, h2, pauses):
    in_two = add_business_time(cal, add_business_time(cal, start, h1, pauses), h2, pauses)
    assert in_two == add_business_time(cal, start, h1 + h2, pauses)


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, st.one_of(durations, fine_durations), pause_lists())
def test_it_measures_back_with_elapsed_what_add_added(cal, start, h, pauses):
    assert business_time_between(cal, start, add_business_time(cal, start, h, pauses), pauses) == h


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, durations, durations, pause_lists())
def test_it_adds_monotonically(cal, start, h1, h2, pauses):
    lo, hi = sorted([h1, h2])
    assert add_business_time(cal, start, lo, pauses) <= add_business_time(cal, start, hi, pauses)


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, moments, moments, pause_lists())
def test_it_counts_elapsed_time_additively_monotonically_and_within_wall_time(cal, a, b, c, pauses):
    a, b, c = sorted([a, b, c])
    ab = business_time_between(cal, a, b, pauses)
    bc = business_time_between(cal, b, c, pauses)
    assert ab + bc == business_time_between(cal, a, c, pauses)
    assert timedelta(0) <= ab <= b - a
    assert business_time_between(cal, a, c, pauses) >= ab


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, durations, pause_lists(), moments, st.integers(1, 30 * 24 * 60))
def test_it_never_brings_the_due_time_forward_for_a_pause(cal, start, h, pauses, pa, length):
    without = add_business_time(cal, start, h, pauses)
    extra = pauses + [(pa, pa + timedelta(minutes=length))]
    assert add_business_time(cal, start, h, extra) >= without


@settings(max_examples=60, deadline=None)
@given(calendars(), st.data())
def test_it_runs_no_business_time_on_holidays_or_days_off(cal, data):
    days_off = sorted(cal.holidays) + [
        date(2026, 3, 2) + timedelta(days=d) for d in range(7) if d not in cal.working_days
    ]
    assume(days_off)
    day = data.draw(st.sampled_from(days_off))
    start = datetime.combine(day, time(0), tzinfo=HCM)
    assert business_time_between(cal, start, start + timedelta(days=1)) == timedelta(0)


def _oracle_minutes(cal: WorkCalendar, start: datetime, end: datetime, pauses) -> int:
    """Count minute by minute: is this minute inside working hours and outside every pause?"""
    count = 0
    m = start
    while m < end:
        local = m.astimezone(HCM)
        inside = cal.is_working_day(local.date()) and any(
            s <= local.time() < e for s, e in cal.periods
        )
        if inside and not any(a <= m < b for a, b in pauses):
            count += 1
        m += timedelta(minutes=1)
    return count


@settings(max_examples=60, deadline=None)
@given(calendars(), moments, st.integers(0, 4 * 24 * 60), pause_lists())
def test_it_counts_elapsed_time_as_counting_minute_by_minute_does(cal, start, minutes, pauses):
    end = start + timedelta(minutes=minutes)
    expected = _oracle_minutes(cal, start, end, pauses)
    assert business_time_between(cal, start, end, pauses) == timedelta(minutes=expected)


def test_it_merges_overlapping_intervals_and_drops_empty_ones():
    a, b, c, d = (at(2026, 3, 2, h) for h in (8, 9, 10, 11))
    assert merge_intervals([(c, d), (a, b), (b, c), (d, d)]) == [
        (a.astimezone(UTC), d.astimezone(UTC))
    ]
