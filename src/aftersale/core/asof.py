"""One home for "as of": calendar days, their bounds, and windows of months.

Every measure, signal and page works "as of" a moment. Days are calendar days
in the installation's time zone (``settings.TIME_ZONE``), whoever is asking:
a scan's facts must not depend on the language or zone of the person who runs
it. These helpers are the only place where a moment becomes a day or a day
becomes a range of moments.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

__all__ = [
    "BadDate", "as_date", "day_after", "day_range", "end_of_day", "months_before", "parse_as_of",
    "start_of_day", "year_before", "zone",
]


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


def start_of_day(day: date) -> datetime:
    """The first moment of ``day`` in the installation's time zone."""
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
