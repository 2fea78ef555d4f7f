"""Demo time: whole-array date arithmetic on the service app's working calendar.

Days are integers counted from 1970-01-01 (numpy's ``datetime64[D]``);
moments are ``datetime64[s]`` in UTC. The calendar is the one the service
clock uses (``AFTERSALE["SERVICE"]``: working days, working hours with the
lunch break, public holidays, the configured time zone), so the response and
resolution due times the demo stores are the ones the service app would
compute; ``add_business_hours`` is numpy's business-day functions plus the
periods of the working day, a million cases at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from aftersale.service.business_hours import WorkCalendar

SECONDS_PER_DAY = 86400


def day_number(on: date) -> int:
    return int(np.datetime64(on, "D").astype(np.int64))


def to_datetime64(value: datetime) -> np.datetime64:
    return np.datetime64(value.astimezone(UTC).replace(tzinfo=None), "s")


def from_datetime64(value: np.datetime64) -> datetime:
    return datetime.fromtimestamp(int(value.astype("datetime64[s]").astype(np.int64)), UTC)


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class Calendar:
    """Working days and hours in whole-array form.

    ``offset`` is the time zone's distance from UTC in seconds (fixed: the
    demo's zone, Vietnam, has no daylight saving); ``periods`` are the
    working stretches of a day in seconds after local midnight.
    """

    offset: int
    weekmask: str
    periods: tuple[tuple[int, int], ...]
    holidays: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="datetime64[D]"))

    @classmethod
    def from_work_calendar(cls, cal: WorkCalendar, on: date) -> Calendar:
        utc_offset = cal.tz.utcoffset(datetime.combine(on, time(12)))
        return cls(
            offset=int(utc_offset.total_seconds()) if utc_offset else 0,
            weekmask="".join("1" if d in cal.working_days else "0" for d in range(7)),
            periods=tuple((_seconds(a), _seconds(b)) for a, b in cal.periods),
            holidays=np.array(sorted(cal.holidays), dtype="datetime64[D]"),
        )

    @property
    def day_length(self) -> int:
        return sum(end - start for start, end in self.periods)

    def _offset(self) -> np.timedelta64:
        return np.timedelta64(self.offset, "s")

    def _busday(self, days: np.ndarray, offsets: np.ndarray | int, roll: str) -> np.ndarray:
        return np.busday_offset(
            days, offsets, roll=roll, weekmask=self.weekmask, holidays=self.holidays
        )

    def business_days(self, days: np.ndarray, before: int) -> np.ndarray:
        """Move each day number to a working day, staying strictly before day ``before``."""
        raw = days.astype("datetime64[D]")
        forward = self._busday(raw, 0, "forward")
        late = forward.astype(np.int64) >= before
        if late.any():
            forward[late] = self._busday(raw[late], 0, "backward")
        return forward.astype(np.int64)

    def office_moments(self, rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
        """A moment in working hours (to five minutes) on each given working day, in UTC."""
        working = rng.integers(0, self.day_length // 300, size=len(days)) * 300
        local = self._clock_time(working, at_period_end=False)
        moments = days.astype("datetime64[D]").astype("datetime64[s]") + local.astype("timedelta64[s]")
        return moments - self._offset()

    def _clock_time(self, worked: np.ndarray, at_period_end: bool = True) -> np.ndarray:
        """Seconds after midnight at which ``worked`` seconds of the working day have run.

        With ``at_period_end``, time that is used up exactly at the end of a
        period ends there (12:00, not 13:00): the earliest moment it has run,
        as the service clock counts. Without it, that moment is the start of
        the next period (a meeting does not start at the stroke of lunch).
        """
        out = np.zeros(len(worked), dtype=np.int64)
        before = 0
        for start, end in self.periods:
            length = end - start
            if at_period_end:
                inside = (worked > before) & (worked <= before + length)
            else:
                inside = (worked >= before) & (worked < before + length)
            out[inside] = start + (worked[inside] - before)
            before += length
        return out

    def add_business_hours(self, start: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """``start`` (UTC moments) plus ``hours`` of working time: the service-target clock."""
        local = start.astype("datetime64[s]") + self._offset()
        day = local.astype("datetime64[D]")
        into_day = (local - day.astype("datetime64[s]")).astype(np.int64)
        working = np.is_busday(day, weekmask=self.weekmask, holidays=self.holidays)
        # Working time already gone on the start day; none if it is a day off.
        used = np.zeros(len(day), dtype=np.int64)
        for start_s, end_s in self.periods:
            used += np.clip(into_day - start_s, 0, end_s - start_s)
        used = np.where(working, used, 0)
        first = self._busday(day, 0, "forward")
        total = used + np.round(np.asarray(hours, dtype=float) * 3600).astype(np.int64)
        length = self.day_length
        extra_days = (total - 1) // length
        rest = total - extra_days * length
        due_day = self._busday(first, extra_days, "forward")
        due_local = due_day.astype("datetime64[s]") + self._clock_time(rest).astype("timedelta64[s]")
        return due_local - self._offset()

    def moment(self, on: date, hour: int, minute: int = 0) -> datetime:
        """An aware UTC datetime for a local wall-clock time (for hand-written stories)."""
        local = datetime.combine(on, time(hour, minute)).replace(tzinfo=UTC)
        return local - timedelta(seconds=self.offset)

    def midnight(self, day: int) -> np.datetime64:
        """The start of local day ``day`` (a day number), in UTC."""
        return np.datetime64(day * SECONDS_PER_DAY, "s") - self._offset()

    def local_days(self, moments: np.ndarray) -> np.ndarray:
        return (moments + self._offset()).astype("datetime64[D]").astype(np.int64)

    def is_working_day(self, on: date) -> bool:
        return bool(np.is_busday(np.datetime64(on, "D"), weekmask=self.weekmask, holidays=self.holidays))


# Vietnam, Monday to Friday, 08:00-12:00 and 13:00-17:00, no holidays: the
# service app's default calendar; used where no database is at hand (tests).
VIETNAM = Calendar(
    offset=7 * 3600, weekmask="1111100", periods=((8 * 3600, 12 * 3600), (13 * 3600, 17 * 3600))
)
