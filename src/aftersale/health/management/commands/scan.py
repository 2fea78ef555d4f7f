"""``aftersale scan [--as-of DATE] [--json]``: score the whole portfolio now."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aftersale.core.asof import BadDate, parse_as_of
from aftersale.core.guard import StatementTimeout
from aftersale.health.models import Band
from aftersale.health.scan import run_scan, scan_summary


class Command(BaseCommand):
    help = (
        "Score every account as of a date (default: now): store a snapshot per account "
        "and open or resolve alerts. Running it again for the same date changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="YYYY-MM-DD (end of that day) or ISO 8601 date and time")
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_as_of(options["as_of"])
        except BadDate as exc:
            raise CommandError(f"--as-of: {exc}") from None
        try:
            summary = scan_summary(run_scan(as_of))
        except StatementTimeout as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        self.stdout.write(_("Scanned %(accounts)d accounts as of %(as_of)s in %(seconds)s s.") % summary)
        for band, count in summary["bands"].items():
            self.stdout.write(f"  {Band(band).label}: {count}")
        if summary["alerts"]:
            self.stdout.write(_("Open alerts:"))
            for kind, count in sorted(summary["alerts"].items()):
                self.stdout.write(f"  {kind}: {count}")
