"""``aftersale import KIND FILE [--dry-run]`` and ``aftersale export KIND [--output FILE]``."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from aftersale.commerce.models import Order
from aftersale.core.progress import ProgressBar
from tests.imports.conftest import DATA, import_sample


@pytest.fixture
def accounts(db):
    for kind in ("staff", "accounts"):
        import_sample(kind)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_file_and_says_what_changed(accounts):
    out, err = run("import", "orders", str(DATA / "orders.csv"))
    assert out.startswith("orders: 5 rows: 5 created, 0 updated, 0 unchanged")
    assert err == ""  # no progress bar when stderr is not a terminal
    out, _ = run("import", "orders", str(DATA / "orders.csv"))
    assert "0 created, 0 updated, 5 unchanged" in out
    assert Order.objects.count() == 5


def test_it_counts_and_writes_nothing_on_a_dry_run(accounts):
    out, _ = run("import", "orders", str(DATA / "orders.csv"), "--dry-run")
    assert out.startswith("orders (dry run, nothing written): 5 rows: 5 created")
    assert Order.objects.count() == 0


def test_it_lists_problems_and_exits_non_zero(accounts, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("external_id,account,placed_at,total\nO-1,ACC-404,2024-01-01,1\nO-2,ACC-001,soon,1\n")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", "orders", str(path), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert "2 problem(s)" in str(raised.value) and "nothing was written" in str(raised.value)
    lines = err.getvalue().splitlines()
    assert lines[0] == f"{path}: row 2, column account, value 'ACC-404': " \
        "There is no account with this external_id (import accounts first)."
    assert lines[1].startswith(f"{path}: row 3, column placed_at, value 'soon': not an ISO 8601 date-time")
    assert Order.objects.count() == 0


def test_it_explains_an_unreadable_path(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run("import", "orders", str(tmp_path / "missing.csv"))


def test_it_reads_standard_input(accounts, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((DATA / "orders.csv").read_bytes())))
    out, _ = run("import", "orders", "-")
    assert "5 created" in out


def test_it_exports_to_standard_output_or_a_file(accounts, tmp_path):
    import_sample("orders")
    out, _ = run("export", "orders")
    assert out.splitlines()[0] == "external_id,account,placed_at,total,channel"
    assert len(out.splitlines()) == 6
    target = tmp_path / "orders.csv"
    _, err = run("export", "orders", "--output", str(target))
    assert target.read_text(encoding="utf-8") == out
    assert "5 rows written" in err


def test_it_changes_nothing_when_exporting_then_importing_through_the_commands(accounts, tmp_path):
    import_sample("orders")
    target = tmp_path / "orders.csv"
    run("export", "orders", "--output", str(target))
    Order.objects.filter(external_id="ORD-1003").delete()
    out, _ = run("import", "orders", str(target))
    assert "1 created, 0 updated, 4 unchanged" in out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_it_draws_the_progress_bar_on_one_line():
    out = Terminal()
    bar = ProgressBar(out, 1000, label="orders")
    bar.INTERVAL = 0
    bar.update(500, 5000)
    bar.finish(10_000)
    first, last = out.getvalue().split("\r")[1:]
    assert "[###############---------------]  50% 5,000 rows" in first
    assert "100% 10,000 rows" in last and last.endswith("\n")
