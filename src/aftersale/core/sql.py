"""Small SQL building blocks shared by the signals: account scope, ages in days, binding.

Every signal is one aggregate query. They are written in SQL rather than
built with the ORM because the same query runs for one account (a page
refresh, where compiling a rich queryset costs more than running it) and for
the whole portfolio (where converting every returned datetime costs more than
the aggregate): ages come back as plain numbers of days. SQLite is built with
its native math functions here, so ``exp`` runs in C on both databases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any

from django.db import connection

from aftersale.core.asof import DAY_ZERO, utc_offsets, zone

Scope = Sequence[int] | None
"""Which accounts to evaluate: ``None`` for all, a ``range`` for an id range, or a list of ids."""

_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


def scope_sql(column: str, scope: Scope) -> str:
    """`` AND column ...`` restricting an account id column to ``scope``.

    Ids are inlined as integers (``int()`` makes that safe): a long IN list of
    parameters would only slow the statement down.
    """
    if scope is None:
        return ""
    if isinstance(scope, range) and scope.step == 1:
        return f" AND {column} BETWEEN {int(scope.start)} AND {int(scope.stop) - 1}"
    ids = sorted({int(i) for i in scope})
    if not ids:
        return " AND 1 = 0"
    return f" AND {column} IN ({', '.join(map(str, ids))})"


def age_days_sql(column: str, *, is_datetime: bool, at: str = ":as_of",
                 at_is_datetime: bool | None = None) -> str:
    """Whole calendar days from ``column``'s day to the day of ``at`` (positive for the past).

    Days are those of the installation's time zone (``day_number_sql``): an event of
    yesterday is one day old at any hour today. ``at`` names the as-of moment (``:as_of``)
    for a date-time column and the as-of day (``:day``) for a date column, unless
    ``at_is_datetime`` says otherwise.
    """
    at_moment = is_datetime if at_is_datetime is None else at_is_datetime
    days = f"{day_number_sql(at, is_datetime=at_moment)} - {day_number_sql(column, is_datetime=is_datetime)}"
    # Double precision, not numeric (PostgreSQL's AVG of integers): cheap in aggregates.
    return f"CAST({days} AS DOUBLE PRECISION)"


def decay_sql(column: str, rate: float, *, is_datetime: bool, at: str = ":as_of") -> str:
    """The weight of evidence dated ``column``: 1 at ``at``, halving every half-life."""
    return f"exp({float_sql(-rate)} * {age_days_sql(column, is_datetime=is_datetime, at=at)})"


def float_sql(value: float) -> str:
    """A float literal typed as double precision (a bare decimal literal is numeric on PostgreSQL)."""
    return f"CAST({float(value)!r} AS DOUBLE PRECISION)"


def adapt(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def bind(sql: str, **values: Any) -> tuple[str, list[Any]]:
    """Turn ``:name`` placeholders into driver placeholders with their values, in order."""
    statement, names = _placeholders(sql)
    adapted = {name: adapt(value) for name, value in values.items()}
    return statement, [adapted[name] for name in names]


@lru_cache(maxsize=512)
def _placeholders(sql: str) -> tuple[str, tuple[str, ...]]:
    # The same statements come back on every page view and refresh: parsed once each.
    names: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return "%s"

    return _NAMED.sub(placeholder, sql), tuple(names)


Rows = list[tuple[Any, ...]]


def run(sql: str, **values: Any) -> Rows:
    statement, params = bind(sql, **values)
    batch = _batch.get()
    if batch is not None:
        rows = batch.take(statement, params)
        if rows is not None:
            return rows
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def run_many(*statements: tuple[str, Mapping[str, Any]]) -> list[Rows]:
    """Each ``(sql, values)``'s rows, as ``run`` gives them; on PostgreSQL all sent in one
    round trip (a one-account page would otherwise wait on the network once per signal)."""
    return execute_all([bind(sql, **values) for sql, values in statements])


def execute_all(bound: Sequence[tuple[str, Sequence[Any]]]) -> list[Rows]:
    """Each ``(statement, driver parameters)``'s rows; on PostgreSQL in one round trip."""
    if (connection.vendor != "postgresql" or len(bound) < 2
            or connection.settings_dict["OPTIONS"].get("server_side_binding")):
        results = []
        with connection.cursor() as cursor:
            for statement, params in bound:
                cursor.execute(statement, params)
                results.append(cursor.fetchall())
        return results
    # Django's psycopg cursor binds parameters on the client (unless server_side_binding is
    # set, which allows one statement per execute), so several statements can go in one
    # execute; each one's rows follow with nextset(). The newline before each ";"
    # ends a statement that closes with a "--" comment.
    with connection.cursor() as cursor:
        cursor.execute("\n;\n".join(s for s, _p in bound), [p for _s, params in bound for p in params])
        results = [cursor.fetchall()]
        while cursor.nextset():
            results.append(cursor.fetchall())
    if len(results) != len(bound):
        raise RuntimeError(f"{len(bound)} statements sent together returned {len(results)} results")
    return results


class _Pending(BaseException):  # noqa: N818 - not an error: a batch learning a statement
    """Raised by ``run`` while ``batched`` collects each call's first statement.

    A BaseException so that no ``except Exception`` on the way swallows it."""


@dataclass
class _Batch:
    collecting: bool = True
    pending: list[tuple[str, list[Any]]] = field(default_factory=list)
    rows: dict[tuple[str, str], list[Rows]] = field(default_factory=dict)

    def take(self, statement: str, params: list[Any]) -> Rows | None:
        key = (statement, repr(params))
        if key in self.rows:
            found = self.rows[key]
            rows = found.pop(0)
            if not found:
                del self.rows[key]
            return rows
        if self.collecting:
            self.pending.append((statement, params))
            raise _Pending
        return None

    def fetch(self) -> None:
        for (statement, params), rows in zip(self.pending, execute_all(self.pending), strict=True):
            self.rows.setdefault((statement, repr(params)), []).append(rows)
        self.pending = []
        self.collecting = False


_batch: ContextVar[_Batch | None] = ContextVar("aftersale_sql_batch", default=None)


def batched(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Each call's result, the first statement each one runs through ``run`` sent to the
    database together (one round trip on PostgreSQL) instead of one after the other.

    Every call is made at most twice: once until its first ``run``, which records the
    statement and stops the call, then again once all recorded statements have been
    executed, when that ``run`` returns its rows and any later ``run`` executes as
    usual. So the calls must only read, and do little before their first statement
    (the signals: build one SQL statement, then turn its rows into values). The
    results are the same as calling them one by one.
    """
    if len(calls) < 2 or _batch.get() is not None:
        return [call() for call in calls]
    batch = _Batch()
    token = _batch.set(batch)
    try:
        results: dict[int, Any] = {}
        waiting = []
        for i, call in enumerate(calls):
            try:
                results[i] = call()
            except _Pending:
                waiting.append(i)
        batch.fetch()
        for i in waiting:
            results[i] = calls[i]()
    finally:
        _batch.reset(token)
    return [results[i] for i in range(len(calls))]


@cache
def table(model: type) -> str:
    # Both databases quote names alike; the signals ask for the same few tables on every call.
    return connection.ops.quote_name(model._meta.db_table)


def date_value(value: Any) -> date | None:
    """A DATE column's value: SQLite returns text, PostgreSQL a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def true() -> str:
    """A boolean literal both databases accept in comparisons with boolean columns."""
    return "TRUE" if connection.vendor == "postgresql" else "1"


def false() -> str:
    """The false literal matching ``true()``."""
    return "FALSE" if connection.vendor == "postgresql" else "0"


def day_number_sql(expression: str, *, is_datetime: bool = False) -> str:
    """The calendar day of ``expression`` as a whole number of days since ``asof.DAY_ZERO``
    (what ``asof.day_number`` computes in Python): a date as it is, a date-time as its day in
    the installation's time zone, never the UTC day. Subtracting two gives whole days."""
    if connection.vendor == "postgresql":
        if is_datetime:
            return f"((({expression})::timestamptz AT TIME ZONE {_zone_literal()})::date - DATE '{DAY_ZERO}')"
        return f"(({expression})::date - DATE '{DAY_ZERO}')"
    # julianday of a plain date is exact (a whole day and a half), so the difference is too.
    # The fraction of a second is cut off first: SQLite rounds it to milliseconds, which
    # would carry the last moment of a day (23:59:59.999999) into the next one.
    day = (f"date(substr({expression}, 1, 19), {_sqlite_shift(expression)})" if is_datetime
           else f"date({expression})")
    return f"CAST(julianday({day}) - {_JULIAN_DAY_ZERO} AS INTEGER)"


# julianday('2000-01-01'): SQLite's day numbers start at noon, so a date is a whole day and a half.
_JULIAN_DAY_ZERO = 2451544.5


def _zone_literal() -> str:
    name = zone().key
    if not _ZONE_NAME.fullmatch(name):
        raise ValueError(f"time zone name {name!r} cannot be written into a statement")
    return f"'{name}'"


_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")


def _sqlite_shift(expression: str) -> str:
    """The modifier that turns ``expression`` (UTC text, as Django stores date-times on SQLite)
    into local wall time: the zone's offset then, picked by comparing the text with the UTC
    moments the offset changes at (a tree of comparisons, as deep as log2 of the changes)."""
    offsets = utc_offsets()

    def tree(first: int, last: int) -> str:
        if first == last:
            return f"'{offsets[first][1]:+d} seconds'"
        middle = (first + last + 1) // 2
        starts = offsets[middle][0].strftime("%Y-%m-%d %H:%M:%S")
        earlier, later = tree(first, middle - 1), tree(middle, last)
        return f"CASE WHEN {expression} < '{starts}' THEN {earlier} ELSE {later} END"

    last = len(offsets) - 1
    if last == 0:
        return tree(0, 0)
    # Most events are recent: the latest offset is tried first.
    latest = offsets[last][0].strftime("%Y-%m-%d %H:%M:%S")
    return f"CASE WHEN {expression} >= '{latest}' THEN {tree(last, last)} ELSE {tree(0, last - 1)} END"
