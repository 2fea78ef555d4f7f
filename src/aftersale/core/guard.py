"""Watching the statements of a long command: what each one computes, how long it took, a limit.

The scan, the backtest and the import each send a few large set-based
statements. When one of them runs long, an operator needs to know which:

* ``statement_kind(label)`` names what the statements sent inside the block
  compute ("signal orders_rhythm", "snapshots"); the innermost name counts;
* ``slow_statements_logged()``, for the length of a command, times every
  statement on the connection (``connection.execute_wrapper``) and logs each
  one slower than ``SLOW_STATEMENT_SECONDS`` on the ``aftersale.statements``
  logger: its kind, how long it took and its start;
* ``statement_limit(seconds)``, on PostgreSQL, runs a block in one transaction
  whose statements are each cancelled after ``seconds`` (``SET LOCAL
  statement_timeout``), and turns the cancellation into ``StatementTimeout``,
  whose message names the statement's kind.

Statistics, the other half of the guard before a long read, are
``aftersale.core.bulk.ensure_statistics``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.utils.translation import gettext as _

from aftersale.core import conf

logger = logging.getLogger("aftersale.statements")

# How much of a statement a log line or an error message shows.
STATEMENT_SHOWN = 240
# PostgreSQL's SQLSTATE for a statement cancelled (by statement_timeout or by request).
QUERY_CANCELED = "57014"

_kind: ContextVar[str] = ContextVar("aftersale_statement_kind", default="")


class StatementTimeout(Exception):
    """A statement ran longer than its limit and PostgreSQL cancelled it."""

    def __init__(self, kind: str, seconds: float, setting: str, sql: str) -> None:
        self.kind, self.seconds, self.setting, self.sql = kind, seconds, setting, sql
        super().__init__(
            _("The statement computing %(kind)s ran longer than %(seconds)g s (%(setting)s) and was "
              "cancelled: %(statement)s")
            % {"kind": kind or _("an unnamed step"), "seconds": seconds, "setting": setting,
               "statement": shown(sql)}
        )


@contextmanager
def statement_kind(label: object) -> Iterator[None]:
    """Name what the statements sent inside this block compute (for the log and the limit)."""
    token = _kind.set(str(label))
    try:
        yield
    finally:
        _kind.reset(token)


def current_kind() -> str:
    """The innermost ``statement_kind`` now ("" outside any)."""
    return _kind.get()


def shown(sql: str) -> str:
    """The start of a statement on one line."""
    line = re.sub(r"\s+", " ", sql).strip()
    return line if len(line) <= STATEMENT_SHOWN else line[:STATEMENT_SHOWN - 1] + "…"


Wrapper = Callable[..., Any]


@contextmanager
def slow_statements_logged(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Log each statement on this connection slower than ``SLOW_STATEMENT_SECONDS`` while the block runs.

    A failed or cancelled statement is logged too, with the time it took to fail.
    """
    threshold = conf.get("SLOW_STATEMENT_SECONDS")

    def timed(execute: Wrapper, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            if took >= threshold:
                logger.warning(
                    "slow statement: %s took %.3f s%s: %s", current_kind() or "unnamed step", took,
                    " (executemany)" if many else "", shown(sql),
                )

    with connections[using].execute_wrapper(timed):
        yield


@contextmanager
def statement_limit(seconds: float, setting: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """On PostgreSQL, run the block in one transaction whose every statement may take at most
    ``seconds`` (0: no limit; nothing changes on SQLite, which has no such limit).

    A statement cancelled once it has run that long raises ``StatementTimeout`` naming its
    kind and ``setting`` (where the limit comes from); the transaction is rolled back, so
    what the block wrote goes with it. ``SET LOCAL`` ends with the transaction (inside a
    caller's transaction, the block puts the caller's limit back): the connection's other
    work keeps its own limit.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not seconds:
        yield
        return

    def limited(execute: Wrapper, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            # A cancellation by request (pg_cancel_backend) has the same code; only one that
            # came after the limit is the limit's.
            cancelled = getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED
            if cancelled and time.perf_counter() - started >= seconds * 0.99:
                raise StatementTimeout(current_kind(), seconds, setting, sql) from exc
            raise

    outer = connection.in_atomic_block
    with transaction.atomic(using=using), connection.execute_wrapper(limited):
        with connection.cursor() as cursor:
            if outer:
                cursor.execute("SELECT current_setting('statement_timeout')")
                (before,) = cursor.fetchone()
            cursor.execute(f"SET LOCAL statement_timeout = {max(1, round(seconds * 1000))}")
        yield
        if outer:
            # Inside a caller's transaction (a savepoint) the setting would outlive the block.
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
