"""Public holidays from the ``holidays`` package, loaded into the Holiday table.

The service clock reads the table, not the package: governments move days
(a working Saturday in exchange for a bridge day), an admin enters that in the
admin, and loading again only adds the days the table lacks, so nothing
entered by hand is overwritten.

A country's calendar in the table is named by its ISO 3166 code in lower case
(``vn``, ``de``), the value ``AFTERSALE["SERVICE"]["HOLIDAYS"]`` selects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays
from django.db import transaction
from django.utils.translation import gettext as _

from aftersale.service.models import Holiday

# The years loaded when none are asked for: this year and this many after it.
YEARS_AHEAD = 5


class HolidayError(ValueError):
    """A country code or years the package cannot serve; the message says which, for the user."""


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, as the package names it ("VN" also for "vnm")
    language: str | None  # the country's own language, in which days are named
    first_year: int
    last_year: int

    @property
    def calendar(self) -> str:
        return self.code.lower()


def country(code: str) -> Country:
    """The country the package knows by ``code`` (alpha-2 or alpha-3, any case)."""
    try:
        entity = holidays.country_holidays(code.strip().upper())
    except NotImplementedError:
        raise HolidayError(
            _("No public holidays are known for the country code “%(code)s”; give an ISO 3166 "
              "code such as VN, DE or US.") % {"code": code}
        ) from None
    return Country(code=entity.country, language=entity.default_language,
                   first_year=entity.start_year, last_year=entity.end_year)


def public_holidays(code: str, years: Iterable[int]) -> list[tuple[date, str]]:
    """The public holidays of the country ``code`` in ``years``, earliest first, named in
    the country's own language (the package otherwise follows the machine's locale).

    Substitute days off are included; two holidays on one day come as one name.
    """
    found = country(code)
    years = list(years)
    outside = [y for y in years if not found.first_year <= y <= found.last_year]
    if outside:
        raise HolidayError(
            _("Public holidays of %(country)s are known for %(first)d to %(last)d only, not for "
              "%(year)d.") % {"country": found.code, "first": found.first_year,
                             "last": found.last_year, "year": outside[0]}
        )
    days = holidays.country_holidays(found.code, years=years, language=found.language)
    return sorted(days.items())


def default_years(code: str, today: date) -> range:
    """This year and the next ``YEARS_AHEAD``, as far as the package knows the country
    (this year at least, which ``public_holidays`` refuses if the package does not know it)."""
    last = min(today.year + YEARS_AHEAD, country(code).last_year)
    return range(today.year, max(last, today.year) + 1)


def do_load_holidays(code: str, years: Iterable[int]) -> tuple[str, int]:
    """Add the country's public holidays in ``years`` that its calendar lacks.

    A day already in the calendar stays as it is (entered or renamed by hand, or
    loaded before), so loading twice adds nothing. Returns (calendar, days added).
    """
    calendar = country(code).calendar
    days = public_holidays(code, years)
    name_length = Holiday._meta.get_field("name").max_length
    with transaction.atomic():
        existing = set(Holiday.objects.filter(calendar=calendar).values_list("date", flat=True))
        missing = [
            Holiday(calendar=calendar, date=day, name=name[:name_length])
            for day, name in days if day not in existing
        ]
        # A concurrent load may have added some of them since: skip those, too.
        Holiday.objects.bulk_create(missing, ignore_conflicts=True)
    return calendar, len(missing)
