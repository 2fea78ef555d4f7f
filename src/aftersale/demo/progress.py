"""A progress bar on stderr, without a dependency."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """Shows accounts done, events written and the rate; redraws at most five times a second."""

    def __init__(self, total: int, stream: TextIO, width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.width = width
        self.done = 0
        self.events = 0
        self.started = time.monotonic()
        self._drawn = 0.0
        self._tty = stream.isatty()
        self._last_tenth = -1

    def advance(self, accounts: int, events: int) -> None:
        self.done += accounts
        self.events += events
        now = time.monotonic()
        tenth = self.done * 10 // self.total
        if self._tty and (now - self._drawn > 0.2 or self.done >= self.total):
            self._drawn = now
            self.stream.write("\r" + self.line(now))
            self.stream.flush()
        elif not self._tty and tenth != self._last_tenth:
            # Logs and CI: one line per tenth, not a carriage-return storm.
            self._last_tenth = tenth
            self.stream.write(self.line(now) + "\n")

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        share = self.done / self.total
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        rate = self.events / elapsed
        return (
            f"[{bar}] {share:4.0%} {self.done:,}/{self.total:,} accounts, "
            f"{self.events:,} events, {rate:,.0f} events/s, {elapsed:.0f} s"
        )

    def finish(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
