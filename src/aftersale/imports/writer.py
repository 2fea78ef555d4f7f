"""Batched INSERT and UPDATE statements for one model, without building model instances.

``bulk_create`` spends most of its time constructing and preparing model
instances, several times what ``executemany`` of records built here costs
(docs/import-export.md). Values go through the database backend's own
adapters, so what is stored is exactly what the ORM would have stored. What a
bulk load needs around the rows (SQLite settings, indexes set aside,
statistics) is ``aftersale.core.bulk``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

Adapter = Callable[[Any], Any] | None


def key_in(queryset: QuerySet, field_name: str, keys: Sequence[Any]) -> QuerySet:
    """``queryset.filter(<field>__in=keys)`` without the ORM's per-value preparation.

    Keys are plain strings (external_id, e-mail), so they need none, and for
    a chunk's keys the ORM's preparation cost more than the query itself.
    """
    if not keys:
        return queryset.none()
    model = queryset.model
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field_name).column)}"
    marks = ", ".join(["%s"] * len(keys))
    # Only quoted names and placeholders go into the SQL; the keys are parameters.
    condition = RawSQL(f"{column} IN ({marks})", list(keys), output_field=BooleanField())  # noqa: S611
    return queryset.filter(condition)


def _stored_utc_datetime(value: str | None) -> datetime | None:
    # SQLite's date-times are naive UTC text (see SqliteDatetimes), read as aware UTC.
    return None if value is None else datetime.fromisoformat(value + "+00:00")


class StoredValues:
    """``values("pk", *names)`` of many rows, converted as the ORM converts them, faster.

    A re-import reads every stored row of the file to compare it with the
    file's row, a chunk a query. Read through ``values()``, most of the time
    went into sorting them by the model's default ordering (not needed here)
    and into parsing SQLite's date-time text with a regular expression
    (``parse_datetime``). Here the rows are not sorted, SQLite's
    date-time columns are selected as plain text (``+column`` has no declared
    type, so no converter runs) and parsed by ``datetime.fromisoformat``, and
    every other column goes through the ORM's own converters, looked up once.
    """

    def __init__(self, model: type[models.Model], names: Sequence[str]):
        self.names = ["pk", *names]
        self.select: list[str] = []
        self.texts: dict[str, RawSQL] = {}
        self.converters: list[tuple[int, Callable[[Any], Any]]] = []
        fields = [model._meta.pk, *(model._meta.get_field(name) for name in names)]
        table = connection.ops.quote_name(model._meta.db_table)
        for index, (name, field) in enumerate(zip(self.names, fields, strict=True)):
            column = field.get_col(model._meta.db_table)
            functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if _stores_utc_text(field) and len(functions) == 1:
                alias = f"stored_text_{index}"
                sql = f"+{table}.{connection.ops.quote_name(field.column)}"
                self.texts[alias] = RawSQL(sql, [], output_field=models.TextField())  # noqa: S611
                self.select.append(alias)
                self.converters.append((index, _stored_utc_datetime))
                continue
            self.select.append(name)
            if functions:
                self.converters.append((index, partial(_convert, functions, column)))

    def read(self, queryset: QuerySet) -> list[dict[str, Any]]:
        queryset = queryset.order_by().annotate(**self.texts).values_list(*self.select)
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        names, converters = self.names, self.converters
        result = []
        for row in rows:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            result.append(dict(zip(names, values, strict=True)))
        return result


def _stores_utc_text(field: models.Field) -> bool:
    return (
        field.get_internal_type() == "DateTimeField" and connection.vendor == "sqlite"
        and settings.USE_TZ and connection.timezone == UTC
    )


def _convert(functions: list[Callable[..., Any]], column: Any, value: Any) -> Any:
    for function in functions:
        value = function(value, column, connection)
    return value


# ":MM:SS" for every minute and second of an hour.
_MINUTES_SECONDS = [f":{m:02d}:{sec:02d}" for m in range(60) for sec in range(60)]


class SqliteDatetimes:
    """What SQLite's ``adapt_datetimefield_value`` stores (naive UTC text), faster.

    This runs once per imported date-time, and converting to UTC, dropping the
    zone and formatting took a noticeable share of a large import
    (docs/benchmarks.md). The same text is built from the UTC wall time, with
    the date and hour formatted once per hour met (rows of one file cluster in
    time), and the minutes and seconds from a table.
    """

    HOURS_KEPT = 100_000

    def __init__(self) -> None:
        self.hours: dict[tuple[int, int, int, int], str] = {}

    def __call__(self, value: datetime) -> str:
        offset = value.utcoffset()
        if offset is None:  # naive: what the backend itself would do with it
            return str(value.astimezone(UTC).replace(tzinfo=None))
        # Subtracting the offset gives the UTC wall time (the zone stays attached, unused).
        moment = value - offset
        hour = (moment.year, moment.month, moment.day, moment.hour)
        prefix = self.hours.get(hour)
        if prefix is None:
            if len(self.hours) >= self.HOURS_KEPT:
                self.hours.clear()
            year, month, day, hours = hour
            prefix = self.hours[hour] = f"{year:04d}-{month:02d}-{day:02d} {hours:02d}"
        text = prefix + _MINUTES_SECONDS[moment.minute * 60 + moment.second]
        micro = moment.microsecond
        return f"{text}.{micro:06d}" if micro else text


def _adapter(field: models.Field) -> Adapter:
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone == UTC:
            return SqliteDatetimes()
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        if type(ops).adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value:
            return None  # the backend takes Decimal as it is (SQLite, PostgreSQL)
        return partial(
            ops.adapt_decimalfield_value,
            max_digits=field.max_digits, decimal_places=field.decimal_places,
        )
    if kind in {"CharField", "TextField", "EmailField", "BooleanField", "ForeignKey",
                "BigAutoField", "AutoField", "IntegerField", "BigIntegerField",
                "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField"}:
        return None
    return partial(_prep, field)


def _prep(field: models.Field, value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


class Writer:
    """Inserts and updates rows of ``model`` given as ``{attname: python value}``."""

    def __init__(self, model: type[models.Model], now: datetime):
        self.model = model
        self.now = now
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.by_attname = {f.attname: f for f in self.fields}
        self.adapters = {f.attname: _adapter(f) for f in self.fields}
        # Every column the insert writes, with the stored form of its default.
        self.defaults = {f.attname: self._adapt(f.attname, self._default(f)) for f in self.fields}
        self.has_updated_at = "updated_at" in self.by_attname
        self.staged = False
        self.staging = connection.ops.quote_name(f"aftersale_import_{model._meta.db_table}")

    def python_defaults(self) -> dict[str, Any]:
        """What a new row holds in fields its file leaves out (for checks before writing)."""
        return {f.attname: self._default(f) for f in self.fields}

    def _default(self, field: models.Field) -> Any:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.now
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if field.empty_strings_allowed:
            return ""
        return None

    def _adapt(self, attname: str, value: Any) -> Any:
        adapt = self.adapters[attname]
        if adapt is None or value is None:
            return value
        return adapt(value)

    def insert(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        # Rows of one chunk fill the same fields. The statement lists those
        # columns first and the defaulted ones after. The records are built a
        # column at a time (C-level ``map`` and ``zip``, the adapters mapped over
        # a whole column), not a row at a time: a Python loop per row and cell
        # cost about as much as binding the values (docs/benchmarks.md).
        given = [f for f in self.fields if f.attname in rows[0]]
        rest = [f for f in self.fields if f.attname not in rows[0]]
        width = len(given)
        if any(len(values) != width for values in rows):
            raise ValueError("fields differ between rows of one chunk")
        columns: list[Any] = []
        for f in given:
            column = list(map(itemgetter(f.attname), rows))
            adapter = self.adapters[f.attname]
            if adapter is not None:
                if None in column:
                    column = [None if value is None else adapter(value) for value in column]
                else:
                    column = list(map(adapter, column))
            columns.append(column)
        tail = [self.defaults[f.attname] for f in rest]
        if not self.staged:
            # Staged, the defaults are given once with the statement, not with every row.
            columns += [repeat(default, len(rows)) for default in tail]
        params = list(zip(*columns, strict=True))
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in given + rest)
        marks = ", ".join(["%s"] * len(self.fields))
        with connection.cursor() as cursor:
            if self.staged:
                self._insert_staged(cursor, names, width, tail, params)
                return
            sql = f"INSERT INTO {self.table} ({names}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, params)

    def stage_inserts(self) -> None:
        """Insert the rows of each chunk through a staging table, in one statement (SQLite).

        ``executemany`` holds the GIL between rows, so the reading thread and
        SQLite's B-tree work take turns. Staged, the chunk goes first into a
        temporary table without indexes or constraints (cheap), then into the
        real table with one ``INSERT ... SELECT``: a single step of SQLite that
        does all the index, constraint and B-tree work of the chunk with the
        GIL released, while the reading thread parses the next chunk on the
        other core. The staging table's columns have no type, so values reach
        the real table exactly as bound and get its column affinities there,
        as with a direct insert. It lives in the import's transaction.
        """
        with connection.cursor() as cursor:
            columns = ", ".join(f"c{i}" for i in range(len(self.fields)))
            cursor.execute(f"CREATE TEMP TABLE {self.staging} ({columns})")
        self.staged = True

    def _insert_staged(
        self, cursor: Any, columns: str, width: int, tail: list[Any], params: list[tuple[Any, ...]],
    ) -> None:
        staged = [f"c{i}" for i in range(width)]
        cursor.execute(f"DELETE FROM {self.staging}")  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {self.staging} ({', '.join(staged)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * width)})",
            params,
        )
        selected = ", ".join(staged + ["%s"] * len(tail))
        cursor.execute(
            f"INSERT INTO {self.table} ({columns}) "  # noqa: S608
            f"SELECT {selected} FROM {self.staging} ORDER BY rowid",
            tail,
        )

    def unstage(self) -> None:
        if self.staged:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {self.staging}")
            self.staged = False

    def update(self, rows: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Set the given fields of each ``(pk, values)``; rows with the same fields share a statement."""
        groups: dict[tuple[str, ...], list[list[Any]]] = {}
        for pk, values in rows:
            names = tuple(sorted(values))
            record = [self._adapt(name, values[name]) for name in names]
            if self.has_updated_at:
                record.append(self.defaults["updated_at"])
            record.append(pk)
            groups.setdefault(names, []).append(record)
        quote = connection.ops.quote_name
        for names, params in groups.items():
            columns = [self.by_attname[name].column for name in names]
            if self.has_updated_at:
                columns.append("updated_at")
            assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
            pk_column = quote(self.model._meta.pk.column)
            sql = f"UPDATE {self.table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
