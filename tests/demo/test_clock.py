"""The service-target clock of the demo: office hours, Monday to Friday, Vietnam time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np

from aftersale.demo.clock import add_business_hours, business_days, day_number, moment, to_datetime64


def due(opened: datetime, hours: float) -> datetime:
    out = add_business_hours(np.array([to_datetime64(opened)]), np.array([hours]))[0]
    return datetime.fromtimestamp(int(out.astype(np.int64)), UTC)


def test_it_counts_hours_within_the_same_day():
    assert due(moment(date(2026, 6, 15), 9), 4) == moment(date(2026, 6, 15), 13)


def test_it_carries_over_the_night_and_the_weekend():
    # Friday 16:00 plus 2 office hours: one hour on Friday, one on Monday morning.
    assert due(moment(date(2026, 6, 19), 16), 2) == moment(date(2026, 6, 22), 9)


def test_it_starts_the_clock_at_opening_time():
    assert due(moment(date(2026, 6, 15), 6, 30), 1) == moment(date(2026, 6, 15), 9)
    assert due(moment(date(2026, 6, 15), 19), 1) == moment(date(2026, 6, 16), 9)
    assert due(moment(date(2026, 6, 20), 11), 1) == moment(date(2026, 6, 22), 9)


def test_a_full_day_of_hours_ends_at_closing_time():
    assert due(moment(date(2026, 6, 15), 8), 9) == moment(date(2026, 6, 15), 17)
    assert due(moment(date(2026, 6, 15), 8), 27) == moment(date(2026, 6, 17), 17)


def test_business_days_stay_before_the_cutoff():
    saturday = day_number(date(2026, 6, 20))
    monday = day_number(date(2026, 6, 22))
    friday = day_number(date(2026, 6, 19))
    assert business_days(np.array([saturday]), before=monday + 5).tolist() == [monday]
    # Rolling forward would reach the cutoff day, so it rolls back to Friday.
    assert business_days(np.array([saturday]), before=monday).tolist() == [friday]
