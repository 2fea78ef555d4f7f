"""A progress bar for long commands (the demo load, a CSV import), without a dependency."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    """How far a command has come: a bar, what is done of the total, a count and its rate.

    ``done`` moves towards ``total`` (accounts generated, bytes of a file
    read; shown as ``done/total unit`` when ``unit`` is given, else as the
    bar alone, and without a bar when the total is unknown, 0); ``counted``
    is what the user cares about (events, rows), with its rate.

    On a terminal the line is redrawn in place, at most five times a second;
    elsewhere (a log, CI) one line is written per tenth of the total rather
    than a storm of carriage returns.
    """

    WIDTH = 30
    INTERVAL = 0.2

    def __init__(
        self, stream: TextIO, total: int, *, label: str = "", unit: str = "", counting: str = "rows",
    ) -> None:
        self.stream = stream
        self.total = max(total, 0)
        self.label = label
        self.unit = unit
        self.counting = counting
        self.done = 0
        self.counted = 0
        self.started = time.monotonic()
        self._drawn: float | None = None
        self._tty = stream.isatty()
        self._last_tenth = -1
        self._shown = (-1, -1)

    def update(self, done: int, counted: int) -> None:
        """Set how far the work has come (``done`` of the total, ``counted`` so far)."""
        self.done = done
        self.counted = counted
        now = time.monotonic()
        if self._tty:
            complete = bool(self.total) and done >= self.total
            if self._drawn is None or now - self._drawn >= self.INTERVAL or complete:
                self._draw(now)
            return
        tenth = done * 10 // self.total if self.total else 0
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            self._draw(now)

    def _draw(self, now: float) -> None:
        self._drawn = now
        self._shown = (self.done, self.counted)
        if self._tty:
            self.stream.write("\r" + self.line(now))
        else:
            self.stream.write(self.line(now) + "\n")
        self.stream.flush()

    def advance(self, done: int, counted: int) -> None:
        """Add ``done`` and ``counted`` to what was reached before."""
        self.update(self.done + done, self.counted + counted)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        parts = [self.label] if self.label else []
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = int(share * self.WIDTH)
            parts.append(f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {share:4.0%}")
            if self.unit:
                parts.append(f"{self.done:,}/{self.total:,} {self.unit},")
        rate = self.counted / elapsed
        parts.append(
            f"{self.counted:,} {self.counting}, {rate:,.0f} {self.counting}/s, {elapsed:.0f} s"
        )
        return " ".join(parts)

    def finish(self, counted: int | None = None) -> None:
        """Show the end (the whole total, and ``counted`` if given) and end the line."""
        self.done = self.total or self.done
        if counted is not None:
            self.counted = counted
        if self._tty or self._shown != (self.done, self.counted):
            self._draw(time.monotonic())
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
