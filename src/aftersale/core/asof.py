"""One home for "as of": calendar days, their bounds, and windows of months.

Every measure, signal and page works "as of" a moment. Days are calendar days
in the installation's time zone (``settings.TIME_ZONE``), whoever is asking:
a scan's facts must not depend on the language or zone of the person who runs
it. These helpers are the only place where a moment becomes a day or a day
becomes a range of moments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

__all__ = [
    "DAY_ZERO", "BadDate", "as_date", "day_after", "day_number", "day_range", "days_between", "end_of_day",
    "months_before", "parse_as_of", "start_of_day", "utc_offsets", "window_start", "year_before", "zone",
]

#: Day numbers (``day_number``, and the SQL day expressions of ``core.sql``) count from this day.
DAY_ZERO = date(2000, 1, 1)


def zone() -> ZoneInfo:
    """The installation's time zone (never the active one of a request)."""
    return timezone.get_default_timezone()


def as_date(as_of: date | datetime) -> date:
    """The calendar day of ``as_of`` in the installation's time zone; a date stays itself.

    A naive datetime is read as already local (Django stores aware ones).
    """
    if isinstance(as_of, datetime):
        return as_of.astimezone(zone()).date() if timezone.is_aware(as_of) else as_of.date()
    return as_of


def day_number(value: date | datetime) -> int:
    """The calendar day of ``value`` (a moment's local day) as a whole number of days since
    ``DAY_ZERO``: what ``core.sql.day_number_sql`` computes in the database."""
    return (as_date(value) - DAY_ZERO).days


def days_between(earlier: date | datetime, later: date | datetime) -> int:
    """Whole calendar days from ``earlier``'s day to ``later``'s (negative when ``earlier`` is later).

    Ages and lateness are counted in days of the installation's zone: an event of yesterday
    is one day old all day today, at 00:05 as at 23:55, never a fraction measured between
    two moments (the score of a day must not change with the hour it is computed at)."""
    return (as_date(later) - as_date(earlier)).days


def window_start(as_of: date | datetime, days: int) -> datetime:
    """The first moment of the last ``days`` calendar days up to and including ``as_of``'s day
    (filter with ``>=``): a window of whole days, the same at any hour of the day."""
    return start_of_day(as_date(as_of) - timedelta(days=days - 1))


def start_of_day(day: date) -> datetime:
    """The first moment of ``day`` in the installation's time zone.

    It is also what a date alone means where a moment is expected (a CSV cell, an API
    field, a form): that calendar day here, whatever the UTC day of its first moment."""
    return datetime.combine(day, time.min, tzinfo=zone())


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` (an inclusive bound: ``<= end_of_day(day)``)."""
    return datetime.combine(day, time.max, tzinfo=zone())


def day_after(day: date) -> datetime:
    """The first moment after ``day`` (an exclusive bound: ``< day_after(day)``)."""
    return start_of_day(day + timedelta(days=1))


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments of the days ``first`` to ``last`` inclusive, as a half-open range
    ``[start, stop)``: filter with ``__gte=start, __lt=stop``."""
    return start_of_day(first), day_after(last)


def months_before(day: date, months: int = 12) -> date:
    """The day ``months`` calendar months before ``day``; 31 March minus one month is the
    last day of February. Windows of months are ``(months_before(day, n), day]``."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month0 = divmod(month_index, 12)
    first_of_next = date(year + (month0 + 1) // 12, (month0 + 1) % 12 + 1, 1)
    last_day = (first_of_next - timedelta(days=1)).day
    return date(year, month0 + 1, min(day.day, last_day))


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    return months_before(day, 12)


#: The span of moments ``utc_offsets`` describes; outside it, the nearest offset holds.
OFFSETS_SPAN = (datetime(1900, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def utc_offsets(name: str | None = None) -> tuple[tuple[datetime, int], ...]:
    """The zone's UTC offsets in seconds, each with the UTC moment it starts at (the first
    starts at ``OFFSETS_SPAN[0]``), for the databases that cannot convert a moment to a
    local day themselves (``core.sql.day_number_sql`` on SQLite)."""
    return _offsets(name or zone().key)


@cache
def _offsets(name: str) -> tuple[tuple[datetime, int], ...]:
    tz = ZoneInfo(name)

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(tz).utcoffset().total_seconds())  # type: ignore[union-attr]

    first, last = OFFSETS_SPAN
    found = [(first, offset(first))]
    # A zone changes its offset at most a few times a year: look every week, then find the
    # second of each change by halving.
    step = timedelta(days=7)
    probe = first
    while probe < last:
        nxt = min(probe + step, last)
        if offset(nxt) != found[-1][1]:
            low, high = probe, nxt
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if offset(middle) == found[-1][1]:
                    low = middle
                else:
                    high = middle
            high = high.replace(microsecond=0)
            found.append((high, offset(high)))
            probe = high
            continue
        probe = nxt
    return tuple(found)


class BadDate(ValueError):
    """An "as of" value that is not a date or a moment; the message names the value."""


def parse_as_of(value: str | None) -> datetime:
    """The moment an ``--as-of`` option or ``?as_of=`` parameter names.

    ``YYYY-MM-DD`` is the end of that day (all its events count); a full ISO date and
    time is taken as is (read in the installation's time zone when it has no offset);
    nothing means now."""
    if not value:
        return timezone.now()
    value = value.strip()
    try:
        moment = parse_datetime(value) if "T" in value or " " in value else None
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if moment is not None:
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=zone())
    if day is not None:
        return end_of_day(day)
    raise BadDate(f"{value!r} is not a date (use YYYY-MM-DD or an ISO 8601 date and time)")
