"""Business-hours arithmetic for service targets: plain functions, no ORM.

A :class:`WorkCalendar` says when the service clock runs: on working days,
inside the working periods of the day (the lunch break is the gap between
two periods), except on public holidays. On top of that, *pauses* (absolute
intervals, e.g. while a case waits on the customer) stop the clock.

Two operations, both exact to the microsecond:

- ``add_business_time(cal, start, duration, pauses)``: the earliest moment
  at which ``duration`` of business time has run since ``start``;
- ``business_time_between(cal, start, end, pauses)``: how much business time
  ran between two moments.

They are inverses: ``business_time_between(cal, s, add_business_time(cal, s, d)) == d``,
and adding in two steps equals adding the sum. Working hours are wall-clock
times in the calendar's time zone; the arithmetic itself runs in UTC so that
a daylight-saving change (not that Vietnam has one) cannot stretch an hour.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal

Interval = tuple[datetime, datetime]

ZERO = timedelta(0)


@dataclass(frozen=True)
class WorkCalendar:
    """When the service clock runs.

    ``working_days`` uses Python's weekday numbers (Monday = 0 ... Sunday = 6);
    ``periods`` are the working stretches of a working day, in local time.
    """

    tz: tzinfo
    working_days: frozenset[int]
    periods: tuple[tuple[time, time], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)
    # Working intervals per date, built once: a portfolio's cases share the same few
    # hundred days, and building aware datetimes is most of the cost of the arithmetic.
    _days: dict[date, tuple[Interval, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if not self.working_days:
            raise ValueError("a work calendar needs at least one working day")
        if not self.working_days <= set(range(7)):
            raise ValueError(
                f"working days must be 0 (Monday) to 6 (Sunday), not {sorted(self.working_days)}"
            )
        if not self.periods:
            raise ValueError("a work calendar needs at least one working period")
        previous_end: time | None = None
        for start, end in self.periods:
            if start >= end:
                raise ValueError(f"working period {start:%H:%M}-{end:%H:%M} ends before it starts")
            if previous_end is not None and start < previous_end:
                raise ValueError("working periods must be in order and must not overlap")
            previous_end = end

    @classmethod
    def from_hours(
        cls, *, tz: tzinfo, working_days: Iterable[int], start: time, end: time,
        lunch: tuple[time, time] | None = None, holidays: Iterable[date] = (),
    ) -> WorkCalendar:
        """A calendar of one working day from ``start`` to ``end`` with an optional lunch break."""
        if lunch is None:
            periods: tuple[tuple[time, time], ...] = ((start, end),)
        else:
            lunch_start, lunch_end = lunch
            if not start < lunch_start < lunch_end < end:
                raise ValueError(
                    f"the lunch break {lunch_start:%H:%M}-{lunch_end:%H:%M} must lie inside "
                    f"the working hours {start:%H:%M}-{end:%H:%M}"
                )
            periods = ((start, lunch_start), (lunch_end, end))
        return cls(
            tz=tz, working_days=frozenset(working_days), periods=periods,
            holidays=frozenset(holidays),
        )

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays

    def day_intervals(self, day: date) -> tuple[Interval, ...]:
        """The working intervals of a local date, as UTC datetimes (empty on days off)."""
        cached = self._days.get(day)
        if cached is None:
            cached = self._days[day] = _day_intervals(self, day) if self.is_working_day(day) else ()
        return cached

    def working_time_per_week(self) -> timedelta:
        per_day = sum(
            (datetime.combine(date.min, e) - datetime.combine(date.min, s) for s, e in self.periods),
            ZERO,
        )
        return per_day * len(self.working_days)


def _day_intervals(cal: WorkCalendar, day: date) -> tuple[Interval, ...]:
    result = []
    for start, end in cal.periods:
        a = datetime.combine(day, start, tzinfo=cal.tz).astimezone(UTC)
        b = datetime.combine(day, end, tzinfo=cal.tz).astimezone(UTC)
        if a < b:  # a period swallowed by a clock change is simply skipped
            result.append((a, b))
    return tuple(result)


def hours(value: Decimal | int | str) -> timedelta:
    """Exact conversion of a number of hours (as stored on targets) to a timedelta."""
    micro = Decimal(value) * 3_600_000_000
    if micro != micro.to_integral_value():
        raise ValueError(f"{value} hours is not a whole number of microseconds")
    return timedelta(microseconds=int(micro))


def as_hours(duration: timedelta) -> Decimal:
    return Decimal(duration // timedelta(microseconds=1)) / 3_600_000_000


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping, non-empty intervals (UTC) covering the same time."""
    cleaned = sorted((_utc(a), _utc(b)) for a, b in intervals if b > a)
    merged: list[Interval] = []
    for a, b in cleaned:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment} has no time zone; business-hours arithmetic needs aware datetimes")
    return moment.astimezone(UTC)


def _running(cal: WorkCalendar, start: datetime, pauses: Sequence[Interval]) -> Iterator[Interval]:
    """The intervals from ``start`` on during which the clock runs, in order, without end.

    Working intervals minus pauses. Terminates for any finite use because the
    calendar has at least one working period per week and finitely many holidays.
    """
    start = _utc(start)
    paused = merge_intervals(pauses)
    p = 0
    # Start a day early: the local date of ``start`` may begin before it in UTC terms.
    day = start.astimezone(cal.tz).date() - timedelta(days=1)
    while True:
        for a, b in cal.day_intervals(day):
            if b <= start:
                continue
            a = max(a, start)
            while p < len(paused) and paused[p][1] <= a:
                p += 1
            q = p
            while a < b:
                if q < len(paused) and paused[q][0] < b:
                    pa, pb = paused[q]
                    if pa > a:
                        yield a, pa
                    a = max(a, pb)
                    if pb <= b:
                        q += 1
                    else:
                        break
                else:
                    yield a, b
                    break
        day += timedelta(days=1)


def add_business_time(
    cal: WorkCalendar, start: datetime, duration: timedelta, pauses: Sequence[Interval] = (),
) -> datetime:
    """The earliest moment at which ``duration`` of business time has run since ``start``.

    The result is in the calendar's time zone. Adding zero returns ``start``.
    """
    if duration < ZERO:
        raise ValueError("cannot add a negative amount of business time")
    if duration == ZERO:
        return start
    remaining = duration
    for a, b in _running(cal, start, pauses):
        if remaining <= b - a:
            return (a + remaining).astimezone(cal.tz)
        remaining -= b - a
    raise AssertionError("unreachable: the running intervals never end")  # pragma: no cover


def business_time_between(
    cal: WorkCalendar, start: datetime, end: datetime, pauses: Sequence[Interval] = (),
) -> timedelta:
    """Business time that ran in [start, end), pauses excluded; zero if ``end`` is not after ``start``."""
    end = _utc(end)
    if end <= _utc(start):
        return ZERO
    total = ZERO
    for a, b in _running(cal, start, pauses):
        if a >= end:
            break
        total += min(b, end) - a
    return total
