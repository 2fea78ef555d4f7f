"""Load benchmark of the REST API (issue 12): gunicorn, 2 workers, PostgreSQL, wrk on 127.0.0.1.

Usage (from the repository root, as root so that it can start a private
PostgreSQL 15 cluster as the postgres user):

    python bench/api_load.py --pg-dir /tmp/aftersale-bench-pg
    python bench/api_load.py --database-url postgres://USER@127.0.0.1:5432/NAME

With ``--pg-dir`` it creates a throw-away cluster there (initdb, port 5441,
loopback only, fsync off), and stops and deletes it at the end. It migrates,
seeds a portfolio (``--accounts``, default 2,000, each scanned once so it has
a health snapshot), issues an API token, starts gunicorn with 2 sync workers
on 127.0.0.1 and measures with wrk, in the same run and in turns:

- a trivial Django JSON view (the benchmark's own URLconf; not in the product),
  through the same middleware: the yardstick;
- ``GET /api/accounts`` (the first page, 50 accounts);
- ``GET /api/accounts/{id}/health``, rotating over ``--health-accounts`` accounts.

Each endpoint gets ``--rounds`` runs of ``--duration`` seconds after a
warm-up; the median requests/second is reported, with the ratio to the
trivial view (the goal: at least 0.5) and each round's own ratio (the load
of a shared machine changes between rounds more than within one).

Before the server starts, the same three requests are also measured in one
process through Django's full handler (the test client): CPU per request,
Python and the PostgreSQL backend's, the median of 5 repeats of
``--cpu-requests`` requests. On a busy machine these are steadier than
requests per second. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 5441


# --- PostgreSQL ---------------------------------------------------------------------------


def run_as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)


@contextmanager
def private_postgres(folder: Path):
    """A throw-away cluster on 127.0.0.1:5441, stopped and removed on the way out."""
    if folder.exists():
        raise SystemExit(f"{folder} exists; choose an empty place for the throw-away cluster")
    subprocess.run(["install", "-d", "-o", "postgres", "-g", "postgres", str(folder), str(folder / "sock")],
                   check=True)
    try:
        run_as_postgres(str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                        "-E", "UTF8")
        run_as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-o",
            f"-p {PG_PORT} -k {folder / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start",
        )
        run_as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "aftersale_bench")
        # Through the Unix socket, as an application server on the database's machine would.
        yield f"postgres://postgres@{quote(str(folder / 'sock'), safe='')}:{PG_PORT}/aftersale_bench"
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"),
                        "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


# --- data -------------------------------------------------------------------------------------


def server_env(database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) on loopback, for gunicorn and for the seeding."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(BENCH)]),
        "DJANGO_SETTINGS_MODULE": "api_load_site.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",  # testserver: the CPU measurement
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": "dummy://",
        "LOG_LEVEL": "ERROR",
    }


SEED = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
from aftersale.accounts.models import Account
from aftersale.api.tokens import do_issue_token
from aftersale.commerce.models import Order
from aftersale.health.scan import run_scan
from aftersale.staff.models import User

accounts = int(sys.argv[1])
call_command("migrate", verbosity=0)
if not Account.objects.exists():
    staff = [User.objects.create_user(email=f"owner{i}@bench.test", name=f"Owner {i}", department="sales",
                                      role="member") for i in range(20)]
    Account.objects.bulk_create(
        [Account(external_id=f"B-{i:06}", name=f"Bench account {i}", owner=staff[i % 20],
                 tier=("strategic", "key", "standard")[i % 3], industry="capital_equipment")
         for i in range(accounts)], batch_size=1000)
    now = timezone.now()
    ids = list(Account.objects.values_list("pk", flat=True))
    Order.objects.bulk_create(
        [Order(account_id=pk, placed_at=now - timedelta(days=30 * k + pk % 29), total=1000 + k)
         for pk in ids for k in range(4)], batch_size=2000)
    run_scan(now)
user = User.objects.get(email="owner0@bench.test")
ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
print(json.dumps({"token": do_issue_token(user, name="bench")[1], "ids": ids}))
"""


CPU = """
import json, os, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from aftersale.accounts.models import Account
from aftersale.api.tokens import do_issue_token
from aftersale.staff.models import User

requests, repeats = int(sys.argv[1]), int(sys.argv[2])
secret = do_issue_token(User.objects.get(email="owner0@bench.test"), name="bench cpu")[1]
ids = list(Account.objects.order_by("pk").values_list("pk", flat=True)[:200])
client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
paths = {
    "trivial JSON view": lambda i: "/api-bench/trivial",
    "GET /api/accounts (50 per page)": lambda i: "/api/accounts",
    "GET /api/accounts/{id}/health": lambda i: f"/api/accounts/{ids[i % len(ids)]}/health",
}

def backend_ms():
    # The PostgreSQL backend serving this connection: its CPU counts as much as ours.
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

result = {}
for name, path in paths.items():
    for i in range(200):  # warm-up: the first read of each snapshot works out its answer
        assert client.get(path(i)).status_code == 200, path(i)
    python, database = [], []
    for _ in range(repeats):
        before, started = backend_ms(), time.process_time()
        for i in range(requests):
            client.get(path(i))
        python.append((time.process_time() - started) * 1000 / requests)
        database.append((backend_ms() - before) / requests)
    python.sort(); database.sort()
    result[name] = {"python_ms": round(python[repeats // 2], 3),
                    "postgres_ms": round(database[repeats // 2], 3)}
print(json.dumps(result))
"""


def cpu_per_request(env: dict[str, str], requests: int, repeats: int) -> dict[str, dict[str, float]]:
    """CPU per request in one process through Django's full handler (test client), and the
    CPU of its PostgreSQL backend: steadier than requests/second on a shared machine."""
    out = subprocess.run([sys.executable, "-c", CPU, str(requests), str(repeats)], env=env,
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"CPU measurement failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def seed(env: dict[str, str], accounts: int) -> dict[str, Any]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", SEED, str(accounts)], env=env, capture_output=True, text=True,
                         cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"seeding failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


# --- gunicorn and wrk -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], port: int):
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "aftersale.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 240  # a busy shared machine starts slowly
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api-bench/trivial", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.3)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


ROTATE = """
local ids = {%s}
local i = 0
request = function()
  i = i %% #ids + 1
  return wrk.format("GET", "/api/accounts/" .. ids[i] .. "/health")
end
"""


def wrk(url: str, *, seconds: int, connections: int, token: str | None = None,
        script: str | None = None) -> dict[str, Any]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} responses were not 2xx:\n{out}")
    return {"rps": rps, "p50": p50.group(1) if p50 else "", "p99": p99.group(1) if p99 else ""}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--pg-dir", type=Path, help="create a throw-away PostgreSQL cluster here (as root)")
    where.add_argument("--database-url", help="an existing, empty PostgreSQL database")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--health-accounts", type=int, default=200,
                        help="accounts the health run rotates over")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--cpu-requests", type=int, default=300,
                        help="requests per endpoint and repeat of the in-process CPU measurement (0: skip)")
    args = parser.parse_args()

    started_load = os.getloadavg()[0]
    context = private_postgres(args.pg_dir) if args.pg_dir else _given(args.database_url)
    with context as database_url:
        env = server_env(database_url)
        seeded = seed(env, args.accounts)
        cpu = cpu_per_request(env, args.cpu_requests, 5) if args.cpu_requests else {}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        token, ids = seeded["token"], seeded["ids"][: args.health_accounts]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(ROTATE % ", ".join(str(i) for i in ids))
        targets = {
            "trivial JSON view": {"url": f"{base}/api-bench/trivial"},
            "GET /api/accounts (50 per page)": {"url": f"{base}/api/accounts", "token": token},
            "GET /api/accounts/{id}/health": {"url": base, "token": token, "script": lua.name},
        }
        with gunicorn(env, port):
            for pk in ids:  # the first read of each snapshot works out and stores its explanations
                request = urllib.request.Request(  # noqa: S310 - our own http:// server
                    f"{base}/api/accounts/{pk}/health", headers={"Authorization": f"Bearer {token}"}
                )
                urllib.request.urlopen(request, timeout=60).read()  # noqa: S310
            for target in targets.values():  # warm-up: connections, caches
                wrk(target["url"], seconds=3, connections=args.connections, token=target.get("token"),
                    script=target.get("script"))
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
            for _round in range(args.rounds):
                for name, target in targets.items():
                    runs[name].append(wrk(target["url"], seconds=args.duration, connections=args.connections,
                                          token=target.get("token"), script=target.get("script")))
        os.unlink(lua.name)
    trivial = statistics.median(r["rps"] for r in runs["trivial JSON view"])
    report = {
        "machine": f"{platform.node()} {os.cpu_count()} cores, {platform.python_version()}",
        "accounts": args.accounts, "seed_seconds": seeded["seconds"], "connections": args.connections,
        "duration": args.duration, "rounds": args.rounds, "load_average": [started_load, os.getloadavg()[0]],
        "cpu": cpu, "results": {},
    }
    print(f"1-minute load average {started_load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print()
    print(f"| endpoint | requests/s (median of {args.rounds}) | runs | ratio per round | p50 / p99 latency"
          " | vs. trivial |")
    print("|---|---:|---|---|---|---:|")
    for name, measured in runs.items():
        median = statistics.median(r["rps"] for r in measured)
        ratio = median / trivial
        # Each round's ratio to the trivial view's run of the same round: the load changes
        # between rounds, much less within one.
        per_round = [r["rps"] / t["rps"] for r, t in zip(measured, runs["trivial JSON view"], strict=True)]
        report["results"][name] = {"rps": median, "ratio": round(ratio, 2), "runs": measured,
                                   "ratios": [round(r, 2) for r in per_round]}
        last = measured[len(measured) // 2]
        each = ", ".join(f"{r['rps']:,.0f}" for r in measured)
        rounds = ", ".join(f"{r:.2f}" for r in per_round)
        print(f"| {name} | {median:,.0f} | {each} | {rounds} | {last['p50']} / {last['p99']} | {ratio:.2f} |")
    slowest = {n: min(r["ratios"]) for n, r in report["results"].items() if n != "trivial JSON view"}
    print()
    print("Slowest round against the trivial view: "
          + "; ".join(f"{n} {ratio:.2f}" for n, ratio in slowest.items()))
    if cpu:
        base = cpu["trivial JSON view"]["python_ms"]
        print()
        print("| endpoint | CPU per request: Python | PostgreSQL | total vs. trivial |")
        print("|---|---:|---:|---:|")
        for name, spent in cpu.items():
            total = spent["python_ms"] + spent["postgres_ms"]
            print(f"| {name} | {spent['python_ms']:.2f} ms | {spent['postgres_ms']:.2f} ms"
                  f" | {total / base:.2f}x |")
    print(json.dumps(report, indent=1), file=sys.stderr)
    slow = [n for n, r in report["results"].items() if r["ratio"] < 0.5]
    if slow:
        raise SystemExit(f"below half of the trivial view: {', '.join(slow)}")


@contextmanager
def _given(url: str):
    yield url


if __name__ == "__main__":
    main()
