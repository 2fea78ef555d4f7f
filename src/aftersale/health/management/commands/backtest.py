"""``aftersale backtest --as-of DATE --horizon DAYS [--json]``: rank accounts as of a past date."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aftersale.core.asof import BadDate, parse_as_of
from aftersale.health.backtest import backtest


class Command(BaseCommand):
    help = (
        "ROC AUC of the rhythm expectation, the health score and recency-only and frequency-only "
        "baselines at ranking the accounts that order again within the horizon after a past date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD (end of that day)")
        parser.add_argument("--horizon", type=int, required=True, help="days after --as-of")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_as_of(options["as_of"])
        except BadDate as exc:
            raise CommandError(f"--as-of: {exc}") from None
        if options["horizon"] < 1:
            raise CommandError(_("--horizon: must be at least 1 day"))
        result = backtest(as_of, options["horizon"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(_("%(accounts)d accounts with orders before %(as_of)s; %(ordered_again)d ordered "
                            "again within %(horizon_days)d days.") % result)
        for name, auc in result["auc"].items():
            self.stdout.write(f"  {name:<10} {'-' if auc is None else f'{auc:.3f}'}")
