"""Small SQL building blocks shared by the signals: account scope, age in days, decay.

Every signal is one aggregate query; these keep the per-database differences
(date arithmetic) in one place. SQLite is built with its native math
functions here, so ``exp`` runs in C on both databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import DateField, DateTimeField, Expression, F, FloatField, Func, Q, Value
from django.db.models.functions import Exp

Scope = Sequence[int] | None
"""Which accounts to evaluate: ``None`` for all, a ``range`` for an id range, or a list of ids."""


def scope_q(field: str, scope: Scope) -> Q:
    """The ORM filter restricting ``field`` (an account id) to ``scope``."""
    if scope is None:
        return Q()
    if isinstance(scope, range) and scope.step == 1:
        return Q(**{f"{field}__gte": scope.start, f"{field}__lte": scope.stop - 1})
    return Q(**{f"{field}__in": list(scope)})


def scope_sql(column: str, scope: Scope) -> tuple[str, list[Any]]:
    """The same restriction for raw SQL: ``("AND col BETWEEN %s AND %s", [lo, hi])``."""
    if scope is None:
        return "", []
    if isinstance(scope, range) and scope.step == 1:
        return f" AND {column} BETWEEN %s AND %s", [scope.start, scope.stop - 1]
    ids = list(scope)
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", ids


class AgeDays(Func):
    """Days from a date or datetime column to ``as_of`` (positive for the past), as a float."""

    output_field = FloatField()

    def __init__(self, expression: str | Expression, as_of: datetime | date) -> None:
        self.is_datetime = isinstance(as_of, datetime)
        target = DateTimeField() if self.is_datetime else DateField()
        column = F(expression) if isinstance(expression, str) else expression
        super().__init__(Value(as_of, output_field=target), column)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(", **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"
            if self.is_datetime
            else "((%(expressions)s)::double precision)"
        )
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra_context)


def decay(expression: str | Expression, as_of: datetime | date, rate: float) -> Expression:
    """The weight of evidence dated ``expression``: 1 today, halving every half-life."""
    return Exp(Value(-rate, output_field=FloatField()) * AgeDays(expression, as_of))


def age_days_sql(column: str, *, is_datetime: bool) -> str:
    """Raw-SQL twin of ``AgeDays``; takes ``as_of`` as its one parameter."""
    if connection.vendor == "postgresql":
        if is_datetime:
            return f"(EXTRACT(EPOCH FROM (%s::timestamptz - {column})) / 86400.0)"
        return f"((%s::date - {column})::double precision)"
    return f"(julianday(%s) - julianday({column}))"


def db_datetime(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def day_number_sql(expression: str, *, is_datetime: bool = False) -> str:
    """A date as a number of days (for arithmetic that must work on both databases)."""
    if connection.vendor == "postgresql":
        inner = f"({expression})::date" if is_datetime else f"({expression})"
        return f"({inner} - DATE '2000-01-01')"
    return f"julianday(date({expression}))" if is_datetime else f"julianday({expression})"


def run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)
