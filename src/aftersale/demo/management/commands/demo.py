"""``aftersale demo``: load the demo portfolio once, print the logins, serve the site."""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import nullcontext
from datetime import date, timedelta
from io import StringIO
from typing import Any

from django.apps import apps
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from aftersale.core.bulk import sqlite_session
from aftersale.core.progress import ProgressBar
from aftersale.demo import catalogue, helper
from aftersale.demo.load import REBUILD_INDEXES_FROM, load_demo
from aftersale.demo.models import DemoDataset
from aftersale.demo.purge import DemoInUse, delete_demo, demo_present
from aftersale.demo.stories import STORIES
from aftersale.demo.suppliers import SUPPLIERS
from aftersale.staff.models import User

DEFAULT_ACCOUNTS = 40
DEFAULT_SEED = 2026
# SQLite's page cache for a large load (the default is 2 MB).
SQLITE_CACHE_MIB = 1024
# Weekly scans back over thirteen months, so that trends, "why it moved" and bands
# over time show on first login; by default only for portfolios up to this size
# (each is a whole scan, rhythm fits included).
HISTORY_WEEKS = 57
HISTORY_UP_TO = 1000


def history_dates(as_of: date) -> list[date]:
    """The days the demo scores: every week for thirteen months, oldest first, ending on ``as_of``."""
    return [as_of - timedelta(weeks=k) for k in range(HISTORY_WEEKS, -1, -1)]


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Load the demo portfolio (unless one is already loaded), print the demo logins and "
        "serve the site at 127.0.0.1:$PORT (default 8000)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--accounts", type=int, default=None,
            help=f"customer accounts to generate, the {len(STORIES)} stories included "
                 f"(default {DEFAULT_ACCOUNTS}; 100000 for the scale test)",
        )
        parser.add_argument("--seed", type=int, default=None, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument(
            "--as-of", type=iso_date, default=None, dest="as_of",
            help="the day the demo's history leads up to (default today); all its dates are relative to it",
        )
        parser.add_argument(
            "--replace", action="store_true",
            help="delete the demo already loaded and generate it again",
        )
        parser.add_argument("--no-serve", action="store_true", help="load and exit, without serving")
        parser.add_argument("--no-scan", action="store_true", help="skip the health scan after loading")
        parser.add_argument(
            "--history", action=argparse.BooleanOptionalAction, default=None,
            help=f"also score every week of the last thirteen months, oldest first, so trends and "
                 f"bands over time are there on first login (default: on up to {HISTORY_UP_TO} "
                 f"accounts, off above)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = options["accounts"] if options["accounts"] is not None else DEFAULT_ACCOUNTS
        seed = options["seed"] if options["seed"] is not None else DEFAULT_SEED
        as_of = options["as_of"] or timezone.localdate()
        if accounts < len(STORIES):
            raise CommandError(f"--accounts must be at least {len(STORIES)} (one per story), not {accounts}")
        if seed < 0:
            raise CommandError(f"--seed must be zero or positive, not {seed}")
        port = self._port() if not options["no_serve"] else None

        existing = DemoDataset.objects.first()
        if demo_present() and not options["replace"]:
            self._check_matches(existing, options)
            self.stdout.write(
                f"Demo already loaded ({existing or 'generated elsewhere'}); serving it as it is. "
                "Use --replace to generate it again."
            )
        else:
            self._load(accounts, seed, as_of, replace=options["replace"])
            if not options["no_scan"]:
                history = options["history"]
                if history is None:
                    history = accounts <= HISTORY_UP_TO
                self._scan(history_dates(as_of) if history else [as_of])
        self._print_logins()
        if port is not None:
            # No autoreloader: this process is the server, not a watcher of it.
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _check_matches(self, existing: DemoDataset | None, options: dict[str, Any]) -> None:
        """Explicit parameters that differ from the loaded demo are an error, not a silent no-op."""
        asked = {k: options[k] for k in ("accounts", "seed", "as_of") if options[k] is not None}
        if not asked:
            return
        loaded = {} if existing is None else {
            "accounts": existing.accounts, "seed": existing.seed, "as_of": existing.as_of,
        }
        differ = [f"--{k.replace('_', '-')} {v}" for k, v in asked.items() if loaded.get(k) != v]
        if differ:
            raise CommandError(
                f"A demo is already loaded ({existing or 'generated elsewhere'}); "
                f"add --replace to regenerate it with {' '.join(differ)}"
            )

    def _load(self, accounts: int, seed: int, as_of: date, replace: bool) -> None:
        started = time.monotonic()
        self.stdout.write(f"Generating the demo: {accounts:,} accounts, seed {seed}, as of {as_of} ...")
        generated = accounts - len(STORIES)
        progress = (
            ProgressBar(sys.stderr, generated, unit="accounts", counting="events") if generated else None
        )
        existing = DemoDataset.objects.first()
        big = max(accounts, existing.accounts if existing else 0) >= REBUILD_INDEXES_FROM
        helper.detach_leftovers()
        try:
            bulk = sqlite_session(SQLITE_CACHE_MIB, exclusive=True) if big else nullcontext()
            with bulk, transaction.atomic():
                if replace:
                    removed = delete_demo()
                    self.stdout.write(f"Removed the previous demo ({sum(removed.values()):,} rows).")
                result = load_demo(accounts=accounts, seed=seed, as_of=as_of, progress=progress)
        except DemoInUse as exc:
            raise CommandError(f"Cannot replace the demo: {exc}") from None
        data = result.dataset
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Loaded {data.accounts:,} customer accounts and {len(SUPPLIERS)} suppliers: "
            f"{data.events:,} events ({data.rows:,} rows) in {seconds:.1f} s "
            f"({data.events / max(seconds, 1e-9):,.0f} events/s)."
        )
        if result.generated_staff:
            self.stdout.write(
                f"Also created {result.generated_staff} generated colleagues "
                f"(sales001@{catalogue.EMAIL_DOMAIN} ...) with the same password."
            )

    def _scan(self, days: list[date]) -> None:
        """Score the new portfolio on each day, oldest first, through the ordinary scan, if
        the health engine is installed (it is optional here). Each scan is the newest when it
        runs, so alerts open and resolve over the weeks as they would have."""
        if not apps.is_installed("aftersale.health"):
            return
        commands = get_commands()
        if "scan" not in commands:
            return
        parser = load_command_class(commands["scan"], "scan").create_parser("aftersale", "scan")
        takes_as_of = any(action.dest == "as_of" for action in parser._actions)
        if not takes_as_of:
            days = days[-1:]
        past, today = days[:-1], days[-1]
        try:
            if past:
                self.stdout.write(
                    f"Scoring the portfolio as of {len(past)} past weeks ({past[0]} to {past[-1]}) ..."
                )
                for day in past:
                    call_command("scan", "--as-of", day.isoformat(), stdout=StringIO())
            self.stdout.write("Scoring the portfolio (health scan) ...")
            call_command("scan", *(["--as-of", today.isoformat()] if takes_as_of else []))
        except Exception as exc:  # the demo data is in; a scan failure must not hide it
            self.stderr.write(f"The health scan failed ({exc}); run `aftersale scan` to retry.")

    def _print_logins(self) -> None:
        out = self.stdout.write
        out("")
        out(f"Demo logins (password for all: {catalogue.DEMO_PASSWORD})")
        for person in catalogue.STAFF:
            out(f"  {person.login:<40} {person.role:<8} {person.department:<12} {person.name}")
        portal = User.objects.filter(
            email__endswith=catalogue.EMAIL_DOMAIN, role="", contact__portal_enabled=True
        ).select_related("contact__account").order_by("email")
        if portal:
            out("Customer portal logins (same password):")
            for user in portal:
                out(f"  {user.email:<40} {user.contact.account.external_id:<20} {user.name}")
        out("Stories: " + ", ".join(s.external_id for s in STORIES) + " (see docs/demo.md)")

    def _port(self) -> int:
        raw = os.environ.get("PORT", "") or "8000"
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise CommandError(f"PORT={raw!r} is not a TCP port number")
        return int(raw)
