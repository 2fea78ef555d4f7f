"""Benchmark: the quietness statistics on a simulated portfolio (no database).

Run from the worktree root:

    PYTHONPATH=src /work/main/.venv/bin/python bench/quietness.py [--accounts 100000] [--repeat 5]

Simulates ``--accounts`` customer accounts (machines, their age, orders a year,
contract cover, our outreach, orders of the year before) whose requests follow the
peers' negative-binomial law, 5 % of them silent, then times what a scan adds on top
of reading the usage (one SQL statement, measured with the scan in bench/scan.py):

- ``fit_usage``: the zero-inflated negative binomial and the Benjamini-Hochberg cutoff, once per scan;
- ``judge``: every account's leave-one-out expectation, tail probability and facts.

Prints best and median wall time over ``--repeat`` runs, how many accounts were
called quiet (and how many of the silent ones), then the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from aftersale.health.quietness.assess import (  # noqa: E402
    NO_EXPOSURE,
    TOO_NEW,
    QuietSettings,
    Usage,
    fit_usage,
    judge,
)


def simulate(n: int, seed: int = 7) -> tuple[Usage, np.ndarray]:
    """Accounts whose requests follow the peers' negative-binomial law on the model's exposure
    covariates; 5 % of them silent (structural zeros)."""
    rng = np.random.default_rng(seed)
    assets = rng.poisson(1.5, n).astype(np.float64)
    age = np.where(assets > 0, rng.uniform(0.2, 8.0, n), 0.0)
    covered = np.minimum(assets, rng.binomial(assets.astype(np.int64), 0.6)).astype(np.float64)
    outreach = rng.poisson(6.0, n).astype(np.float64)
    orders = rng.poisson(np.exp(rng.normal(2.0, 0.8, n))).astype(np.float64)
    prior_orders = rng.poisson(orders + 0.5).astype(np.float64)
    exposure = np.minimum(rng.uniform(60, 2000, n), 365.0)
    rate = np.exp(0.2 + 0.5 * np.log1p(assets) + 0.05 * age + 0.5 * np.log1p(prior_orders))
    mu = (exposure / 365.25) * rate
    raised = rng.poisson(mu * rng.gamma(5.0, 1 / 5.0, n)).astype(np.float64)
    silent = rng.random(n) < 0.05
    raised[silent] = 0
    qs = QuietSettings()
    reason = np.full(n, "", dtype=object)
    reason[(assets == 0) & (orders < qs.min_orders)] = NO_EXPOSURE
    reason[exposure < qs.min_days] = TOO_NEW
    usage = Usage(account_ids=np.arange(1, n + 1), assets=assets, asset_age_years=age, covered=covered,
                  outreach=outreach, orders=orders, prior_orders=prior_orders,
                  prior_days=np.full(n, float(qs.window_days)), exposure_days=exposure, raised=raised,
                  complaints=np.zeros(n), not_judged=reason)
    return usage, silent & usage.eligible


def timed(fn, repeat: int) -> tuple[float, float, float, object]:
    """Best and median wall seconds, best CPU seconds (steadier on a shared machine), last result."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(times), statistics.median(times), min(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    qs = QuietSettings()
    usage, silent = simulate(args.accounts)
    best, median, cpu, fit = timed(lambda: fit_usage(usage, qs), args.repeat)
    print(f"fit_usage  {args.accounts:>8} accounts  best {best:.3f} s  median {median:.3f} s  cpu {cpu:.3f} s"
          f"  (tested {fit['tested']}, dispersion {fit['dispersion']:.3f}, flagged {fit['flagged']})")
    best, median, cpu, judged = timed(lambda: judge(usage, fit, qs), args.repeat)
    quiet = {a for a, j in judged.items() if j.facts.get("quiet")}  # the not judged have no flag
    caught = len(quiet & set(usage.account_ids[silent].tolist()))
    print(f"judge      {args.accounts:>8} accounts  best {best:.3f} s  median {median:.3f} s  cpu {cpu:.3f} s"
          f"  (quiet {len(quiet)}, of them silent {caught} of {int(silent.sum())})")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
