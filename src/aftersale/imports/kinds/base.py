"""How a kind of CSV file maps onto a model: its columns, references and rules.

A ``Kind`` is declarative where it can be (the columns, which model field each
fills, which other rows a column refers to) and has small hooks for the rules
that need code: constraints between columns, fields derived from others, and
related rows such as a touchpoint's participant or a promise's history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.functional import Promise as LazyText

from aftersale.imports.parsing import Parser
from aftersale.imports.writer import key_in


@dataclass(frozen=True)
class Column:
    """One column of a kind's file.

    ``field`` is the model attribute the cell fills ('' when the kind handles
    the cell itself). ``ref`` names a ``Resolver``: the cell holds another row's
    key and the field receives that row's primary key. ``export`` is the
    ``values_list`` path read when writing the column (defaults to ``field``).
    """

    name: str
    parse: Parser
    field: str = ""
    required: bool = True
    empty_ok: bool | None = None
    ref: str = ""
    export: str = ""

    @property
    def may_be_empty(self) -> bool:
        """Required columns need a value unless the model itself allows none."""
        return (not self.required) if self.empty_ok is None else self.empty_ok

    @property
    def export_path(self) -> str:
        return self.export or self.field


@dataclass
class Resolver:
    """Turns keys found in a file (external_id, e-mail) into rows of another model.

    Found rows are remembered for the whole file, so a chunk only queries the
    keys it has not seen yet: one query per chunk at most.
    """

    queryset: Callable[[], QuerySet]
    key: str
    extra: tuple[str, ...] = ()
    missing: LazyText | str = ""
    cache: dict[str, tuple] = field(default_factory=dict)

    def load(self, keys: Iterable[str]) -> None:
        wanted = {k for k in keys if k not in self.cache}
        if not wanted:
            return
        rows = key_in(self.queryset(), self.key, sorted(wanted))
        for row in rows.values_list(self.key, "pk", *self.extra):
            self.cache[row[0]] = row[1:]

    def get(self, key: str) -> tuple | None:
        return self.cache.get(key)


# Shared empty defaults (replaced, never changed): most rows of a large file
# need neither, and a million empty dicts are measurable.
NO_REFS: dict[str, tuple] = {}
NO_CHANGES: dict[str, tuple[Any, Any]] = {}


class Row:
    """One data row on its way into the database.

    ``fields`` holds model attribute values (what is compared and written);
    ``values`` the parsed cells of columns a kind handles itself and of
    references; ``refs`` what each reference resolved to. A plain class with
    slots: a million of these are made per million-row file.
    """

    __slots__ = ("number", "cells", "key", "values", "fields", "refs", "pk", "existing", "changes",
                 "failed")

    def __init__(self, number: int, cells: list[str]):
        self.number = number
        self.cells = cells
        self.key = ""
        self.values: dict[str, Any] = {}
        self.fields: dict[str, Any] = {}
        self.refs: dict[str, tuple] = NO_REFS
        self.pk: int | None = None
        self.existing: dict[str, Any] | None = None
        self.changes: dict[str, tuple[Any, Any]] = NO_CHANGES
        self.failed = False


Report = Callable[[str, str], None]


class Kind:
    """A kind of file. Subclasses declare the columns and override the hooks they need."""

    name: str = ""
    label: LazyText | str = ""
    model: type[models.Model]
    key: str = "external_id"
    columns: tuple[Column, ...] = ()
    # Fields ``derive`` fills, and any other stored values the hooks compare with.
    stored_extra: tuple[str, ...] = ()
    # Whether created rows' primary keys are needed after the insert (related rows).
    needs_pks: bool = False
    # The models ``write_related`` writes rows of (their tables are analysed after the import).
    related_models: tuple[type[models.Model], ...] = ()
    # The field holding the account a row is evidence about ('' for none): the accounts
    # an import created or changed rows of are rescored once it commits (core.changes).
    account_field: str = ""

    @property
    def has_row_rules(self) -> bool:
        """Whether ``check`` or ``derive`` do anything (else the engine skips them)."""
        return type(self).check is not Kind.check or type(self).derive is not Kind.derive

    def resolvers(self) -> dict[str, Resolver]:
        """Fresh resolvers for one file (their caches live as long as the import)."""
        return {}

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def stored_fields(self) -> list[str]:
        return [c.field for c in self.columns if c.field] + list(self.stored_extra)

    # --- hooks, called for each row -------------------------------------------------

    def check(self, row: Row, merged: dict[str, Any], report: Report) -> None:
        """Rules between columns, on the row as it would be stored."""

    def derive(self, merged: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
        """Fields computed from others (the same keys for every row of a kind)."""
        return {}

    def on_create(self, row: Row) -> None:
        """Fill what a new row needs beyond its columns (kept out of comparisons)."""

    def on_update(self, row: Row) -> None:
        """Fill what a changed row needs beyond its columns (after the comparison)."""

    def check_chunk(self, rows: Sequence[Row], reporter: Callable[[Row], Report]) -> None:
        """Rules that need the database for many rows at once (one query per chunk)."""

    # --- hooks, called once per chunk -----------------------------------------------

    def load_related(self, pks: Sequence[int]) -> dict[int, Any]:
        return {}

    def related_changed(self, row: Row, related: Any) -> bool:
        return False

    def write_related(self, rows: Sequence[Row], related: dict[int, Any], now: datetime) -> None:
        """Write related rows for created and updated rows (``row.pk`` is set)."""

    # --- export ---------------------------------------------------------------------

    def export_queryset(self, accounts: QuerySet) -> QuerySet:
        """Rows visible through ``accounts``, as value tuples in column order."""
        queryset = self.model._default_manager.filter(account__in=accounts)
        return queryset.order_by("pk").values_list(*[c.export_path for c in self.columns])

