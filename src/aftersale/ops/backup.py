"""Backing up and restoring the whole database (docs/operations.md).

SQLite goes through the online backup API, so a backup taken while the app and
the worker write is still consistent. PostgreSQL goes through pg_dump's custom
format and pg_restore, whose binaries must be at least the server's version.
A restore ends by analysing the restored tables (``core.bulk.analyze``).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections

from aftersale.core.bulk import analyze

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore cannot go ahead; the message says why."""


def vendor(alias: str = "default") -> str:
    engine = connections[alias].vendor
    if engine not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")
    return engine


def has_data(alias: str = "default") -> bool:
    """Whether any of Aftersale's own tables holds a row (Django's bookkeeping doesn't count)."""
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    for model in apps.get_models():
        if not model.__module__.startswith("aftersale."):
            continue
        if model._meta.db_table in existing and model._default_manager.using(alias).exists():
            return True
    return False


def backup(path: Path, alias: str = "default") -> None:
    """Write a consistent copy of the database to ``path`` (written aside, then renamed)."""
    kind = vendor(alias)
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if kind == "sqlite":
            _sqlite_backup(partial, alias)
        else:
            _pg_dump(partial, alias)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def restore(path: Path, alias: str = "default") -> None:
    """Replace the database's content with the backup at ``path``."""
    kind = vendor(alias)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    with path.open("rb") as handle:
        head = handle.read(16)
    if kind == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{path} is not an SQLite backup (the database is SQLite)")
        _sqlite_restore(path, alias)
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(
                f"{path} is not a pg_dump custom-format backup (the database is PostgreSQL)"
            )
        _pg_restore(path, alias)
    # pg_restore loads every table but leaves the planner's statistics to
    # autovacuum; the first queries after a restore must not be planned without them.
    analyze(using=alias)
    from django.contrib.contenttypes.models import ContentType

    # Content type ids may differ between the old and the restored database.
    ContentType.objects.clear_cache()


def _sqlite_backup(target: Path, alias: str) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _sqlite_restore(source_path: Path, alias: str) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        # Into the live connection, so an in-memory database is restored too.
        source.backup(connection.connection)
    finally:
        source.close()


def pg_binary(name: str) -> str:
    """The newest ``name`` (pg_dump, pg_restore): PG_BIN_DIR, PATH, then /usr/lib/postgresql."""
    override = os.environ.get("PG_BIN_DIR")
    if override:
        candidate = Path(override) / name
        if not candidate.is_file():
            raise BackupError(f"PG_BIN_DIR={override} has no {name}")
        return str(candidate)
    versioned = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)] or [0],
    )
    if versioned:
        return str(versioned[-1])
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"{name} not found (install the PostgreSQL client or set PG_BIN_DIR)")


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args: list[str] = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        # Through the environment, never on a command line others can read.
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _pg_dump(target: Path, alias: str) -> None:
    settings_dict = connections[alias].settings_dict
    args, env = _pg_args(settings_dict)
    _run(
        [pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
         "--file", str(target), *args, "--dbname", settings_dict["NAME"]],
        env,
    )


def _pg_restore(source: Path, alias: str) -> None:
    connection = connections[alias]
    settings_dict = connection.settings_dict
    # Our own idle connection must not hold locks the DROPs wait for.
    connection.close()
    args, env = _pg_args(settings_dict)
    _run(
        [pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error", *args, "--dbname", settings_dict["NAME"],
         str(source)],
        env,
    )
