"""Fault and scale-out figures on a private PostgreSQL (issue 13). Never part of the suite.

    python bench/faults_pg.py restart [--accounts 1000]
    python bench/faults_pg.py scan-workers [--accounts 20000]

``restart``: PostgreSQL restarted under load. gunicorn (2 workers) serves
``GET /api/accounts`` to 4 client threads without pause while an ``aftersale
worker`` runs a scan of ``--accounts`` (1,000) accounts in ranges of
``--part-size`` (50); once the first range is done, the cluster is restarted
(``pg_ctl restart -m fast``: every connection is cut and the server is down
until it is back). Neither gunicorn nor the worker is
touched. Reported: requests that failed and when, the time from the restart
to the first success, failures after that (must be none), whether any
process was replaced, and whether the scan finished with every range once.

``scan-workers``: one scan of a ``--accounts`` demo portfolio (ranges of
``--part-size``, 10,000, so two ranges for 20,000) by one ``aftersale worker``, then by two
started together; the time from queueing the scan to its close, for each.

Both create a throw-away cluster with ``scripts/pg.sh`` under var/bench-faults-pg-PORT
on port 5458 (``--pg-port``), and stop it at the end. Run as root (the cluster
runs as ``postgres``) or as a user that may run PostgreSQL's binaries.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SH = ROOT / "scripts" / "pg.sh"


# --- the cluster ----------------------------------------------------------------------------------


@contextmanager
def cluster(port: int):
    folder = ROOT / "var" / f"bench-faults-pg-{port}"
    env = {**os.environ, "PG_DIR": str(folder), "PG_PORT": str(port)}
    subprocess.run([str(PG_SH), "stop"], env=env, capture_output=True)  # left by an interrupted run
    subprocess.run([str(PG_SH), "start"], env=env, check=True, capture_output=True)
    try:
        psql(port, "DROP DATABASE IF EXISTS aftersale_faults")
        psql(port, "CREATE DATABASE aftersale_faults")
        yield folder, f"postgres://postgres@127.0.0.1:{port}/aftersale_faults"
    finally:
        subprocess.run([str(PG_SH), "stop"], env=env, capture_output=True)


def psql(port: int, sql: str, database: str = "postgres") -> str:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-At",
                          "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def restart(folder: Path) -> None:
    """``pg_ctl restart`` keeps the options the cluster was started with."""
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    command = [str(pg_bin / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-m", "fast",
               "-w", "restart"]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    # Not captured: the new server would inherit the pipe and keep it open for ever.
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- the application --------------------------------------------------------------------------


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) on loopback."""
    return {
        **os.environ, "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "aftersale.settings",
        "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0", "EMAIL_URL": "dummy://", "LOG_LEVEL": "ERROR", **extra,
    }


def django(env: dict[str, str], code: str, *args: str) -> Any:
    """Run ``code`` in a fresh Django process; its last output line is JSON."""
    prelude = "import json, sys, django\ndjango.setup()\n"
    out = subprocess.run([sys.executable, "-c", prelude + code, *args], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


SEED = """
from django.core.management import call_command
from aftersale.api.tokens import do_issue_token
from aftersale.demo.load import load_demo
from aftersale.staff.models import User
from django.utils import timezone
call_command("migrate", verbosity=0)
load_demo(accounts=int(sys.argv[1]), seed=2026, as_of=timezone.localdate())
user = User.objects.filter(role="manager").first() or User.objects.filter(role="admin").first()
print(json.dumps({"token": do_issue_token(user, name="bench")[1]}))
"""

QUEUE_SCAN = """
from django.utils import timezone
from aftersale.jobs import tasks
queued = tasks.scan.enqueue(timezone.now().isoformat(), part_size=int(sys.argv[1]))
print(json.dumps({"task": str(queued.id)}))
"""

SCAN_STATE = """
from collections import Counter
from django_tasks_db.models import DBTaskResult
from aftersale.jobs import tasks
from aftersale.health.models import ScanRun
run = ScanRun.objects.order_by("-pk").first()
ids = set(run.parts.values_list("pk", flat=True)) if run else set()
parts = [t for t in DBTaskResult.objects.filter(task_path=tasks.scan_part.module_path)
         if t.args_kwargs["args"][0] in ids]
print(json.dumps({
    "status": run.status if run else None, "parts": run.parts.count() if run else 0,
    "done": run.parts.filter(done_at__isnull=False).count() if run else 0,
    "seconds": (run.finished_at - run.started_at).total_seconds() if run and run.finished_at else None,
    "closed_at": run.finished_at.timestamp() if run and run.finished_at else None,
    "tasks": dict(Counter(t.status for t in parts)),
    "claims_per_task": dict(Counter(len(t.worker_ids) for t in parts)),
    "workers": sorted({t.worker_ids[-1] for t in parts if t.worker_ids}),
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_http(url: str, token: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5):  # noqa: S310
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer") from None
            time.sleep(0.5)


def children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def worker(env: dict[str, str], worker_id: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "aftersale", "worker", "--no-schedule", "--no-reload", "--interval", "0.2",
         "--worker-id", worker_id], env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )


def scan_status(port: int) -> tuple[int, str, int]:
    """The newest scan's id, status and ranges done, read with psql (a Django process
    takes seconds to start on a busy machine)."""
    row = psql(port, "SELECT r.id, r.status, count(p.done_at) FROM health_scanrun r JOIN health_scanpart p"
                     " ON p.run_id = r.id GROUP BY r.id ORDER BY r.id DESC LIMIT 1", "aftersale_faults")
    run, status, done = row.split("|") if row else ("0", "", "0")
    return int(run), status, int(done)


def wait_for_scan(env: dict[str, str], port: int, timeout: float, after: int = 0) -> dict[str, Any]:
    """Wait until a scan newer than run ``after`` is done; its state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run, status, _ = scan_status(port)
        if run > after and status == "done":
            break
        time.sleep(0.5)
    return django(env, SCAN_STATE)


def progress(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{platform.node()}, {os.cpu_count()} cores, load average {load}"


# --- scenarios --------------------------------------------------------------------------------------


def restart_under_load(args: argparse.Namespace) -> None:
    with cluster(args.pg_port) as (folder, url):
        env = app_env(url)
        token = django(env, SEED, str(args.accounts))["token"]
        progress(f"{args.accounts:,} demo accounts loaded")
        port = free_port()
        logs = ROOT / "var"
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "aftersale.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=(logs / "bench-faults-web.log").open("w"), stderr=subprocess.STDOUT,
        )
        results: list[tuple[float, bool, str]] = []
        stop = threading.Event()

        def client() -> None:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/accounts",  # noqa: S310
                                             headers={"Authorization": f"Bearer {token}"})
            while not stop.is_set():
                began = time.monotonic()
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                        ok, why = response.status == 200, str(response.status)
                except urllib.error.HTTPError as exc:
                    ok, why = False, str(exc.code)
                except OSError as exc:
                    ok, why = False, type(exc).__name__
                results.append((began, ok, why))
                if not ok:
                    time.sleep(0.05)

        try:
            wait_http(f"http://127.0.0.1:{port}/api/accounts", token)
            web_workers = children(web.pid)
            django(env, QUEUE_SCAN, str(args.part_size))
            scanner = worker(env, "bench-w1", logs / "bench-faults-worker.log")
            threads = [threading.Thread(target=client) for _ in range(4)]
            for thread in threads:
                thread.start()
            # Restart once the worker is into the ranges, so that the outage cuts one.
            deadline = time.monotonic() + 900
            while scan_status(args.pg_port)[2] < 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            progress("worker inside the ranges; restarting PostgreSQL")
            down = time.monotonic()
            restart(folder)
            up = time.monotonic()
            progress(f"PostgreSQL back after {up - down:.1f} s")
            time.sleep(15)
            stop.set()
            for thread in threads:
                thread.join()
            progress(f"{len(results)} requests made; waiting for the scan")
            state = wait_for_scan(env, args.pg_port, 900)
            replaced = children(web.pid) != web_workers
            alive = scanner.poll() is None
        finally:
            stop.set()
            web.send_signal(signal.SIGTERM)
            web.wait(30)
            if "scanner" in locals():
                scanner.send_signal(signal.SIGTERM)
                scanner.wait(60)
        failed = [(t - down, why) for t, ok, why in results if not ok]
        after = [t for t, ok, _ in results if ok and t >= down]
        first_ok = min(after) - down if after else None
        late = [f for f in failed if first_ok is not None and f[0] > first_ok]
        print(json.dumps({
            "machine": machine(), "accounts": args.accounts, "requests": len(results),
            "before_restart_failed": sum(1 for t, ok, _ in results if t < down and not ok),
            "restart_seconds": round(up - down, 2), "failed": len(failed),
            "failed_between_s": [round(failed[0][0], 2), round(failed[-1][0], 2)] if failed else None,
            "failure_kinds": sorted({why for _, why in failed}),
            "first_success_after_restart_s": round(first_ok, 2) if first_ok is not None else None,
            "failed_after_first_success": len(late), "gunicorn_workers_replaced": replaced,
            "worker_still_running": alive, "scan": state,
        }, indent=1))


def scan_workers(args: argparse.Namespace) -> None:
    with cluster(args.pg_port) as (_, url):
        env = app_env(url)
        started = time.monotonic()
        django(env, SEED, str(args.accounts))
        print(f"demo of {args.accounts:,} accounts loaded in {time.monotonic() - started:.0f} s", flush=True)
        figures = {}
        for count in (1, 2):
            previous = scan_status(args.pg_port)[0]
            queued = time.time()
            django(env, QUEUE_SCAN, str(args.part_size))
            procs = [worker(env, f"bench-{count}-{i}", ROOT / "var" / f"bench-scan-{count}-{i}.log")
                     for i in range(count)]
            state = wait_for_scan(env, args.pg_port, 3600, after=previous)
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
                proc.wait(60)
            figures[f"{count} worker(s)"] = {
                "queued_to_closed_s": round(state["closed_at"] - queued, 1), "ranges": state["parts"],
                "ranges_phase_s": state["seconds"], "workers_used": len(state["workers"]),
                "load": machine(),
            }
            print(json.dumps(figures[f"{count} worker(s)"]), flush=True)
        print(json.dumps({"accounts": args.accounts, **figures}, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=["restart", "scan-workers"])
    parser.add_argument("--accounts", type=int, default=None)
    parser.add_argument("--pg-port", type=int, default=5458)
    parser.add_argument("--part-size", type=int, default=None,
                        help="accounts per range (restart: 50; scan-workers: 10,000)")
    args = parser.parse_args()
    # SIGTERM (a timeout) unwinds like Ctrl-C, so the servers and the cluster are stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    if args.scenario == "restart":
        args.accounts = args.accounts or 1000
        args.part_size = args.part_size or 50
        restart_under_load(args)
    else:
        args.accounts = args.accounts or 20000
        args.part_size = args.part_size or 10000
        scan_workers(args)


if __name__ == "__main__":
    main()
