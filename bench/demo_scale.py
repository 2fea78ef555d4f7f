"""Benchmark: how fast ``aftersale demo`` loads a big portfolio.

Usage (from the repository root)::

    python bench/demo_scale.py                     # 100,000 accounts, fresh SQLite file
    python bench/demo_scale.py --accounts 20000
    DATABASE_URL=postgres://... python bench/demo_scale.py   # an empty PostgreSQL database

It migrates a fresh database (SQLite: a new file under var/bench/; not timed),
then times ``aftersale demo --accounts N --no-serve --no-scan`` in a child
process and prints one Markdown table row for docs/benchmarks.md: the machine,
the load average around the run (the machine may be shared), events, rows,
wall time, the child's CPU time (with the demo's helper process on SQLite),
events per second and the database size. The date is UTC.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def aftersale(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "aftersale", *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)


def database_size(env: dict[str, str], path: Path | None) -> int:
    if path is not None:
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    out = aftersale(
        "shell", "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('SELECT pg_database_size(current_database())'); print(c.fetchone()[0])",
        env=env,
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file afterwards")
    args = parser.parse_args()

    env = dict(os.environ, DEBUG=os.environ.get("DEBUG", "1"))
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    path: Path | None = None
    if not env.get("DATABASE_URL"):
        folder = ROOT / "var" / "bench"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        path = folder / "demo.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
    aftersale("migrate", "-v0", env=env)

    load_before = os.getloadavg()[0]
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = aftersale(
        "demo", "--accounts", str(args.accounts), "--seed", str(args.seed), "--no-serve",
        "--no-scan", env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic() - started
    load_after = os.getloadavg()[0]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = re.search(r"([\d,]+) events \(([\d,]+) rows\)", result.stdout)
    if not found:
        sys.exit(f"unexpected output:\n{result.stdout}")
    events, rows = (int(g.replace(",", "")) for g in found.groups())
    size = database_size(env, path)
    backend = "PostgreSQL" if path is None else "SQLite"
    print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
    print(
        f"| {datetime.now(UTC):%Y-%m-%d %H:%M} | {os.cpu_count()} x {cpu_model()} "
        f"| load {load_before:.1f}/{load_after:.1f} "
        f"| {backend} | {args.accounts:,} | {events:,} | {rows:,} | {wall:.0f} s | {cpu:.0f} s "
        f"| {events / wall:,.0f} | {size / 2**30:.2f} GiB |"
    )
    if path is not None and not args.keep:
        shutil.rmtree(path.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
