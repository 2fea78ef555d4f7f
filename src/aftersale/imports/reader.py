"""Reading and parsing a file's rows in chunks, on a thread of its own.

SQLite does its B-tree work with the GIL released, so parsing the next chunk
here overlaps with writing the current one on the main thread: on two cores a
large import takes roughly the longer of the two instead of their sum. The
thread touches no database and shares nothing mutable with the main thread: it
hands over each parsed chunk, with the problems found in it, through a small
queue (two chunks ahead at most, so memory stays bounded).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from aftersale.imports.kinds.base import Column, Row
from aftersale.imports.parsing import CsvSource
from aftersale.imports.problems import BadValue, Problem

AHEAD = 2
_DONE = object()


@dataclass
class Chunk:
    rows: list[Row]
    problems: list[Problem] = field(default_factory=list)
    bytes_read: int = 0


# (cell index, column name, parser, may be empty, goes into fields, target key, empty value)
Step = tuple[int, str, Callable[[str], Any], bool, bool, str, Any]


def plan(present: list[tuple[int, Column]], defaults: dict[str, Any]) -> list[Step]:
    """What to do with each present column, worked out once for the per-row loop.

    A parsed cell goes straight into the model fields, or into ``values`` for
    references (resolved per chunk) and cells a kind handles itself.
    """
    steps = []
    for index, column in present:
        direct = bool(column.field) and not column.ref
        steps.append((
            index, column.name, column.parse, column.may_be_empty, direct,
            column.field if direct else column.name, defaults[column.field] if direct else None,
        ))
    return steps


class ChunkReader:
    """Yields parsed chunks of ``source``, read and parsed on a background thread."""

    def __init__(self, source: CsvSource, steps: list[Step], width: int, key: str, chunk_size: int):
        self.source = source
        self.steps = steps
        self.width = width
        self.key = key
        self.chunk_size = chunk_size
        self._queue: queue.Queue = queue.Queue(maxsize=AHEAD)
        self._stop = threading.Event()
        self._language = translation.get_language()

    def __iter__(self) -> Iterator[Chunk]:
        thread = threading.Thread(target=self._run, name="csv-reader", daemon=True)
        thread.start()
        try:
            while True:
                item = self._queue.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()
            # Unblock the reader if it waits to hand over a chunk nobody will take.
            while thread.is_alive():
                with contextlib.suppress(queue.Empty):
                    self._queue.get(timeout=0.05)
            thread.join()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        # Messages in the language of the request (or command) that started us.
        translation.activate(self._language)
        try:
            chunk = Chunk([])
            for number, cells in self.source.rows():
                row = Row(number, cells)
                self._parse(row, chunk.problems)
                chunk.rows.append(row)
                if len(chunk.rows) >= self.chunk_size:
                    chunk.bytes_read = self.source.bytes_read
                    if not self._put(chunk):
                        return
                    chunk = Chunk([])
            chunk.bytes_read = self.source.bytes_read
            if chunk.rows and not self._put(chunk):
                return
            self._put(_DONE)
        except BaseException as exc:  # handed to the main thread, which raises it
            self._put(exc)
        finally:
            translation.deactivate()

    def _parse(self, row: Row, problems: list[Problem]) -> None:
        cells = row.cells
        if len(cells) != self.width:
            problems.append(Problem(
                row.number, "", "",
                _("This row has %(n)d cells but the header has %(m)d columns.")
                % {"n": len(cells), "m": self.width},
            ))
            row.failed = True
            return
        fields, values = row.fields, row.values
        for index, name, parse, may_be_empty, direct, target, empty in self.steps:
            raw = cells[index].strip()
            if raw:
                try:
                    value = parse(raw)
                except BadValue as exc:
                    problems.append(Problem(row.number, name, raw, str(exc)))
                    row.failed = True
                    continue
            else:
                if not may_be_empty:
                    problems.append(Problem(row.number, name, "", _("A value is required.")))
                    row.failed = True
                value = empty
            (fields if direct else values)[target] = value
        row.key = fields.get(self.key) or values.get(self.key) or ""
