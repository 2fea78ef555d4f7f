"""Small SQL building blocks shared by the signals: account scope, ages in days, binding.

Every signal is one aggregate query. They are written in SQL rather than
built with the ORM because the same query runs for one account (a page
refresh, where compiling a rich queryset costs more than running it) and for
100,000 (where converting every returned datetime costs more than the
aggregate): ages come back as plain numbers of days. SQLite is built with
its native math functions here, so ``exp`` runs in C on both databases.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection

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


def age_days_sql(column: str, *, is_datetime: bool, at: str = ":as_of") -> str:
    """Days from ``column`` to the moment bound to ``at`` (positive for the past)."""
    if connection.vendor == "postgresql":
        # date_part, not EXTRACT: EXTRACT returns numeric, and arbitrary-precision
        # arithmetic in an aggregate over millions of rows is many times slower.
        if is_datetime:
            return f"(date_part('epoch', {at}::timestamptz - {column}) / 86400.0)"
        return f"(({at}::date - {column})::double precision)"
    return f"(julianday({at}) - julianday({column}))"


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
    params: list[Any] = []

    def placeholder(match: re.Match[str]) -> str:
        params.append(adapt(values[match.group(1)]))
        return "%s"

    return _NAMED.sub(placeholder, sql), params


def run(sql: str, **values: Any) -> list[tuple[Any, ...]]:
    statement, params = bind(sql, **values)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def as_date(value: Any) -> date | None:
    """A DATE column's value: SQLite returns text, PostgreSQL a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def true() -> str:
    """A boolean literal both databases accept in comparisons with boolean columns."""
    return "TRUE" if connection.vendor == "postgresql" else "1"


def day_number_sql(expression: str, *, is_datetime: bool = False) -> str:
    """A date as a number of days, for date arithmetic that works on both databases."""
    if connection.vendor == "postgresql":
        inner = f"({expression})::date" if is_datetime else f"({expression})"
        return f"({inner} - DATE '2000-01-01')"
    return f"julianday(date({expression}))" if is_datetime else f"julianday({expression})"
