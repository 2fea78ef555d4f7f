"""Importing one CSV file: read in chunks, check every row, write all of it or nothing.

The whole file is one transaction. Rows are read, checked and written chunk
by chunk (bounded memory, a handful of queries per chunk); when any problem is
found, or on a dry run, the transaction is rolled back at the end, so the
database never holds part of a file. Rows that would not change are not
written at all, so importing the same file twice writes nothing the second time.
The accounts whose rows were created or changed are handed to ``core.changes``
once, just before the commit: the engine rescores them all in one set-based
pass after it, not once per row.

Duplicate keys are found without keeping every key of the file in memory: a
key met again in a later chunk is already in the database by then, either
created by this import (its primary key is above the highest one before the
import started) or left unchanged or updated by it (remembered in a bitmap of
primary keys, one bit a row).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.core.bulk import BulkLoad, cycle_collection_paused, sqlite_session
from aftersale.core.changes import account_changed
from aftersale.core.guard import slow_statements_logged, statement_kind
from aftersale.imports.kinds import KINDS
from aftersale.imports.kinds.base import NO_REFS, Column, Kind, Report, Resolver, Row
from aftersale.imports.parsing import CsvSource, check_header_shape
from aftersale.imports.problems import Problems
from aftersale.imports.reader import ChunkReader, plan
from aftersale.imports.writer import StoredValues, Writer, key_in

# Rows read, checked and written together. A chunk's keys go into one IN (...)
# list, so this stays well under SQLite's 32,766 parameters a statement.
CHUNK_SIZE = 5000
# Remember this many keys of rows that failed, to report their duplicates too.
FAILED_KEYS_KEPT = 10_000
# A file expected to create at least this many more rows loads into its table
# without the non-unique indexes, rebuilt before commit (SQLite; see
# core.bulk.DeferredIndexes). Rebuilding sorts the whole table, old rows
# included, so it pays only while the table holds less than about twice the
# rows still to come (docs/benchmarks.md).
DEFER_INDEXES_ROWS = 50_000
DEFER_INDEXES_TABLE_RATIO = 2
# SQLite's page cache during an import, bounded so the import's memory is too.
SQLITE_CACHE_MIB = 128

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    problems: Problems = field(default_factory=Problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and (self.created + self.updated) > 0


class _PkSet:
    """A set of primary keys, one bit each."""

    def __init__(self) -> None:
        self.bits = bytearray()

    def add(self, pk: int) -> None:
        index = pk >> 3
        if index >= len(self.bits):
            self.bits.extend(bytes(index - len(self.bits) + 1 + len(self.bits) // 2))
        self.bits[index] |= 1 << (pk & 7)

    def __contains__(self, pk: int) -> bool:
        index = pk >> 3
        return index < len(self.bits) and bool(self.bits[index] & (1 << (pk & 7)))


def import_file(
    kind_name: str,
    binary: IO[bytes],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ImportResult:
    """Import one file of ``kind_name`` from the binary stream ``binary``."""
    kind = KINDS[kind_name]
    result = ImportResult(kind=kind_name, dry_run=dry_run)
    started = time.monotonic()
    size = stream_size(binary)
    try:
        with (
            slow_statements_logged(), statement_kind(_("the import of %(kind)s") % {"kind": kind_name}),
            sqlite_session(SQLITE_CACHE_MIB), cycle_collection_paused(), transaction.atomic(),
        ):
            job = _Import(kind, result, chunk_size, progress, size)
            job.run(binary)
            if result.problems or dry_run:
                transaction.set_rollback(True)
            else:
                job.finish()
    except IntegrityError as exc:
        # Deferred constraints are checked at commit, after our own checks passed.
        result.problems.add(0, "", "", _("The database refused the file: %(error)s") % {"error": exc})
    result.seconds = time.monotonic() - started
    # Checks run column by column within a chunk; the report reads best row by row.
    result.problems.items.sort(key=lambda problem: problem.row)
    return result


def stream_size(binary: IO[bytes]) -> int:
    """The size in bytes of a file being read, 0 when it cannot be known (a pipe)."""
    try:
        return os.fstat(binary.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        pass
    getbuffer = getattr(binary, "getbuffer", None)  # io.BytesIO
    return getbuffer().nbytes if getbuffer is not None else 0


class _Import:
    def __init__(
        self, kind: Kind, result: ImportResult, chunk_size: int, progress: Progress | None,
        size: int = 0,
    ):
        self.kind = kind
        self.result = result
        self.problems = result.problems
        self.chunk_size = chunk_size
        self.progress = progress
        self.now = timezone.now()
        self.writer = Writer(kind.model, self.now)
        self.stored = StoredValues(kind.model, kind.stored_fields())
        self.new_defaults = self.writer.python_defaults()
        self.resolvers: dict[str, Resolver] = kind.resolvers()
        self.present: list[tuple[int, Column]] = []
        self.seen = _PkSet()
        self.failed_keys: dict[str, int] = {}
        self.max_pk_before = 0
        self.key_field = kind.column(kind.key).field
        self.size = size
        self.load = BulkLoad()
        # The accounts whose rows this file created or changed (before and after the change).
        self.touched: set[int] = set()
        # SQLite only: on PostgreSQL dropping an index locks the table for everyone.
        self.indexes_checked = connection.vendor != "sqlite"

    def run(self, binary: IO[bytes]) -> None:
        source = CsvSource(binary, self.problems)
        header = source.open()
        if header is None or not self._check_header(header):
            return
        self.ref_plan = [
            (c.name, c.field, self.resolvers[c.ref]) for _i, c in self.present if c.ref
        ]
        self.max_pk_before = self.kind.model._default_manager.aggregate(m=Max("pk"))["m"] or 0
        # Problems that end the reading (not UTF-8, not CSV) come from the reader
        # thread; they are collected apart and added once it has finished.
        source.problems = reading = Problems()
        steps = plan(self.present, self.new_defaults)
        reader = ChunkReader(source, steps, self.width, self.key_field, self.chunk_size)
        for chunk in reader:
            for problem in chunk.problems:
                self.problems.add(problem.row, problem.column, problem.value, problem.message)
            self._process(chunk.rows)
            if self.progress:
                self.progress(chunk.bytes_read, self.result.rows)
        for problem in reading:
            self.problems.add(problem.row, problem.column, problem.value, problem.message)

    def finish(self) -> None:
        """Work left before the transaction commits: rebuild the indexes set aside, give
        the planner statistics that know the new rows, and say which accounts changed."""
        self.writer.unstage()
        self.load.finish()
        account_changed(*self.touched)

    def _defer_indexes(self, creates: list[Row]) -> None:
        """Set the table's non-unique indexes aside if this file is large enough to pay.

        Unique indexes stay: the import looks rows up by them and relies on them.
        """
        if self.indexes_checked:
            return
        # Decided on the first chunk that writes: a re-import (nothing created) never pays.
        self.indexes_checked = True
        if not self.size or len(creates) * 2 < self.chunk_size:
            return
        # The rows still to come, from the file's size and the length of these rows.
        row_bytes = sum(len(cell) + 1 for row in creates for cell in row.cells) / len(creates)
        rows_ahead = self.size / row_bytes - self.result.rows + len(creates)
        if (
            rows_ahead >= DEFER_INDEXES_ROWS
            and self.max_pk_before <= DEFER_INDEXES_TABLE_RATIO * rows_ahead
        ):
            self.load.indexes.set_aside([self.kind.model], unique=False)
            self.writer.stage_inserts()

    def _check_header(self, header: list[str]) -> bool:
        message = check_header_shape(header)
        if message:
            self.problems.add(1, "", header[0], message)
            return False
        known = {c.name: c for c in self.kind.columns}
        seen: set[str] = set()
        for index, name in enumerate(header):
            if name in seen:
                self.problems.add(1, name, name, _("This column appears twice in the header."))
            elif name not in known:
                self.problems.add(
                    1, name, name,
                    _("Unknown column; the columns of %(kind)s are: %(columns)s")
                    % {"kind": self.kind.name, "columns": ", ".join(self.kind.column_names)},
                )
            else:
                self.present.append((index, known[name]))
            seen.add(name)
        for column in self.kind.columns:
            if column.required and column.name not in seen:
                self.problems.add(1, column.name, "", _("This required column is missing."))
        self.width = len(header)
        self.present_names = {c.name for _i, c in self.present}
        return not self.problems

    # --- one chunk -------------------------------------------------------------------

    def _report(self, row: Row, column: str, message: str, value: str | None = None) -> None:
        if value is None:
            value = next((row.cells[i] for i, c in self.present if c.name == column), "")
        self.problems.add(row.number, column, value, message)
        row.failed = True

    def _process(self, chunk: list[Row]) -> None:
        kind = self.kind
        self.result.rows += len(chunk)
        self._resolve(chunk)
        rows = self._drop_duplicates_in_chunk(chunk)
        existing = self._existing([r.key for r in rows])
        checked: list[Row] = []
        rules = kind.has_row_rules
        for row in rows:
            stored = existing.get(row.key)
            if stored is not None:
                if self._seen_before(row, stored["pk"]):
                    continue
                row.pk = stored["pk"]
                row.existing = stored
            if rules:
                merged = dict(stored if stored is not None else self.new_defaults)
                merged.update(row.fields)
                kind.check(row, merged, self._reporter(row))
                if row.failed:
                    self._remember_failed(row)
                    continue
                row.fields.update(kind.derive(merged, stored))
            checked.append(row)
        kind.check_chunk(checked, self._reporter)
        creates: list[Row] = []
        updates: list[Row] = []
        unchanged: list[Row] = []
        for row in checked:
            if row.failed:
                self._remember_failed(row)
                continue
            if row.existing is None:
                creates.append(row)
                continue
            stored = row.existing
            row.changes = {
                name: (stored[name], value)
                for name, value in row.fields.items() if stored[name] != value
            }
            self.seen.add(row.pk)
            (updates if row.changes else unchanged).append(row)
        related = kind.load_related([r.pk for r in updates + unchanged])
        for row in unchanged:
            if kind.related_changed(row, related.get(row.pk)):
                updates.append(row)
            else:
                self.result.unchanged += 1
        self._write(creates, updates, related)

    def _reporter(self, row: Row) -> Report:
        def report(column: str, message: str) -> None:
            self._report(row, column, message)

        return report

    def _resolve(self, chunk: list[Row]) -> None:
        """Look up every reference of the chunk: one query per kind of reference at most."""
        for name, attname, resolver in self.ref_plan:
            keys = {r.values[name] for r in chunk if r.values.get(name)}
            if keys:
                resolver.load(keys)
            found_rows = resolver.cache
            missing = str(resolver.missing)
            for row in chunk:
                key = row.values.get(name)
                if not key:
                    if attname:
                        row.fields[attname] = None
                    continue
                found = found_rows.get(key)
                if found is None:
                    self._report(row, name, missing)
                    continue
                if attname:
                    row.fields[attname] = found[0]
                if row.refs is NO_REFS:
                    row.refs = {name: found}
                else:
                    row.refs[name] = found

    def _drop_duplicates_in_chunk(self, chunk: list[Row]) -> list[Row]:
        first: dict[str, int] = {}
        rows: list[Row] = []
        key_column = self.kind.key
        for row in chunk:
            if not row.key:
                continue
            earlier = first.get(row.key)
            if earlier is None and self.failed_keys:
                earlier = self.failed_keys.get(row.key)
            if earlier is not None:
                self._report(
                    row, key_column,
                    _("Duplicate key: row %(row)d has the same %(column)s.")
                    % {"row": earlier, "column": key_column},
                )
                continue
            first[row.key] = row.number
            if row.failed:
                self._remember_failed(row)
            else:
                rows.append(row)
        return rows

    def _seen_before(self, row: Row, pk: int) -> bool:
        if pk > self.max_pk_before or pk in self.seen:
            self._report(
                row, self.kind.key,
                _("Duplicate key: an earlier row of this file has the same %(column)s.")
                % {"column": self.kind.key},
            )
            return True
        return False

    def _remember_failed(self, row: Row) -> None:
        if row.key and len(self.failed_keys) < FAILED_KEYS_KEPT:
            self.failed_keys.setdefault(row.key, row.number)

    def _existing(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        if not keys:
            return {}
        kind = self.kind
        queryset = key_in(kind.model._default_manager.all(), kind.key, keys)
        return {row[kind.key]: row for row in self.stored.read(queryset)}

    def _write(self, creates: list[Row], updates: list[Row], related: dict[int, Any]) -> None:
        if not creates and not updates:
            return
        kind = self.kind
        if creates:
            self._defer_indexes(creates)
        for row in creates:
            kind.on_create(row)
        for row in updates:
            kind.on_update(row)
        try:
            with transaction.atomic():
                self.writer.insert([r.fields for r in creates])
                self.writer.update([(r.pk, r.fields) for r in updates if r.changes])
                if kind.needs_pks and creates:
                    self._fetch_pks(creates)
                kind.write_related(creates + updates, related, self.now)
        except DatabaseError as exc:
            # Our checks should have caught this; the constraints in the database
            # are the last line of defence, and their message is all we have.
            rows = creates + updates
            first, last = min(r.number for r in rows), max(r.number for r in rows)
            self.problems.add(
                first, "", "",
                _("The database refused rows %(first)d to %(last)d: %(error)s")
                % {"first": first, "last": last, "error": exc},
            )
            return
        self.load.wrote(kind.model, *kind.related_models)
        if kind.account_field:
            self._touch(kind.account_field, creates, updates)
        self.result.created += len(creates)
        self.result.updated += len(updates)

    def _touch(self, field: str, creates: list[Row], updates: list[Row]) -> None:
        touched = self.touched
        for row in creates:
            touched.add(row.fields[field])
        for row in updates:
            touched.add(row.fields.get(field, row.existing[field]))
            touched.add(row.existing[field])

    def _fetch_pks(self, rows: list[Row]) -> None:
        kind = self.kind
        queryset = key_in(kind.model._default_manager.all(), kind.key, [r.key for r in rows])
        pks = dict(queryset.values_list(kind.key, "pk"))
        for row in rows:
            row.pk = pks[row.key]

