"""``aftersale backup PATH``: a consistent copy of the whole database."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aftersale.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database to PATH (SQLite: online backup; PostgreSQL: pg_dump -Fc)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
        parser.add_argument("--database", default="default")

    def handle(self, *args, path: Path, force: bool, database: str, **options) -> None:
        if path.exists() and not force:
            raise CommandError(f"{path} already exists (use --force to overwrite it)")
        started = time.monotonic()
        try:
            backup(path, database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = path.stat().st_size
        self.stdout.write(
            f"Backed up to {path} ({size:,} bytes in {time.monotonic() - started:.1f} s)"
        )
