"""The demo's whole-array clock agrees with the service app's business-hours arithmetic."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np

from aftersale.demo.clock import VIETNAM, Calendar, day_number, from_datetime64, to_datetime64
from aftersale.service.business_hours import WorkCalendar, add_business_time, hours

TET = [date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20)]
WORK = WorkCalendar.from_hours(
    tz=ZoneInfo("Asia/Ho_Chi_Minh"), working_days=range(5), start=time(8), end=time(17),
    lunch=(time(12), time(13)), holidays=TET,
)
CAL = Calendar.from_work_calendar(WORK, date(2026, 2, 1))


def due(opened: datetime, target: float, cal: Calendar = VIETNAM) -> datetime:
    return from_datetime64(cal.add_business_hours(np.array([to_datetime64(opened)]), np.array([target]))[0])


def test_it_counts_hours_around_the_lunch_break():
    assert due(VIETNAM.moment(date(2026, 6, 15), 9), 2) == VIETNAM.moment(date(2026, 6, 15), 11)
    assert due(VIETNAM.moment(date(2026, 6, 15), 9), 4) == VIETNAM.moment(date(2026, 6, 15), 14)
    # Exactly used up at the end of the morning: the earliest moment, before lunch.
    assert due(VIETNAM.moment(date(2026, 6, 15), 8), 4) == VIETNAM.moment(date(2026, 6, 15), 12)


def test_it_carries_over_the_night_and_the_weekend():
    # Friday 16:00 plus 2 working hours: one on Friday, one on Monday morning.
    assert due(VIETNAM.moment(date(2026, 6, 19), 16), 2) == VIETNAM.moment(date(2026, 6, 22), 9)
    assert due(VIETNAM.moment(date(2026, 6, 20), 11), 1) == VIETNAM.moment(date(2026, 6, 22), 9)
    assert due(VIETNAM.moment(date(2026, 6, 15), 19), 1) == VIETNAM.moment(date(2026, 6, 16), 9)


def test_it_skips_public_holidays():
    assert due(CAL.moment(date(2026, 2, 13), 16), 2, CAL) == CAL.moment(date(2026, 2, 23), 9)


def test_it_matches_the_service_clock_on_random_cases():
    rng = random.Random(5)
    starts = [
        datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
        for _ in range(300)
    ]
    targets = [rng.choice([1, 2, 4, 8, 16, 24, 40, 80, 0.5, 7.25]) for _ in starts]
    ours = CAL.add_business_hours(np.array([to_datetime64(s) for s in starts]), np.array(targets))
    for start, target, mine in zip(starts, targets, ours, strict=True):
        theirs = add_business_time(WORK, start, hours(Decimal(str(target))))
        assert from_datetime64(mine) == theirs, (start, target)


def test_it_keeps_business_days_before_the_cutoff():
    saturday = day_number(date(2026, 6, 20))
    monday = day_number(date(2026, 6, 22))
    friday = day_number(date(2026, 6, 19))
    assert VIETNAM.business_days(np.array([saturday]), before=monday + 5).tolist() == [monday]
    # Rolling forward would reach the cutoff day, so it rolls back to Friday.
    assert VIETNAM.business_days(np.array([saturday]), before=monday).tolist() == [friday]


def test_it_puts_office_moments_in_working_hours():
    days = np.full(2000, day_number(date(2026, 6, 15)))
    moments = VIETNAM.office_moments(np.random.default_rng(1), days)
    local_hours = [(from_datetime64(m) + timedelta(hours=7)).time() for m in moments]
    assert all(time(8) <= t < time(12) or time(13) <= t <= time(17) for t in local_hours)
    assert any(t >= time(13) for t in local_hours)
