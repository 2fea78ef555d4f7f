"""Benchmark: import an orders CSV of a million rows into SQLite, then import it again.

    PYTHONPATH=src python bench/import_orders.py [--rows 1000000] [--accounts 1000]

Builds a fresh SQLite database in a temporary folder (never the project's own),
generates the file, then times the first import (every row created) and the
re-import of the same file (every row compared, nothing written). Prints, for
each, the wall time, the CPU time of the process (all its threads), its peak
memory and the 1-minute load average before and after, then the same as
Markdown table rows for docs/benchmarks.md. The issue's target: the first
import of 1,000,000 rows in under 30 s wall on an idle 2-core machine.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print where the first import spends its time")
    parser.add_argument("--keep", action="store_true", help="keep the database and the file afterwards")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="aftersale-import-orders-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "0"  # DEBUG would keep a log of every query
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from aftersale.accounts.models import Account
    from aftersale.commerce.models import Order
    from aftersale.core.progress import ProgressBar
    from aftersale.imports.engine import import_file
    from aftersale.staff.models import User

    call_command("migrate", verbosity=0)
    owner = User.objects.create_user(
        email="owner@bench.test", name="Bench Owner", department="sales", role="member"
    )
    Account.objects.bulk_create(
        Account(external_id=f"ACC-{i:05d}", name=f"Khách hàng {i}", owner=owner)
        for i in range(args.accounts)
    )

    path = workdir / "orders.csv"
    started = time.monotonic()
    write_orders(path, args.rows, args.accounts, args.seed)
    size_mb = path.stat().st_size / 1e6
    print(f"generated {args.rows:,} rows ({size_mb:.0f} MB) in {time.monotonic() - started:.1f} s")

    table = []
    for label in ("first import", "re-import"):
        progress = (
            ProgressBar(sys.stderr, path.stat().st_size, label=label) if sys.stderr.isatty() else None
        )
        profiler = cProfile.Profile() if args.profile and label == "first import" else None
        cpu_started = time.process_time()
        load_before = os.getloadavg()[0]
        with open(path, "rb") as binary:
            if profiler is not None:
                profiler.enable()
            result = import_file("orders", binary, progress=progress.update if progress else None)
            if profiler is not None:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        if progress is not None:
            progress.finish(result.rows)
        cpu = time.process_time() - cpu_started
        assert result.ok, list(result.problems)[:5]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        load_after = os.getloadavg()[0]
        print(
            f"{label}: {result.rows:,} rows: wall {result.seconds:.1f} s, CPU {cpu:.1f} s "
            f"({result.rows / result.seconds:,.0f} rows/s): {result.created:,} created, "
            f"{result.updated:,} updated, {result.unchanged:,} unchanged; peak memory {peak_mb:.0f} MB; "
            f"load average {load_before:.1f} before, {load_after:.1f} after"
        )
        what = f"{result.created:,} created" if label == "first import" else f"{result.unchanged:,} unchanged"
        table.append(
            f"| {label}: {what} | {result.seconds:.1f} s | {cpu:.1f} s | {peak_mb:.0f} MB "
            f"| {load_before:.1f} / {load_after:.1f} |"
        )
    assert Order.objects.count() == args.rows
    print()
    print(f"| {args.rows:,} orders, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC "
          "| wall | CPU | peak memory | load avg before/after |")
    print("|---|---|---|---|---|")
    print("\n".join(table))
    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"SQLite {__import__('sqlite3').sqlite_version}; load average {os.getloadavg()[0]:.2f}")
    if args.keep:
        print(f"files left in {workdir}")
    else:
        shutil.rmtree(workdir)


def write_orders(path: Path, rows: int, accounts: int, seed: int) -> None:
    """Orders spread over five years, as an ERP export would list them (by date)."""
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, 8, 0)
    step = timedelta(days=5 * 365) / rows
    channels = ("rep", "portal", "phone", "edi")
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("external_id,account,placed_at,total,channel\n")
        for i in range(rows):
            placed = (start + step * i).replace(microsecond=0)
            total = f"{rng.randint(100, 50_000_000)}.{rng.randint(0, 99):02d}"
            out.write(
                f"ORD-{i:08d},ACC-{rng.randrange(accounts):05d},{placed.isoformat()},"
                f"{total},{channels[i % 4]}\n"
            )


if __name__ == "__main__":
    main()
