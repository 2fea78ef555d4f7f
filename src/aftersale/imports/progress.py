"""A one-line progress bar for the terminal, redrawn a few times a second."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    """Shows how much of the file has been read; ``total`` is its size in bytes (0 if unknown)."""

    WIDTH = 30
    INTERVAL = 0.2

    def __init__(self, out: TextIO, total: int, label: str):
        self.out = out
        self.total = total
        self.label = label
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, rows: int) -> None:
        now = time.monotonic()
        if now - self.last < self.INTERVAL:
            return
        self.last = now
        self._draw(done, rows, now)

    def _draw(self, done: int, rows: int, now: float) -> None:
        elapsed = now - self.started
        if self.total:
            share = min(done / self.total, 1.0)
            filled = int(share * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            line = f"{self.label} [{bar}] {share:4.0%} {rows:,} rows {elapsed:5.1f}s"
        else:
            line = f"{self.label} {rows:,} rows {elapsed:5.1f}s"
        self.out.write("\r" + line)
        self.out.flush()

    def finish(self, rows: int) -> None:
        self._draw(self.total, rows, time.monotonic())
        self.out.write("\n")
        self.out.flush()
