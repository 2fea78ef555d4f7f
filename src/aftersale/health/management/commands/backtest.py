"""``aftersale backtest --as-of DATE --horizon DAYS [--fit-weights] [--json]``: does the shipped score,
as of a past date, rank who orders again (or stays active) in the horizon after it? Stores the run."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aftersale.core.asof import BadDate, parse_as_of
from aftersale.health.backtest import ACTIVE, ORDERS_AGAIN
from aftersale.health.proof import run_backtest


class Command(BaseCommand):
    help = (
        "Evaluate the health score exactly as a scan as of a past date would, and report how well it, "
        "each signal, the rhythm expectation, recency and frequency rank the accounts that order again "
        "(and stay active) within the horizon: AUC with 95% interval, calibration, lift. Stored for the "
        "\"Does the score work?\" page. --fit-weights also fits non-negative weights on the date one "
        "horizon earlier and checks them on this one (applied only by an admin)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD (end of that day)")
        parser.add_argument("--horizon", type=int, required=True, help="days after --as-of")
        parser.add_argument("--fit-weights", action="store_true",
                            help="fit suggested weights on --as-of minus --horizon, check them on --as-of")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_as_of(options["as_of"])
        except BadDate as exc:
            raise CommandError(f"--as-of: {exc}") from None
        if options["horizon"] < 1:
            raise CommandError(_("--horizon: must be at least 1 day"))
        try:
            run = run_backtest(as_of, options["horizon"], fit=options["fit_weights"])
        except ValueError as exc:
            raise CommandError(f"--as-of/--horizon: {exc}") from None
        result = run.report
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for key, label in ((ORDERS_AGAIN, _("ordered again")), (ACTIVE, _("still active"))):
            outcome = result["outcomes"][key]
            self.stdout.write(_("%(accounts)d accounts as of %(as_of)s; %(positives)d %(label)s within "
                                "%(horizon)d days.") % {**outcome, "as_of": result["as_of"][:10],
                                                       "label": label, "horizon": result["horizon_days"]})
            for name, r in outcome["rankings"].items():
                auc = "-" if r["auc"] is None else f"{r['auc']:.3f} [{r['low']:.3f}, {r['high']:.3f}]"
                lift = "" if r["lift_top_tenth"] is None else f"  lift {r['lift_top_tenth']:.2f}"
                self.stdout.write(f"  {name:<22} {auc}  n={r['n']}{lift}")
        expected = result.get("expected_orders")
        if expected:
            self.stdout.write(
                _("Order days expected by the rhythm model in the horizon, and those that came:"))
            for group, row in expected.items():
                label = _("all") if group == "all" else _("%(group)s repeat days") % {"group": group}
                self.stdout.write(f"  {label:<22} {row['n']:>7} {row['expected']:>10} {row['actual']:>8}")
        fitted = result.get("fitted")
        if fitted:
            self.stdout.write(_("Suggested weights (fitted as of %(on)s): %(weights)s") % {
                "on": fitted["fitted_on"][:10],
                "weights": ", ".join(f"{n} {w}" for n, w in fitted["suggested"].items() if w)})
            self.stdout.write(_("AUC with today's weights %(before)s, with the suggested %(after)s; best "
                                "single part %(best)s %(best_auc)s.") % {
                "before": fitted["auc_before"]["auc"], "after": fitted["auc_after"]["auc"],
                "best": fitted["best_part"]["name"], "best_auc": fitted["best_part"]["auc"]})
