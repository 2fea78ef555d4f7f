"""``aftersale export KIND [--output FILE]``: write a kind as CSV (standard output by default)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersale.accounts.models import Account
from aftersale.imports.exporting import write_csv
from aftersale.imports.kinds import KINDS


class Command(BaseCommand):
    help = "Write every row of a kind as CSV, with the columns its import reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="what to export")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, kind: str, output: str | None, **options) -> None:
        # The command line is the operator's: every account.
        accounts = Account.objects.all()
        if output is None or output == "-":
            if self.stdout._out is sys.stdout:
                # Names carry Vietnamese diacritics whatever the terminal's locale.
                sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
            write_csv(kind, self.stdout, accounts)  # type: ignore[arg-type]
            self.stdout.flush()
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = write_csv(kind, out, accounts)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from None
        self.stderr.write(f"{kind}: {count:,} rows written to {output}")
