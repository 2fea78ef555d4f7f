"""Benchmark: fit the rhythm models on a simulated portfolio.

Run from the worktree root:

    PYTHONPATH=src /work/main/.venv/bin/python bench/fit_rhythm.py [--accounts 100000] [--repeat 5]

Simulates a BG/NBD population (r 0.8, alpha 30 days, a 0.6, b 3.0) observed
for 30 days to 3 years after each account's first event, then times:

- ``summarise`` on the flat event arrays (same-day events merged, days);
- ``fit_bgnbd`` on the continuous-time summary and on the day-grained one;
- ``account_rhythm`` for every account.

Prints one table row per step (best and median wall time and best CPU time
over ``--repeat`` runs), then the machine, so the figures can go into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import scipy

from aftersale.stats import account_rhythm, fit_bgnbd, summarise
from aftersale.stats.simulate import simulate_bgnbd, simulate_event_days

TRUE = {"r": 0.8, "alpha": 30.0, "a": 0.6, "b": 3.0}
AS_OF = 800_000  # any day number


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, list[tuple[float, float]]]:
    """Run ``fn`` ``repeat`` times; (wall, CPU) seconds of each run.

    CPU time is what the process itself used: on a machine shared with other
    busy processes it stays close to the unloaded wall time while wall time does not.
    """
    times, result = [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return result, times


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe(result: Any) -> str:
    if hasattr(result, "params"):
        params = " ".join(f"{k}={v:.3f}" for k, v in result.params.items())
        fit = f"LL={result.log_likelihood:.1f} it={result.iterations} converged={result.converged}"
        return f"{params}  {fit}"
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    n = args.accounts
    sim = simulate_bgnbd(TRUE, n, rng.integers(30, 1096, n).astype(np.float64), rng)
    account, day = simulate_event_days(sim, AS_OF - sim.T.astype(np.int64), rng)

    rows: list[tuple[str, int, list[tuple[float, float]], str]] = []
    summary, times = timed(lambda: summarise(account, day, AS_OF, n_accounts=n), args.repeat)
    rows.append((f"summarise {account.size:,} events", n, times, ""))
    calibration = summary.calibration()

    model, times = timed(lambda: fit_bgnbd(sim.x, sim.t_x, sim.T), args.repeat)
    rows.append(("fit_bgnbd, continuous time", n, times, describe(model)))
    model_days, times = timed(lambda: fit_bgnbd(*calibration), args.repeat)
    rows.append(("fit_bgnbd, days", n, times, describe(model_days)))
    _, times = timed(lambda: account_rhythm(summary, model_days), args.repeat)
    rows.append(("account_rhythm (BG/NBD for every account)", n, times, ""))

    print("| step | accounts | best wall s | median wall s | best CPU s | result |")
    print("|---|---:|---:|---:|---:|---|")
    for name, count, times, note in rows:
        walls = [wall for wall, _ in times]
        figures = f"{min(walls):.3f} | {statistics.median(walls):.3f} | {min(cpu for _, cpu in times):.3f}"
        print(f"| {name} | {count:,} | {figures} | {note} |")
    print()
    print(f"true parameters: {TRUE}")
    print(f"date {date.today().isoformat()}; nproc {os.cpu_count()}; CPU {cpu_model()}; "
          f"load average {os.getloadavg()[0]:.2f}; Python {platform.python_version()}, "
          f"numpy {np.__version__}, scipy {scipy.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
