"""The progress bar of long commands: in place on a terminal, a line per tenth in a log."""

from __future__ import annotations

import io

from aftersale.core.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_it_redraws_one_line_on_a_terminal_at_most_every_interval():
    out = Terminal()
    bar = ProgressBar(out, 100, unit="accounts", counting="events")
    bar.INTERVAL = 3600
    for _ in range(99):
        bar.advance(1, 10)
    assert out.getvalue().count("\r") == 1  # the first call only
    bar.advance(1, 10)  # the end is always shown
    bar.finish()
    lines = out.getvalue().split("\r")[1:]
    assert "[------------------------------]   1% 1/100 accounts, 10 events" in lines[0]
    assert "[##############################] 100% 100/100 accounts, 1,000 events" in lines[-1]
    assert out.getvalue().endswith("\n") and out.getvalue().count("\n") == 1


def test_it_writes_a_line_per_tenth_to_a_log():
    out = io.StringIO()
    bar = ProgressBar(out, 200, unit="accounts", counting="events")
    for _ in range(200):
        bar.advance(1, 3)
    bar.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) == 11  # 0% to 100%, once each
    assert "\r" not in out.getvalue()
    assert "200/200 accounts, 600 events" in lines[-1]


def test_it_counts_without_a_bar_when_there_is_no_total():
    out = Terminal()
    bar = ProgressBar(out, 0, label="orders")
    bar.update(12_345, 500)
    bar.finish(1_000)
    first, last = out.getvalue().split("\r")[1:]
    assert first.startswith("orders 500 rows, ") and "[" not in first
    assert last.startswith("orders 1,000 rows, ") and last.endswith(" s\n")
