"""The API's hottest reads in plain SQL, answered without a second serialisation pass.

The account list and an account's health are what integrations and
dashboards poll. Through the ORM and pydantic each request spent most of its
time building SQL and validating the answer, several times the cost of
Django itself (bench/api_load.py). Here the SQL is written out, rows become
JSON-ready values directly, and the documented schema is still checked: by
the contract test (schemathesis) and by the tests that compare these answers
with the schemas.

Scoping stays single-sourced: the caller's ``Account.objects.restrict(user)``
queryset is embedded as an id subquery unless it is the whole table (staff
see the whole portfolio, so usually nothing is added).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import psycopg
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime

from aftersale.core.sql import date_value


def scope_clause(visible: QuerySet, column: str) -> tuple[str, list[Any]]:
    """``AND column IN (...)`` limiting ``column`` to the ids of ``visible``; nothing when
    ``visible`` is the whole table, ``AND 1 = 0`` when it is empty."""
    query = visible.query
    if query.is_empty():
        return " AND 1 = 0", []
    if not query.where:
        return "", []
    sql, params = visible.values("pk").query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def aware(value: Any) -> datetime | None:
    """A DATETIME column's value: PostgreSQL returns an aware datetime, SQLite UTC text."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(str(value))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def moment(value: Any) -> str | None:
    """A DATETIME column as the API writes it: ISO 8601 in UTC, milliseconds, ``Z``
    (the same text Django's JSON encoder produces)."""
    value = aware(value)
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text.removesuffix("+00:00") + "Z"


def moment_sql(column: str) -> str:
    """SQL that formats a DATETIME column as ``moment()`` does (the database is faster at it)."""
    if connection.vendor == "postgresql":
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    return f"strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', {column})"  # SQLite stores UTC text


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def key_sql(column: str) -> str:
    """SQL giving a DATETIME column as a sort key that is cheap to read: on PostgreSQL its
    microseconds since 1970 as an integer (Django's timestamptz loader for psycopg is pure
    Python, about 20 µs a value), on SQLite the stored text. ``key_moment`` reads it back."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS bigint)"
    return column


def key_moment(value: Any) -> datetime | None:
    """The moment a ``key_sql`` column holds (exact: integer microseconds)."""
    if isinstance(value, int):
        return EPOCH + timedelta(microseconds=value)
    return aware(value)


def day_sql(column: str) -> str:
    """SQL giving a DATE column as ``YYYY-MM-DD`` text (NULL stays NULL)."""
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM-DD')"
    return column  # SQLite stores ISO text


def day(value: Any) -> str | None:
    found = date_value(value)
    return found.isoformat() if found is not None else None


def number(value: Any) -> float | None:
    return None if value is None else float(value)


def decimal_text(value: Any) -> str | None:
    return None if value is None else str(Decimal(str(value)))


def json_value(value: Any) -> Any:
    """A JSON column: PostgreSQL's driver may already have parsed it; SQLite gives text."""
    if value is None or isinstance(value, dict | list):
        return value
    return json.loads(value)


def _plain(value: Any) -> Any:
    # orjson writes float itself but not its subclasses (numpy's floats from the health engine).
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def respond(data: Any, status: int = 200) -> HttpResponse:
    """``data`` (plain dicts, lists, strings, numbers) as a JSON answer. orjson writes a page
    of fifty accounts in a tenth of the time the standard library takes (bench/api_load.py)."""
    return HttpResponse(orjson.dumps(data, default=_plain), status=status,
                        content_type="application/json; charset=utf-8")


def respond_text(body: str, status: int = 200) -> HttpResponse:
    """A JSON answer already written (by the database, or kept from an earlier request)."""
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one of the hot statements.

    On PostgreSQL two round trips are saved. The statement is prepared once per
    connection (psycopg's server-side prepared statements, which Django's own
    cursor does not use), so later requests skip planning, which cost more than
    executing these queries. And Django's per-request health check of a kept
    connection (a ``SELECT 1`` first) is done optimistically: the statement
    itself is the check, and if the connection turns out dead it is reopened and
    the statement, a read, is run again; the guarantee is the same.
    """
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy: looked up once
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    started = time.monotonic()
    unchecked = (db.connection is not None and db.health_check_enabled
                 and not db.health_check_done and not db.in_atomic_block)
    db.ensure_connection()
    try:
        rows = _prepared(db, sql, params)
    except (OperationalError, InterfaceError):
        if not unchecked:
            raise
        db.close()  # the kept connection had died (database restart, idle timeout)
        db.ensure_connection()
        rows = _prepared(db, sql, params)
    db.health_check_done = True
    if db.queries_logged:  # counted like any query (tests, debug toolbar)
        db.queries_log.append({"sql": sql % tuple(map(repr, params)),
                               "time": f"{time.monotonic() - started:.3f}"})
    return rows


Statement = tuple[str, list[Any]]
Rows = list[tuple[Any, ...]]


def fetch_together(statements: list[Statement]) -> list[Rows]:
    """Several of the hot statements in one round trip (PostgreSQL's pipeline mode), each
    prepared; their rows in order. Elsewhere, one after the other."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return [fetch(sql, params) for sql, params in statements]
    started = time.monotonic()
    unchecked = (db.connection is not None and db.health_check_enabled
                 and not db.health_check_done and not db.in_atomic_block)
    db.ensure_connection()
    try:
        results = _pipelined(db, statements)
    except (OperationalError, InterfaceError):
        if not unchecked:
            raise
        db.close()
        db.ensure_connection()
        results = _pipelined(db, statements)
    db.health_check_done = True
    if db.queries_logged:
        spent = f"{time.monotonic() - started:.3f}"
        for sql, params in statements:
            db.queries_log.append({"sql": sql % tuple(map(repr, params)), "time": spent})
    return results


def _pipelined(db: BaseDatabaseWrapper, statements: list[Statement]) -> list[Rows]:
    raw = db.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = EXPLICIT_ONLY
    with db.wrap_database_errors, raw.pipeline():
        cursors = [psycopg.Cursor(raw) for _ in statements]
        for cursor, (sql, params) in zip(cursors, statements, strict=True):
            cursor.execute(sql, params, prepare=True)
        results = [cursor.fetchall() for cursor in cursors]
    for cursor in cursors:
        cursor.close()
    return results


# Django opens connections with prepared statements off (prepare_threshold None, for
# connection poolers), and then psycopg ignores ``prepare=True``. These statements are
# prepared explicitly; a threshold nothing reaches keeps every other statement unprepared
# (Django's own cursors bind on the client and never prepare anyway).
EXPLICIT_ONLY = 2**31 - 1


def _prepared(db: BaseDatabaseWrapper, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    raw = db.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = EXPLICIT_ONLY
    # A server-binding cursor: Django's connections hand out client-binding ones, which
    # cannot use prepared statements.
    with db.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()
