"""Demo time: whole-array date arithmetic anchored to ``as_of``.

Days are integers counted from 1970-01-01 (numpy's ``datetime64[D]``);
moments are ``datetime64[s]`` in UTC. The demo company works in Vietnam
(UTC+7, no daylight saving), Monday to Friday, 08:00-17:00; public holidays
are not modelled in the demo's service targets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np

LOCAL_OFFSET = np.timedelta64(7 * 3600, "s")
DAY_START = 8 * 3600
DAY_LENGTH = 9 * 3600
SECONDS_PER_DAY = 86400
VIETNAM = timedelta(hours=7)


def day_number(on: date) -> int:
    return int(np.datetime64(on, "D").astype(np.int64))


def business_days(days: np.ndarray, before: int) -> np.ndarray:
    """Move each day number to a working day, staying strictly before day ``before``."""
    raw = days.astype("datetime64[D]")
    forward = np.busday_offset(raw, 0, roll="forward")
    late = forward.astype(np.int64) >= before
    if late.any():
        forward[late] = np.busday_offset(raw[late], 0, roll="backward")
    return forward.astype(np.int64)


def office_moments(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """A moment in office hours (to five minutes) on each given working day, in UTC."""
    seconds = DAY_START + rng.integers(0, DAY_LENGTH // 300, size=len(days)) * 300
    local = days.astype("datetime64[D]").astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    return local - LOCAL_OFFSET


def add_business_hours(start: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """``start`` (UTC moments) plus ``hours`` of office time: the service-target clock."""
    local = start.astype("datetime64[s]") + LOCAL_OFFSET
    day = local.astype("datetime64[D]")
    into_day = (local - day.astype("datetime64[s]")).astype(np.int64)
    working = np.is_busday(day)
    # Time already used of the start day; a start outside office hours counts
    # from the next opening.
    used = np.where(working, np.clip(into_day - DAY_START, 0, DAY_LENGTH), 0)
    first = np.busday_offset(day, 0, roll="forward")
    starts_late = working & (into_day >= DAY_START + DAY_LENGTH)
    first = np.where(starts_late, np.busday_offset(day, 1, roll="forward"), first)
    used = np.where(starts_late, 0, used)
    total = used + np.round(np.asarray(hours, dtype=float) * 3600).astype(np.int64)
    extra_days = (total - 1) // DAY_LENGTH
    rest = total - extra_days * DAY_LENGTH
    due_day = np.busday_offset(first, extra_days, roll="forward")
    due_local = due_day.astype("datetime64[s]") + (DAY_START + rest).astype("timedelta64[s]")
    return due_local - LOCAL_OFFSET


def moment(on: date, hour: int, minute: int = 0) -> datetime:
    """An aware UTC datetime for a local (Vietnam) wall-clock time, for hand-written stories."""
    return datetime.combine(on, time(hour, minute)).replace(tzinfo=UTC) - VIETNAM


def to_datetime64(value: datetime) -> np.datetime64:
    return np.datetime64(value.astimezone(UTC).replace(tzinfo=None), "s")
