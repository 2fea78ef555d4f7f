"""The second core for a big SQLite load: a helper process writes some of the tables.

SQLite takes one writer at a time, and the ``sqlite3`` module binds every
value while holding the GIL, so one process loading ten million events keeps
about one core busy however many threads it runs. The helper is a second
process, forked once the stories are in and every key counter is primed. It
runs exactly the same generator as the loading process (same seed, same
chunks, so the same keys), but prepares and writes only the rows of
``HELPER_MODELS``, into a scratch SQLite file holding just those tables; the
loading process skips those rows and writes the rest.

At the end the loading process attaches the scratch file and copies its tables
in with ``INSERT INTO ... SELECT *``: SQLite moves the records itself, without
Python (and without even decoding them when the target table is empty: its
"transfer optimisation"). The copy runs inside the load's transaction, so the
load stays all-or-nothing; the scratch file is deleted whatever happens.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import shutil
import sqlite3
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from django.db import OperationalError, connection, models, transaction

from aftersale.commerce.models import Order, OrderLine
from aftersale.core.bulk import DeferredIndexes
from aftersale.demo.builder import MODEL_ORDER
from aftersale.demo.portfolio import World
from aftersale.demo.writer import (
    Batch,
    BatchRecorder,
    BulkWriter,
    DemoWriteError,
    insert_sqlite,
)
from aftersale.engagement.models import Touchpoint, TouchpointParticipant

# The orders and the touchpoints with their participants: chosen so the two
# processes have about as much writing to do (docs/benchmarks.md).
HELPER_MODELS: tuple[type[models.Model], ...] = (
    Order, OrderLine, Touchpoint, Touchpoint.contacts.through, TouchpointParticipant,
)
Chunks = Callable[[World], Iterator[tuple[int, int, list[Batch]]]]
_aliases = itertools.count(1)


def available() -> bool:
    """A helper needs SQLite (PostgreSQL takes parallel writers anyway) and ``fork``."""
    return connection.vendor == "sqlite" and "fork" in multiprocessing.get_all_start_methods()


def independent(model_list: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    """The models of ``model_list`` written by the loading process whose
    foreign keys point at none of the helper's tables."""
    return [
        model for model in model_list
        if model not in HELPER_MODELS and not any(
            f.related_model in HELPER_MODELS for f in model._meta.concrete_fields if f.is_relation
        )
    ]


class Helper:
    """The helper process, its scratch file and what it has reported so far."""

    def __init__(
        self, writer: BulkWriter, world: World, chunks: Chunks, stories: list[Batch],
        indexes: DeferredIndexes | None,
    ) -> None:
        self.writer = writer
        self.indexes = indexes
        self.chunks_done = 0
        self.counts: Counter[str] = Counter()
        self._finished = False
        detach_leftovers()
        self._folder = Path(tempfile.mkdtemp(prefix="aftersale-demo-", dir=_scratch_folder()))
        self.path = self._folder / "part.sqlite3"
        self._create_tables()
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        self._pipe: Connection = receive
        # Forked before any thread of this process starts, so that the copy
        # of the world (cast, key counters, defaults) is exactly this one.
        statements = indexes.statements(HELPER_MODELS) if indexes is not None else []
        self._process = context.Process(
            target=_work, args=(send, self.path, writer, world, chunks, stories, statements),
            name="demo-helper", daemon=True,
        )
        self._process.start()
        send.close()

    def _create_tables(self) -> None:
        names = [m._meta.db_table for m in HELPER_MODELS]
        with self.writer.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            schema = dict(cursor.fetchall())
        scratch = sqlite3.connect(self.path, isolation_level=None)
        try:
            for name in names:
                scratch.execute(schema[name])
        finally:
            scratch.close()

    def poll(self) -> int:
        """Take in what the helper reported so far, without waiting; returns its chunks done."""
        while not self._finished and self._pipe.poll():
            self._receive()
        return self.chunks_done

    def finish(self, on_chunk: Callable[[int], None]) -> None:
        """Wait for the helper (calling ``on_chunk`` with its chunks done as they
        come), then copy its tables into the load's transaction."""
        while not self._finished:
            self._receive()
            on_chunk(self.chunks_done)
        self._process.join()
        qn = self.writer.connection.ops.quote_name
        tables = [qn(m._meta.db_table) for m in MODEL_ORDER if m in HELPER_MODELS]
        alias = f"demo_part_{next(_aliases)}"
        with self.writer.connection.cursor() as cursor:
            cursor.execute(f"ATTACH DATABASE %s AS {alias}", [str(self.path)])
            cursor.execute("PRAGMA foreign_keys")
            (enforced,) = cursor.fetchone()
            empty = True
            for table in tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM main.{table})")  # noqa: S608
                empty = empty and not cursor.fetchone()[0]
            if empty and not enforced and self.indexes is not None:
                # The helper built these tables' indexes; into empty tables
                # (and with foreign keys not enforced) SQLite copies index
                # pages too, instead of sorting the rows all over again.
                self.indexes.restore(HELPER_MODELS)
            for table in tables:
                cursor.execute(f"INSERT INTO main.{table} SELECT * FROM {alias}.{table}")  # noqa: S608
        # SQLite refuses to detach a database inside the transaction that read
        # it; after a rollback the next load detaches it (detach_leftovers).
        transaction.on_commit(lambda: _detach(alias), using=self.writer.connection.alias)
        self.writer.rows.update(self.counts)
        self.writer.wrote(*HELPER_MODELS)

    def _receive(self) -> None:
        try:
            kind, value = self._pipe.recv()
        except EOFError:
            self._process.join()
            raise DemoWriteError(
                f"the demo's helper process stopped (exit code {self._process.exitcode})"
            ) from None
        if kind == "chunk":
            self.chunks_done += 1
        elif kind == "done":
            self.counts.update(value)
            self._finished = True
        else:
            raise DemoWriteError(f"the demo's helper process failed:\n{value}")

    def close(self) -> None:
        """Stop the helper if it still runs (the load failed) and delete the scratch file."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._pipe.close()
        shutil.rmtree(self._folder, ignore_errors=True)


def _work(
    send: Connection, path: Path, writer: BulkWriter, world: World, chunks: Chunks,
    stories: list[Batch], indexes: list[str],
) -> None:
    """The helper process: write the stories' and every chunk's rows of
    HELPER_MODELS, then build those tables' indexes."""
    # No cycle collection in this short-lived process (see core.bulk.cycle_collection_paused).
    gc.disable()
    try:
        counts: Counter[str] = Counter()
        quote = writer.connection.ops.quote_name  # string work only; the connection is not used
        scratch = sqlite3.connect(path, isolation_level=None)
        # A scratch file: nothing to protect from a crash.
        scratch.execute("PRAGMA journal_mode=OFF")
        scratch.execute("PRAGMA synchronous=OFF")
        scratch.execute("PRAGMA cache_size=-262144")
        scratch.execute("BEGIN")

        def put(batch: Batch) -> None:
            insert_sqlite(scratch, batch, quote)
            counts[batch.model._meta.label] += batch.length

        for batch in stories:
            put(batch)
        others = [m for m in MODEL_ORDER if m not in HELPER_MODELS]
        for _size, _events, batches in chunks(replace(world, writer=BatchRecorder(writer, skip=others))):
            for batch in batches:
                put(batch)
            send.send(("chunk", 0))
        for statement in indexes:
            scratch.execute(statement)
        scratch.execute("COMMIT")
        scratch.close()
        send.send(("done", dict(counts)))
    except BaseException:  # reported to the loading process, which fails the load
        with contextlib.suppress(OSError):
            send.send(("error", traceback.format_exc()))
    finally:
        send.close()


def _detach(alias: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DETACH DATABASE {alias}")


def detach_leftovers() -> None:
    """Detach the scratch files of earlier loads that were rolled back (their
    files are deleted already). Best effort: SQLite allows it only while the
    current transaction has not touched them, as before a load's transaction."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        for name in [row[1] for row in cursor.fetchall() if row[1].startswith("demo_part_")]:
            with contextlib.suppress(OperationalError):
                cursor.execute(f"DETACH DATABASE {name}")


def _scratch_folder() -> str | None:
    """Next to the database file (same disk), or the system's temporary folder."""
    name: Any = connection.settings_dict.get("NAME")
    path = Path(str(name)) if name else None
    if path is not None and path.is_absolute() and path.parent.is_dir():
        return str(path.parent)
    return None
