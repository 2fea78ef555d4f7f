"""Writing a kind as CSV: the same columns an import reads, so export then import round-trips."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

from django.db.models import QuerySet

from aftersale.accounts.models import Account
from aftersale.imports.kinds import KINDS
from aftersale.imports.parsing import to_cell

CHUNK = 2000


def export_rows(kind_name: str, accounts: QuerySet[Account]) -> Iterator[list[str]]:
    """The header, then one row per record visible through ``accounts``, streamed."""
    kind = KINDS[kind_name]
    yield kind.column_names
    for values in kind.export_queryset(accounts).iterator(chunk_size=CHUNK):
        yield [to_cell(value) for value in values]


def write_csv(kind_name: str, out: TextIO, accounts: QuerySet[Account]) -> int:
    """Write the kind to ``out``; returns the number of data rows."""
    writer = csv.writer(out, lineterminator="\n")
    count = -1
    for count, row in enumerate(export_rows(kind_name, accounts)):  # noqa: B007
        writer.writerow(row)
    return count


class _Line:
    """A file-like object whose ``write`` hands the line back (for streaming responses)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    for row in rows:
        yield writer.writerow(row)
