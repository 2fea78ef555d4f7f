from __future__ import annotations

import argparse
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersale.service.holidays import YEARS_AHEAD, HolidayError, default_years, do_load_holidays

YEARS = re.compile(r"^\s*(\d{1,4})\s*(?:-\s*(\d{1,4})\s*)?$")


def year_range(value: str) -> range:
    """``2030`` or ``2025-2035`` (both ends included)."""
    match = YEARS.match(value)
    first, last = (int(match[1]), int(match[2] or match[1])) if match else (0, 0)
    if not match or not 1 <= first <= last:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a year or a range of years such as 2025-2035.") % {"value": value}
        )
    return range(first, last + 1)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated in the language active when asked, not at import
        return _("Fill a country's holiday calendar with its public holidays from the holidays package "
                 "(adds the days the calendar lacks; days entered by hand stay).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("country", help=_(
            "ISO 3166 country code, such as VN, DE or US; the calendar is the code in lower case."))
        parser.add_argument("--years", type=year_range, help=_(
            "a year or a range such as 2025-2035 (default: this year and the next %(ahead)d)"
        ) % {"ahead": YEARS_AHEAD})

    def handle(self, *args: Any, country: str, years: range | None, **options: Any) -> None:
        try:
            years = years or default_years(country, timezone.localdate())
            calendar, added = do_load_holidays(country, years)
        except HolidayError as exc:
            raise CommandError(str(exc)) from None
        span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
        self.stdout.write(ngettext(
            "%(count)d day added to holiday calendar “%(calendar)s” for %(years)s.",
            "%(count)d days added to holiday calendar “%(calendar)s” for %(years)s.",
            added,
        ) % {"count": added, "calendar": calendar, "years": span})
