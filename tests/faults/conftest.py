"""Real worker processes against the test database.

The workers are ``aftersale worker`` subprocesses, so they can be killed with
SIGKILL like a crashed machine. They need a database another process can open:

- on PostgreSQL, the test database itself (the tests commit: ``transaction=True``);
- on SQLite the test database lives in this process's memory, so it is copied
  to a file for the workers (``to_workers``) and back afterwards
  (``from_workers``) with SQLite's online backup, which takes milliseconds.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

import aftersale

SRC = Path(aftersale.__file__).resolve().parents[1]
# Accounts per range in the scans the workers start: small, so that a portfolio a
# test can build quickly still makes enough ranges for two workers to share.
PART_SIZE = 8
MESSAGE_ID = re.compile(r"^Message-ID: (.+)$", re.MULTILINE)


@dataclass
class Workers:
    """Start, kill and wait for ``aftersale worker`` processes; read back what they did."""

    home: Path
    env: dict[str, str]
    file: Path | None  # the SQLite copy the workers use (None on PostgreSQL)
    procs: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def to_workers(self) -> None:
        if self.file is not None:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)

    def from_workers(self) -> None:
        if self.file is not None:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as source:
                source.backup(connection.connection)

    def query(self, sql: str) -> list[tuple]:
        """A read straight from the workers' database (while they run)."""
        if self.file is None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        with sqlite3.connect(self.file, timeout=10) as db:
            return db.execute(sql).fetchall()

    def start(self, worker_id: str, *options: str, schedule: bool = False) -> subprocess.Popen:
        """``aftersale worker``; only with ``schedule`` does it queue the periodic tasks."""
        log = self.home / f"worker-{len(self.logs)}-{worker_id}.log"
        flags = [] if schedule else ["--no-schedule"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "aftersale", "worker", *flags, "--no-reload",
             "--no-startup-delay", "--interval", "0.05", "--worker-id", worker_id, *options],
            env=self.env, cwd=self.home, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        self.logs.append(log)
        return proc

    # Generous limits: they only matter when something hangs, and a worker process may
    # take tens of seconds to start on a busy CI machine.
    def wait(self, proc: subprocess.Popen, timeout: float = 300) -> None:
        assert proc.wait(timeout) == 0, self.output()

    def kill(self, proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in self.logs)

    def message_ids(self) -> Counter[str]:
        """Every e-mail the workers sent (the console backend prints each one)."""
        return Counter(mid for log in self.logs for mid in MESSAGE_ID.findall(log.read_text()))

    def poll(self, condition: Callable[[], bool], timeout: float = 300, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}\n{self.output()}")
            time.sleep(0.02)


def database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def workers(tmp_path, transactional_db) -> Iterator[Workers]:
    file = None if connection.vendor == "postgresql" else tmp_path / "workers.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "aftersale.test_settings",
        "AFTERSALE_HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{file}" if file else database_url(),
        "EMAIL_URL": "console://",
        "DIGEST_HOUR": "0",  # digests due whatever the hour the test runs
        "SCAN_PART_SIZE": str(PART_SIZE),  # ranges of the scans the workers start
        "PYTHONUNBUFFERED": "1",
    }
    running = Workers(home=tmp_path, env=env, file=file)
    yield running
    for proc in running.procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
