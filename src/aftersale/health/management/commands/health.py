"""``aftersale health ACCOUNT_EXTERNAL_ID [--as-of DATE] [--json]``: one account's health."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aftersale.accounts.models import Account
from aftersale.core.asof import BadDate, parse_as_of
from aftersale.health.models import Band, Trend
from aftersale.health.report import account_report, moved_rows


class Command(BaseCommand):
    help = (
        "Evaluate one account's health as of a date (default: now) and list the alert "
        "conditions that hold then. Writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("account", help="the account's external ID")
        parser.add_argument("--as-of", help="YYYY-MM-DD (end of that day) or ISO 8601 date and time")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_as_of(options["as_of"])
        except BadDate as exc:
            raise CommandError(f"--as-of: {exc}") from None
        account = Account.objects.filter(external_id=options["account"]).first()
        if account is None:
            raise CommandError(f"no account with external ID {options['account']!r}")
        report, health, _ctx = account_report(account, as_of)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.print_text(account, report, moved_rows(health), health.previous_date, health.band_note)

    def print_text(self, account: Account, report: dict[str, Any], moved: list[dict[str, Any]],
                   previous: Any, band_note: str = "") -> None:
        out = self.stdout.write
        out(f"{account.name} ({account.external_id}), {_('as of')} {report['as_of']}")
        score = "-" if report["score"] is None else str(report["score"])
        trend = str(Trend(report["trend"]).label).lower() if report["trend"] else _("not enough history")
        out(_("Score %(score)s, %(band)s; coverage %(coverage)d%%; trend: %(trend)s") % {
            "score": score, "band": str(Band(report["band"]).label).lower(),
            "coverage": round(100 * report["coverage"]), "trend": trend,
        })
        if band_note:
            out(band_note)
        out("")
        for row in report["signals"]:
            value = "  -  " if row["value"] is None else f"{row['value']:.2f}"
            points = "" if row["contribution"] is None else f"{row['contribution']:5.1f}"
            out(f"  {row['name']:<20} {value} x{row['weight']:>3} {points:>6}  {row['explanation']}")
        if moved:
            out("")
            out(_("Why it moved since %(date)s:") % {"date": previous})
            for row in moved:
                out(f"  {row['label']}: {row['change']:+.1f}  {row['url'] or ''}")
        out("")
        if report["alerts"]:
            out(_("Alert conditions that hold:"))
            for alert in report["alerts"]:
                out(f"  [{alert['kind']}] {alert['explanation']}")
        else:
            out(_("No alert condition holds."))
