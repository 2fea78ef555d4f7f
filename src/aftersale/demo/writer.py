"""Turning generated columns into rows, written through ``aftersale.core.bulk``.

The ORM's ``bulk_create`` builds a model instance per row and cannot keep up
with ten million rows, so the generator hands this writer plain columns and
the writer turns them into the exact values Django itself would store, then
writes them as multi-row INSERTs on SQLite and with ``COPY`` on PostgreSQL:

* ``DateTimeField`` columns are ``numpy.datetime64`` arrays (UTC, ``NaT`` for
  NULL) or lists of aware ``datetime``; they become ``YYYY-MM-DD HH:MM:SS``
  in UTC, which is what Django writes on SQLite and what PostgreSQL reads in
  the UTC session Django opens.
* ``DateField`` columns are ``datetime64[D]`` arrays or lists of ``date``.
* Every other column is passed through (numpy arrays via ``tolist()``).

A row's ``created_at`` is the day it happened in the story (``CREATED_FROM``:
an order's placing, a case's opening, a review's meeting), or the start of the
history for rows without such a date, never the day of the load: a scan as of
a past date then sees the portfolio as it stood that day.

Fields the generator does not mention get their model default, so a field
another app adds later (with a default, as its migration requires) does not
break the demo. Primary keys are allocated here, up front, so generated rows
can point at each other before anything is written.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import models

from aftersale.core.bulk import BulkLoad, BulkWriteError, copy_rows, insert_values

Column = Sequence[Any] | np.ndarray
ROWS_PER_STATEMENT = 50


# The field whose value is a row's creation time, by model label.
CREATED_FROM = {
    "accounts.Account": "customer_since",
    "service.Asset": "installed_at",
    "commerce.Order": "placed_at",
    "promises.Promise": "made_at",
    "service.ServiceCase": "opened_at",
    "service.WorkLog": "worked_on",
    "engagement.Touchpoint": "occurred_at",
    "engagement.Idea": "proposed_at",
    "engagement.InfoShare": "shared_at",
    "reviews.RelationshipReview": "held_at",
    "reviews.JointPlan": "period_start",
    "reviews.TrustRating": "rated_at",
    "purchasing.IncomingInspection": "received_on",
    "purchasing.PurchasingEffort": "period_start",
    "purchasing.Purchase": "ordered_on",
}


class DemoWriteError(BulkWriteError):
    """The generator produced something the database schema cannot take."""


def _datetime_strings(values: Column) -> list[str | None]:
    if isinstance(values, np.ndarray):
        arr = values.astype("datetime64[s]")
        nat = np.isnat(arr)
        if len(arr) == 0 or nat.all():
            return [None] * len(arr)
        text = np.datetime_as_string(arr, unit="s")
        # ISO 8601 puts a "T" between date and time; Django stores a space.
        # Patch that one character in place rather than formatting each row.
        codes = text.view(np.uint32).reshape(len(text), -1)
        codes[:, 10] = ord(" ")
        out: list[str | None] = text.tolist()
        for i in np.flatnonzero(nat).tolist():
            out[i] = None
        return out
    return [
        None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        for v in values
    ]


def _date_strings(values: Column) -> list[str | None]:
    if isinstance(values, np.ndarray):
        arr = values.astype("datetime64[D]")
        out: list[str | None] = np.datetime_as_string(arr, unit="D").tolist()
        for i in np.flatnonzero(np.isnat(arr)).tolist():
            out[i] = None
        return out
    return [None if v is None else v.isoformat() for v in values]


# Stand-ins for NULL on SQLite (see _stand_in_for_null).
_NO_TEXT = ""
_NO_NUMBER = -(2**63)
_DATE_KINDS = {"DateField", "DateTimeField"}
_INTEGER_KINDS = {
    "AutoField", "BigAutoField", "BigIntegerField", "ForeignKey", "IntegerField", "OneToOneField",
    "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
}


def _stand_in_for_null(model_field: models.Field, values: Sequence[Any]) -> tuple[Sequence[Any], str]:
    """Replace the NULLs of a date or integer column by a value it cannot hold,
    turned back into NULL by the statement (``NULLIF(?, stand-in)``).

    The sqlite3 module binds an int or a str directly, but looks for an
    adapter for every ``None`` first, which costs more than the rest of the
    row; the stand-in is compared in SQLite's C code instead. A column that
    holds the stand-in as a real value keeps binding ``None``.
    """
    kind = model_field.get_internal_type()
    if kind in _DATE_KINDS:
        stand_in: Any = _NO_TEXT
    elif kind in _INTEGER_KINDS:
        stand_in = _NO_NUMBER
    else:
        return values, "?"
    if None not in values or stand_in in values:
        return values, "?"
    replaced = [stand_in if v is None else v for v in values]
    return replaced, f"NULLIF(?, {_literal(stand_in)})"


class _Missing:
    """Stands for a required field without a default; writing it is an error."""

    def __init__(self, message: str) -> None:
        self.message = message


@dataclass
class Batch:
    """Rows of one model converted to database values, ready to write."""

    model: type[models.Model]
    names: list[str] = field(default_factory=list)
    data: list[Sequence[Any]] = field(default_factory=list)
    constants: dict[str, Any] = field(default_factory=dict)
    length: int = -1
    # SQLite: the values of each multi-row statement (``per`` rows each) and
    # of the last, shorter one; made on the generating side.
    per: int = 1
    statements: list[list[Any]] = field(default_factory=list)
    rest: list[Any] = field(default_factory=list)
    # SQLite: the placeholder of each column in ``names`` ("?" if not given).
    holders: list[str] = field(default_factory=list)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | bytes) or not hasattr(value, "__len__")


def _literal(value: Any) -> str:
    """An SQL literal for SQLite; only ever given our own constants and model defaults."""
    if isinstance(value, _Missing):
        raise DemoWriteError(value.message)
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise DemoWriteError(f"cannot write {value!r} as a constant")


def insert_sqlite(raw: Any, batch: Batch, qn: Callable[[str], str]) -> None:
    """Write a prepared batch through a plain ``sqlite3`` connection ``raw``."""
    # Values that are the same in every row go into the statement as
    # literals: binding them a million times costs more than the rest.
    holders = batch.holders or ["?"] * len(batch.names)
    marks = ", ".join(holders + [_literal(v) for v in batch.constants.values()])
    insert_values(
        raw, qn(batch.model._meta.db_table), [qn(n) for n in batch.names + list(batch.constants)],
        f"({marks})", len(batch.names), batch.per, batch.statements, batch.rest,
    )


class BulkWriter(BulkLoad):
    """Inserts column-wise rows for a model on the default connection.

    Use inside ``transaction.atomic()``; the writer never commits. What a
    load needs around the rows (locks, indexes set aside, key checks,
    statistics) comes from ``BulkLoad``.
    """

    def __init__(self, stamp: datetime, origin: datetime | None = None) -> None:
        """``stamp``: the rows' update time (the demo day); ``origin``: the creation
        time of rows without a date of their own (the start of the history)."""
        super().__init__()
        self.stamp = stamp
        self.origin = _datetime_strings([origin or stamp])[0]
        self.rows: Counter[str] = Counter()
        self._next_id: dict[type[models.Model], int] = {}
        self._defaults: dict[type[models.Model], dict[str, Any]] = {}

    # -- primary keys ---------------------------------------------------------
    def allocate(self, model: type[models.Model], count: int) -> int:
        """Reserve ``count`` consecutive primary keys for ``model``; returns the first."""
        if model not in self._next_id:
            qn = self.connection.ops.quote_name
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT MAX({qn(model._meta.pk.column)}) FROM {qn(model._meta.db_table)}"  # noqa: S608
                )
                (highest,) = cursor.fetchone()
            self._next_id[model] = (highest or 0) + 1
        first = self._next_id[model]
        self._next_id[model] += count
        return first

    def prime(self, model_list: Iterable[type[models.Model]]) -> None:
        """Look up each model's first free key and its defaults now, so that
        ``allocate`` and ``prepare`` need no database afterwards (a generator
        thread may then call them while this thread writes)."""
        for model in model_list:
            self.allocate(model, 0)
            self._defaults_of(model)

    # -- inserting ------------------------------------------------------------
    def insert(
        self, model: type[models.Model], columns: Mapping[str, Any], optional: Iterable[str] = ()
    ) -> int:
        """Write one row per position of the equally long ``columns`` (keyed by attname).

        A column given as a single value (not a sequence) is the same in every
        row. Names in ``optional`` are skipped when the model has no such
        field, so the generator can fill a field that a newer schema adds.
        """
        batch = self.prepare(model, columns, optional)
        if batch is None:
            return 0
        self.write(batch)
        return batch.length

    def prepare(
        self, model: type[models.Model], columns: Mapping[str, Any], optional: Iterable[str] = ()
    ) -> Batch | None:
        """Convert ``columns`` into database values, without touching the database."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        optional = set(optional)
        batch = Batch(model=model)
        source = CREATED_FROM.get(model._meta.label)
        if "created_at" in fields and "created_at" not in columns:
            columns = {**columns, "created_at": self.origin}
            if source in columns and not _is_scalar(columns[source]):
                columns["created_at"] = self._created(fields[source], columns[source])
        for name, values in columns.items():
            model_field = fields.get(name)
            if model_field is None:
                if name in optional:
                    continue
                raise DemoWriteError(f"{model.__name__} has no field {name!r}")
            if _is_scalar(values):
                batch.constants[model_field.column] = self._scalar(values)
                continue
            if batch.length < 0:
                batch.length = len(values)
            elif len(values) != batch.length:
                raise DemoWriteError(
                    f"{model.__name__}.{name}: {len(values)} values, expected {batch.length}"
                )
            batch.names.append(model_field.column)
            converted = self._convert(model_field, values)
            if self.vendor == "sqlite":
                converted, holder = _stand_in_for_null(model_field, converted)
                batch.holders.append(holder)
            batch.data.append(converted)
        if batch.length <= 0:
            return None
        for attname, value in self._defaults_of(model).items():
            if attname not in columns:
                if isinstance(value, _Missing):
                    raise DemoWriteError(value.message)
                batch.constants[fields[attname].column] = value
        if self.vendor != "postgresql":
            flat = list(itertools.chain.from_iterable(zip(*batch.data, strict=True)))
            width = len(batch.names)
            # Fifty rows per statement: the sqlite3 module's per-statement
            # overhead costs more than SQLite's own work on a narrow row.
            batch.per = ROWS_PER_STATEMENT if width * ROWS_PER_STATEMENT <= 32766 else 1
            step = batch.per * width
            full = batch.length // batch.per * step
            batch.statements = [flat[i : i + step] for i in range(0, full, step)]
            batch.rest = flat[full:]
            batch.data = []
        return batch

    def write(self, batch: Batch) -> None:
        if self.vendor == "postgresql":
            data = batch.data + [itertools.repeat(v) for v in batch.constants.values()]
            copy_rows(
                self.connection, batch.model._meta.db_table, batch.names + list(batch.constants),
                zip(*data, strict=False),
            )
        else:
            self.connection.ensure_connection()
            insert_sqlite(self.connection.connection, batch, self.connection.ops.quote_name)
        self.rows[batch.model._meta.label] += batch.length
        self.wrote(batch.model)

    def _created(self, source: models.Field, values: Column) -> list[str]:
        """Creation times from a date or moment column (a date: its start, in UTC)."""
        if source.get_internal_type() == "DateField":
            return [self.origin if v is None else f"{v} 00:00:00" for v in _date_strings(values)]
        return [self.origin if v is None else v for v in _datetime_strings(values)]

    def _convert(self, model_field: models.Field, values: Column) -> Sequence[Any]:
        kind = model_field.get_internal_type()
        if kind == "DateTimeField":
            if isinstance(values, list) and values and isinstance(values[0], str):
                return values  # already database strings (``_created``)
            return _datetime_strings(values)
        if kind == "DateField":
            return _date_strings(values)
        if isinstance(values, np.ndarray):
            if values.dtype == np.bool_ and self.vendor == "sqlite":
                # SQLite stores a boolean as 0 or 1 anyway; the sqlite3 module
                # binds a plain int directly but runs its adapter lookup for a bool.
                return values.astype(np.int64).tolist()
            return values.tolist()
        return values

    @staticmethod
    def _scalar(value: Any) -> Any:
        if isinstance(value, datetime):
            return _datetime_strings([value])[0]
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, np.generic):
            return value.item()
        return value

    def _defaults_of(self, model: type[models.Model]) -> dict[str, Any]:
        """Database values for the fields the generator leaves out."""
        if model not in self._defaults:
            self._defaults[model] = {
                f.attname: self._default(model, f)
                for f in model._meta.concrete_fields
                if not f.primary_key
            }
        return self._defaults[model]

    def _default(self, model: type[models.Model], model_field: models.Field) -> Any:
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            value: Any = self.stamp
        elif model_field.has_default() or model_field.null or model_field.empty_strings_allowed:
            value = model_field.get_default()
        else:
            return _Missing(
                f"{model.__name__}.{model_field.name} has no default and the demo does not fill it"
            )
        if isinstance(value, datetime):
            return _datetime_strings([value])[0]
        if isinstance(value, date):
            return value.isoformat()
        return model_field.get_db_prep_save(value, self.connection)


class BatchRecorder:
    """Stands in for the writer in a generator thread: keeps batches instead of writing.

    The batches of the models in ``skip`` are not even prepared: another
    process writes those (see ``aftersale.demo.helper``); their row count is
    still returned, as ``insert`` does.
    """

    def __init__(self, writer: BulkWriter, skip: Iterable[type[models.Model]] = ()) -> None:
        self.writer = writer
        self.skip = frozenset(skip)
        self.batches: list[Batch] = []

    def allocate(self, model: type[models.Model], count: int) -> int:
        return self.writer.allocate(model, count)

    def insert(
        self, model: type[models.Model], columns: Mapping[str, Any], optional: Iterable[str] = ()
    ) -> int:
        if model in self.skip:
            return next((len(v) for v in columns.values() if not _is_scalar(v)), 0)
        batch = self.writer.prepare(model, columns, optional)
        if batch is None:
            return 0
        self.batches.append(batch)
        return batch.length

    def take(self) -> list[Batch]:
        taken, self.batches = self.batches, []
        return taken
