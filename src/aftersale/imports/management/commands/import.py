"""``aftersale import KIND FILE [--dry-run]``: import one CSV file, all of it or nothing."""

from __future__ import annotations

import os
import stat
import sys
from typing import IO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersale.core.progress import ProgressBar
from aftersale.imports.engine import import_file
from aftersale.imports.kinds import KINDS


class Command(BaseCommand):
    help = (
        "Import a CSV file of one kind (UTF-8, one header row; see docs/import-export.md). "
        "Every problem is listed by row and column, and nothing of the file is written "
        "unless it has none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="what the file holds")
        parser.add_argument("file", help="the CSV file, or - for standard input")
        parser.add_argument(
            "--dry-run", action="store_true",
            help="check the file and count what would change, without writing anything",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, kind: str, file: str, dry_run: bool, quiet: bool, **options) -> None:
        binary = self._open(file)
        try:
            size = _size(binary)
            progress = None
            if not quiet and self.stderr.isatty():
                progress = ProgressBar(self.stderr._out, size, label=kind)
            result = import_file(
                kind, binary, dry_run=dry_run, progress=progress.update if progress else None
            )
            if progress is not None:
                progress.finish(result.rows)
        finally:
            if binary is not sys.stdin.buffer:
                binary.close()
        for problem in result.problems:
            self.stderr.write(f"{file}: {problem}")
        if result.problems.not_shown:
            self.stderr.write(f"{file}: ... and {result.problems.not_shown} more problems")
        if result.problems:
            raise CommandError(
                f"{result.problems.total} problem(s) in {file}; nothing was written.", returncode=1
            )
        label = f"{kind} (dry run, nothing written)" if dry_run else kind
        self.stdout.write(
            f"{label}: {result.rows:,} rows: {result.created:,} created, "
            f"{result.updated:,} updated, {result.unchanged:,} unchanged ({result.seconds:.1f} s)"
        )

    def _open(self, file: str) -> IO[bytes]:
        if file == "-":
            return sys.stdin.buffer
        try:
            return open(file, "rb")  # noqa: SIM115 - closed in handle()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None


def _size(binary: IO[bytes]) -> int:
    try:
        info = os.fstat(binary.fileno())
    except (OSError, ValueError):
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0
