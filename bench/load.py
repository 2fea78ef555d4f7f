"""Load test (issue 13): gunicorn on PostgreSQL, wrk at 32 connections for 60 s per target.

Usage (from the repository root), on a PostgreSQL database that already holds
the portfolio to measure, for example ``aftersale demo --accounts 100000``
followed by a scan:

    python bench/load.py --database-url postgres://postgres@127.0.0.1:5434/aftersale

It starts gunicorn as ``aftersale serve`` does (2 sync workers, production
settings with DEBUG off, persistent database connections: ``CONN_MAX_AGE``
600 s from ``DATABASE_URL``), logs the demo's manager in (a session cookie,
as a browser would send it), issues an API token for the same person, and
runs wrk (1 thread, ``--connections`` connections, ``--duration`` seconds,
``--timeout`` per request so that a slow answer is measured rather than
dropped) on:

- the attention list (``/``, the manager's: every owner's accounts);
- the account page, rotating over ``--rotate`` accounts spread over the portfolio;
- ``GET /api/accounts/{id}/health`` with the token, rotating over the same accounts;
- ``GET /api/accounts`` (the first page) with the token.

Every response's status is checked in wrk's Lua hooks: anything but 200
(a redirect to the login page included) counts as an error, as do wrk's socket
errors (connect, read, write, timeout). It prints one Markdown row per target
with requests/s, p50/p90/p99 latency, errors, the CPU per request of the
gunicorn processes and of the PostgreSQL backends serving them (from /proc,
over the run), and the 1-minute load average before and after the run. The
goal: no error, p99 under 300 ms.

The session sends the CSRF cookie with the session cookie, as a browser does
(it has it from its first page): the staff pages are cached per CSRF secret
(docs/web.md, "Page cache"). Before gunicorn starts, the set-up also measures
in its own process the CPU of rendering each staff page (cache off) and of
serving it from the cache (``--no-cpu`` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load import ROOT, free_port, gunicorn, server_env  # noqa: E402

APPLICATION_NAME = "aftersale-load"

SETUP = """
import json, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from aftersale.accounts.models import Account
from aftersale.api.tokens import do_issue_token
from aftersale.staff.models import User

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
call_command("collectstatic", interactive=False, verbosity=0)  # as `aftersale serve` does with DEBUG off
user = User.objects.get(email=sys.argv[1])
rotate = int(sys.argv[2])
client = Client()
client.force_login(user)
ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
step = max(1, len(ids) // rotate)
chosen = ids[::step][:rotate]


def cpu_ms(urls, repeat):
    # Median CPU of a GET in this process (middleware, view, templates; not PostgreSQL's).
    times = []
    for _ in range(repeat):
        for url in urls:
            start = time.process_time()
            assert client.get(url).status_code == 200, url
            times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


client.get("/")  # the CSRF cookie a browser has from its first page
cpu = {}
if int(sys.argv[3]):
    for name, urls in (("attention", ["/"]), ("account", [f"/accounts/{pk}/" for pk in chosen[:5]])):
        settings.PAGE_CACHE_SECONDS = 0
        render = cpu_ms(urls, 1 if name == "account" else 3)
        settings.PAGE_CACHE_SECONDS = 60
        cpu_ms(urls, 1)  # rendered and kept
        start = time.time()
        hit = cpu_ms(urls, 100)
        cpu[name] = {"render_ms": render, "hit_ms": hit, "hit_wall_s": time.time() - start,
                     "bytes": len(client.get(urls[0]).content)}
print(json.dumps({
    "cookie": "; ".join(f"{k}={v.value}" for k, v in client.cookies.items()),
    "token": do_issue_token(user, name="load test")[1],
    "accounts": len(ids),
    "ids": chosen,
    "cpu": cpu,
}))
"""

# One wrk thread; every status but 200 is counted, and the count printed at the end.
LUA = """
local paths = {%(paths)s}
local i = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; statuses = "" end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
response = function(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if #statuses < 200 then statuses = statuses .. status .. " " end
  end
end
done = function(summary, latency, requests)
  local n, seen = 0, ""
  for _, t in ipairs(threads) do n = n + t:get("bad"); seen = seen .. t:get("statuses") end
  io.write(string.format("not200: %%d\\n", n))
  io.write("statuses: " .. seen .. "\\n")
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%%s: %%.3f ms\\n", p, latency:percentile(p) / 1000))
  end
end
"""


def setup(env: dict[str, str], email: str, rotate: int, cpu: bool) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", SETUP, email, str(rotate), str(int(cpu))], env=env,
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"set-up failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def check(url: str, headers: dict[str, str]) -> None:
    """One request first: a redirect (to the login page) or an error stops the run."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=120) as response:  # noqa: S310
            if response.status != 200:
                raise SystemExit(f"{url}: status {response.status}")
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{url}: status {exc.code}") from None


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def server_pids(database_url: str) -> tuple[list[int], list[int]]:
    """This script's gunicorn (master and workers), and the PostgreSQL backends serving it."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    master = [pid for pid, ppid in parents.items() if ppid == os.getpid()]
    gunicorn_pids = master + [pid for pid, ppid in parents.items() if ppid in master]
    import psycopg  # the PostgreSQL driver Django uses

    with psycopg.connect(database_url.split("?")[0]) as conn:
        backends = [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APPLICATION_NAME])]
    return gunicorn_pids, backends


def wrk(base: str, paths: list[str], headers: dict[str, str], *, seconds: int, connections: int,
        timeout: int, pids: tuple[list[int], list[int]] = ([], [])) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s", "-s", lua.name]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    load_before = os.getloadavg()[0]
    cpu_before = [sum(cpu_seconds(pid) for pid in group) for group in pids]
    try:
        out = subprocess.run([*command, base], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(lua.name)
    cpu_used = [sum(cpu_seconds(pid) for pid in group) - before
                for group, before in zip(pids, cpu_before, strict=True)]
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": requests,
        "gunicorn_cpu_ms": cpu_used[0] * 1000 / max(requests, 1) if cpu_used else None,
        "postgres_cpu_ms": cpu_used[1] * 1000 / max(requests, 1) if cpu_used else None,
        "not_200": int(re.search(r"not200: (\d+)", out).group(1)),
        "statuses": re.search(r"statuses: (.*)", out).group(1).strip(),
        "socket_errors": sum(int(g) for g in socket_errors.groups()) if socket_errors else 0,
        "socket_detail": socket_errors.group(0) if socket_errors else "",
        **{f"p{p}": float(re.search(rf"p{re.escape(p)}: ([\d.]+) ms", out).group(1))
           for p in ("50", "90", "99", "99.9")},
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="the PostgreSQL database to serve")
    parser.add_argument("--email", default="manager@demo.aftersale", help="who logs in and owns the token")
    parser.add_argument("--rotate", type=int, default=200, help="accounts the account targets rotate over")
    parser.add_argument("--duration", type=int, default=60, help="seconds per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--timeout", type=int, default=30, help="wrk's per-request timeout, seconds")
    parser.add_argument("--only", action="append", help="measure only the targets whose name has this text")
    parser.add_argument("--no-cpu", action="store_true",
                        help="skip the in-process CPU measurement of the staff pages (render and cache hit)")
    args = parser.parse_args()

    # Named, so that the PostgreSQL backends serving gunicorn can be found (their CPU).
    separator = "&" if "?" in args.database_url else "?"
    env = server_env(f"{args.database_url}{separator}application_name={APPLICATION_NAME}")
    prepared = setup(env, args.email, args.rotate, not args.no_cpu)
    for name, figures in prepared["cpu"].items():
        print(f"in-process CPU, {name}: render {figures['render_ms']:.1f} ms, from the cache "
              f"{figures['hit_ms']:.2f} ms (median; PostgreSQL's not counted), {figures['bytes']:,} bytes; "
              f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    session = {"Cookie": prepared["cookie"]}
    bearer = {"Authorization": f"Bearer {prepared['token']}"}
    ids = prepared["ids"]
    targets = {
        "attention list `/` (manager)": (["/"], session),
        f"account page, {len(ids)} accounts in turn": ([f"/accounts/{pk}/" for pk in ids], session),
        f"`GET /api/accounts/{{id}}/health`, {len(ids)} accounts in turn":
            ([f"/api/accounts/{pk}/health" for pk in ids], bearer),
        "`GET /api/accounts` (first page of 50)": (["/api/accounts"], bearer),
    }
    if args.only:
        targets = {k: v for k, v in targets.items() if any(o in k for o in args.only)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, Any]] = {}
    with gunicorn(env, port):
        for name, (paths, headers) in targets.items():
            for path in paths:  # every page once: each must answer 200, and caches fill as in service
                check(base + path, headers)
            wrk(base, paths, headers, seconds=5, connections=args.connections, timeout=args.timeout)
            results[name] = wrk(base, paths, headers, seconds=args.duration, connections=args.connections,
                                timeout=args.timeout, pids=server_pids(args.database_url))
            print(f"{name}: {json.dumps(results[name])}", file=sys.stderr, flush=True)
    print(f"{prepared['accounts']:,} accounts; {args.connections} connections, {args.duration} s each; "
          f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| target | requests/s | p50 | p90 | p99 | errors | CPU per request: gunicorn / PostgreSQL "
          "| load before/after |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name, r in results.items():
        errors = r["not_200"] + r["socket_errors"]
        print(f"| {name} | {r['rps']:,.1f} | {r['p50']:.0f} ms | {r['p90']:.0f} ms | {r['p99']:.0f} ms "
              f"| {errors} of {r['requests']:,} | {r['gunicorn_cpu_ms']:.1f} / {r['postgres_cpu_ms']:.1f} ms "
              f"| {r['load_before']:.1f} / {r['load_after']:.1f} |")
    print(json.dumps(results, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
