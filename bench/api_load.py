"""The REST API as its users feel it: p50 and p99 latency at 32 connections, on the demo.

Usage (from the repository root):

    python bench/api_load.py --database-url postgres://postgres@127.0.0.1:5436/apibench
    python bench/api_load.py --pg-dir /tmp/aftersale-bench-pg      (as root)

With ``--pg-dir`` it creates a throw-away PostgreSQL cluster there (initdb,
``--pg-port``, loopback only, fsync off) and stops and deletes it at the end;
``--database-url`` names a database of your own. Unless that database
already holds a demo of ``--accounts`` accounts (default 100,000), it
migrates and loads one (``aftersale demo --accounts N --no-serve``, which
also scans it, so every account has a health snapshot). It issues an API
token for ``--email`` (the demo's manager) and, in one process through
Django's handler, reads once every answer the run will ask for: the first
``--pages`` pages of ``GET /api/accounts`` (following ``next_cursor``) and
``GET /api/accounts/{id}/health`` for ``--rotate`` accounts spread over the
portfolio. That stores each health answer (the first read of a snapshot
works it out), as it is for a poller, and gives each URL its ETag.

Then it starts gunicorn as ``aftersale serve`` does (2 sync workers,
production settings with DEBUG off, persistent database connections) and
runs wrk (1 thread, ``--connections`` connections, ``--duration`` seconds
per target after a ``--warmup``, ``--timeout`` per request so that a slow
answer is measured rather than dropped) on four targets, each URL of a
target in turn:

- the list pages, without ``If-None-Match``: every answer a 200 with its page;
- the same with ``If-None-Match`` (each URL's ETag): every answer a 304;
- the health answers, without ``If-None-Match``: 200;
- the same with ``If-None-Match``: 304.

Every response's status is checked in wrk's Lua hooks: any other status
counts as an error, as do wrk's socket errors. It prints one Markdown row
per target (requests/s, p50, p90 and p99 latency, errors) with the 1-minute
load average before and after, and the whole report as JSON on standard
error. Figures go to docs/benchmarks.md (*API*); on a busy machine they say
little.
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
PG_BIN = Path("/usr/lib/postgresql/15/bin")

# --- PostgreSQL ---------------------------------------------------------------------------


def run_as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)


@contextmanager
def private_postgres(folder: Path, port: int):
    """A throw-away cluster on 127.0.0.1:``port``, stopped and removed on the way out."""
    if folder.exists():
        raise SystemExit(f"{folder} exists; choose an empty place for the throw-away cluster")
    subprocess.run(["install", "-d", "-o", "postgres", "-g", "postgres", str(folder), str(folder / "sock")],
                   check=True)
    try:
        run_as_postgres(str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                        "-E", "UTF8")
        run_as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-o",
            f"-p {port} -k {folder / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start",
        )
        run_as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "aftersale_bench")
        # Through the Unix socket, as an application server on the database's machine would.
        yield f"postgres://postgres@{quote(str(folder / 'sock'), safe='')}:{port}/aftersale_bench"
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"),
                        "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def given(url: str):
    yield url


# --- the server -------------------------------------------------------------------------------


def server_env(database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) on loopback, for gunicorn and for the set-up."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "aftersale.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",  # testserver: the set-up's reads
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": "dummy://",
        "LOG_LEVEL": "ERROR",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Answers without a token or static files once the application is loaded.
READY_PATH = "/api/openapi.json"


@contextmanager
def gunicorn(env: dict[str, str], port: int):
    """gunicorn with 2 sync workers on 127.0.0.1:``port``, as ``aftersale serve`` runs it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "aftersale.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 240  # a busy shared machine starts slowly
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{READY_PATH}", timeout=2) as r:  # noqa: S310
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


# --- set-up: the demo, a token, every URL read once -------------------------------------------


def load_demo(env: dict[str, str], accounts: int) -> float:
    """Migrates and loads the demo (scanned) unless one of this size is there; seconds spent."""
    started = time.perf_counter()
    for command in (["migrate", "--verbosity", "0"], ["demo", "--accounts", str(accounts), "--no-serve"]):
        out = subprocess.run([sys.executable, "-m", "aftersale", *command], env=env, cwd=ROOT,
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"aftersale {' '.join(command)} failed:\n{out.stdout}\n{out.stderr}")
    return time.perf_counter() - started


SETUP = """
import json, sys
import django
django.setup()
from django.db.models import Exists, OuterRef
from django.test import Client
from aftersale.accounts.models import Account
from aftersale.api.tokens import do_issue_token
from aftersale.health.models import HealthSnapshot
from aftersale.staff.models import User

email, pages, rotate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
token = do_issue_token(User.objects.get(email=email), name="api_load")[1]
client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def read(url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response


listing, cursor = [], None
while len(listing) < pages:
    url = "/api/accounts" + (f"?cursor={cursor}" if cursor else "")
    response = read(url)
    listing.append([url, response["ETag"]])
    cursor = response.json()["next_cursor"]
    if cursor is None:
        break
scanned = Account.objects.filter(Exists(HealthSnapshot.objects.filter(account=OuterRef("pk"))))
ids = list(scanned.order_by("pk").values_list("pk", flat=True))
step = max(1, len(ids) // rotate)
health = []
for pk in ids[::step][:rotate]:
    url = f"/api/accounts/{pk}/health"
    health.append([url, read(url)["ETag"]])  # the first read of a snapshot works out its answer
print(json.dumps({"token": token, "accounts": Account.objects.count(), "list": listing, "health": health}))
"""


def prepare(env: dict[str, str], email: str, pages: int, rotate: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", SETUP, email, str(pages), str(rotate)], env=env,
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"set-up failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- wrk ----------------------------------------------------------------------------------------

# One wrk thread. Each URL's request is written once (with its If-None-Match, if any, beside the
# -H headers); every status but the expected one is counted, and the count printed at the end.
LUA = """
local paths = {%(paths)s}
local etags = {%(etags)s}
local expected = %(expected)d
local requests = {}
local i = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  bad = 0; statuses = ""
  for n, path in ipairs(paths) do
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    if etags[n] ~= "" then headers["If-None-Match"] = etags[n] end
    requests[n] = wrk.format("GET", path, headers)
  end
end
request = function()
  i = i %% #requests + 1
  return requests[i]
end
response = function(status, headers, body)
  if status ~= expected then
    bad = bad + 1
    if #statuses < 200 then statuses = statuses .. status .. " " end
  end
end
done = function(summary, latency, requests)
  local n, seen = 0, ""
  for _, t in ipairs(threads) do n = n + t:get("bad"); seen = seen .. t:get("statuses") end
  io.write(string.format("unexpected: %%d\\n", n))
  io.write("statuses: " .. seen .. "\\n")
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("p%%d: %%.3f ms\\n", p, latency:percentile(p) / 1000))
  end
end
"""


def wrk(base: str, urls: list[tuple[str, str]], token: str, *, expected: int, seconds: int,
        connections: int, timeout: int) -> dict[str, Any]:
    """wrk on ``urls`` (path, and the If-None-Match to send or "") in turn."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(LUA % {"paths": ", ".join(json.dumps(path) for path, _etag in urls),
                         "etags": ", ".join(json.dumps(etag) for _path, etag in urls),
                         "expected": expected})
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s", "--latency",
               "-s", lua.name, "-H", f"Authorization: Bearer {token}", base]
    load_before = os.getloadavg()[0]
    try:
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(lua.name)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "unexpected": int(re.search(r"unexpected: (\d+)", out).group(1)),
        "statuses": re.search(r"statuses: (.*)", out).group(1).strip(),
        "socket_errors": sum(int(g) for g in socket_errors.groups()) if socket_errors else 0,
        **{f"p{p}": float(re.search(rf"p{p}: ([\d.]+) ms", out).group(1)) for p in (50, 90, 99)},
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--pg-dir", type=Path, help="create a throw-away PostgreSQL cluster here (as root)")
    where.add_argument("--database-url", help="a PostgreSQL database: empty, or holding the demo")
    parser.add_argument("--pg-port", type=int, default=5439, help="the throw-away cluster's port")
    parser.add_argument("--accounts", type=int, default=100_000, help="the demo portfolio's size")
    parser.add_argument("--email", default="manager@demo.aftersale", help="who owns the token")
    parser.add_argument("--pages", type=int, default=20, help="list pages the list targets go through")
    parser.add_argument("--rotate", type=int, default=200, help="accounts the health targets go through")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=30, help="seconds per target")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of each target before it is measured")
    parser.add_argument("--timeout", type=int, default=30, help="wrk's per-request timeout, seconds")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    context = private_postgres(args.pg_dir, args.pg_port) if args.pg_dir else given(args.database_url)
    with context as database_url:
        env = server_env(database_url)
        seconds = load_demo(env, args.accounts)
        prepared = prepare(env, args.email, args.pages, args.rotate)
        token, listing, health = prepared["token"], prepared["list"], prepared["health"]
        targets = [
            (f"`GET /api/accounts`, {len(listing)} pages of 50 in turn", listing, False),
            (f"`GET /api/accounts`, {len(listing)} pages, with `If-None-Match` (304)", listing, True),
            (f"`GET /api/accounts/{{id}}/health`, {len(health)} accounts in turn", health, False),
            (f"`GET /api/accounts/{{id}}/health`, {len(health)} accounts, with `If-None-Match` (304)",
             health, True),
        ]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        results: dict[str, dict[str, Any]] = {}
        with gunicorn(env, port):
            for name, urls, conditional in targets:
                chosen = [(url, etag if conditional else "") for url, etag in urls]
                expected = 304 if conditional else 200
                run = {"expected": expected, "connections": args.connections, "timeout": args.timeout}
                wrk(base, chosen, token, seconds=args.warmup, **run)
                results[name] = wrk(base, chosen, token, seconds=args.duration, **run)
                print(f"measured {name}", file=sys.stderr, flush=True)
    print(f"{prepared['accounts']:,} accounts (set-up {seconds:.0f} s); {args.connections} connections,"
          f" {args.duration} s per target; {platform.node()}, {os.cpu_count()} cores,"
          f" Python {platform.python_version()}")
    print()
    print("| target | requests/s | p50 | p90 | p99 | errors | load before → after |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, r in results.items():
        errors = r["unexpected"] + r["socket_errors"]
        print(f"| {name} | {r['rps']:,.0f} | {r['p50']:.1f} ms | {r['p90']:.1f} ms | {r['p99']:.1f} ms"
              f" | {errors} | {r['load_before']:.1f} → {r['load_after']:.1f} |")
    print(json.dumps({"accounts": prepared["accounts"], "connections": args.connections,
                      "duration": args.duration, "results": results}, indent=1), file=sys.stderr)
    failed = {n: r["statuses"] for n, r in results.items() if r["unexpected"] or r["socket_errors"]}
    if failed:
        raise SystemExit(f"unexpected answers or socket errors: {failed}")


if __name__ == "__main__":
    main()
