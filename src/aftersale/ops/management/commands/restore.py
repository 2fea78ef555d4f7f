"""``aftersale restore PATH``: replace the database's content with a backup."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aftersale.ops.backup import BackupError, has_data, restore


class Command(BaseCommand):
    help = "Restore the database from a backup made by `aftersale backup`."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--yes", action="store_true",
            help="replace a database that already holds data (it is overwritten)",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, path: Path, yes: bool, database: str, **options) -> None:
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file")
        # Never asks: a cron job or a script gets a clear refusal instead of a prompt.
        if not yes and has_data(database):
            raise CommandError(
                "the database already holds data; restoring replaces all of it "
                "(run again with --yes to go ahead)"
            )
        started = time.monotonic()
        try:
            restore(path, database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored from {path} in {time.monotonic() - started:.1f} s")
