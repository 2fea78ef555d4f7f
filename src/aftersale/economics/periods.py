"""Reporting periods: calendar months, quarters and years, and the whole lifetime.

A period that contains the as-of date ends on that date (figures never look past it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    LIFETIME = "lifetime", _("Lifetime")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date | None  # None: from the beginning of the relationship
    end: date  # inclusive

    @property
    def label(self) -> str:
        if self.start is None:
            return str(PeriodKind.LIFETIME.label)
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)


def period_start(kind: str, day: date) -> date | None:
    """The first day of the period of ``kind`` that contains ``day``."""
    if kind == PeriodKind.MONTH:
        return day.replace(day=1)
    if kind == PeriodKind.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if kind == PeriodKind.YEAR:
        return date(day.year, 1, 1)
    if kind == PeriodKind.LIFETIME:
        return None
    raise ValueError(f"unknown period kind {kind!r}")


def period_containing(kind: str, as_of: date) -> Period:
    return Period(kind=kind, start=period_start(kind, as_of), end=as_of)


def recent_periods(kind: str, as_of: date, count: int) -> list[Period]:
    """The period containing ``as_of`` and the ``count - 1`` before it, oldest first."""
    if kind == PeriodKind.LIFETIME:
        return [period_containing(kind, as_of)]
    periods = [period_containing(kind, as_of)]
    while len(periods) < count:
        start = periods[-1].start
        assert start is not None
        end = start - timedelta(days=1)
        periods.append(Period(kind=kind, start=period_start(kind, end), end=end))
    return periods[::-1]
