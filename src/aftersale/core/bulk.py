"""Writing many rows at once: what every bulk load needs around its own rows.

The demo generator (``aftersale.demo.writer``) and the CSV import
(``aftersale.imports.writer``) each turn their input into rows their own way
and load them with this module, inside their caller's transaction:

* ``sqlite_session``: SQLite settings for the length of a big write (a larger
  page cache, a second thread for sorts; for a load that takes the database
  for itself, a rollback journal and foreign keys checked once at the end);
* ``DeferredIndexes``: secondary indexes (and, on PostgreSQL, foreign keys)
  set aside before a large load and rebuilt from the database's own
  definitions before the transaction commits;
* ``BulkLoad``: the tables one load writes, locked, checked and, at the end,
  analysed (``analyze``), so the next query is planned with statistics that
  know the new rows;
* ``ensure_statistics``: the guard before a long read (the scan), analysing
  the tables it reads whose statistics are missing or out of date;
* ``copy_rows`` and ``insert_values``: PostgreSQL's ``COPY`` and SQLite's
  multi-row ``INSERT`` through the raw driver connection;
* ``cycle_collection_paused``: no cycle collection while millions of rows
  pass through Python.

This is the only module that runs ``ANALYZE``: the demo load and the import
(``BulkLoad.finish``), a restore and the demo purge (``analyze``), the scan
before it reads and after it writes (``ensure_statistics``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

Models = Iterable[type[models.Model]]

# ANALYZE on SQLite reads every row of every index unless limited; a limit
# samples that many rows an index, which the SQLite documentation recommends
# for PRAGMA optimize (values between 100 and 1000).
SQLITE_ANALYSIS_LIMIT = 400


class BulkWriteError(Exception):
    """Rows a bulk load wrote break the schema (a key that points nowhere)."""


def _tables(model_list: Models) -> list[str]:
    """The tables of ``model_list``, each once, in order."""
    return list(dict.fromkeys(m._meta.db_table for m in model_list))


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the length of a bulk load.

    A load allocates millions of short-lived rows, lists and tuples, which
    reference counting frees as soon as their chunk is written; none of them
    form cycles. The collector, set off by the number of new containers,
    would walk them (and now and then every object of the process) again and
    again. Collection resumes afterwards, unless something else had turned
    it off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def sqlite_session(
    cache_mib: int, *, exclusive: bool = False, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """SQLite settings for the length of a bulk write; nothing on other databases.

    Always: a page cache of ``cache_mib`` MiB (SQLite's default of 2 MB keeps
    re-reading the pages of indexes updated at scattered places), and a second
    thread for the sorts of ``CREATE INDEX`` (the rebuild of set-aside indexes).

    ``exclusive``, for a load that takes the whole database for itself (the
    demo), entered around and not inside its transaction: a rollback journal
    instead of WAL, and foreign keys not checked row by row. In WAL mode every
    page of a multi-gigabyte transaction is written twice (to the WAL, then
    checkpointed) and page lookups slow down as the WAL grows; with a rollback
    journal the new pages go straight to the file and only pages that existed
    before are journalled, with the same atomicity. Checking foreign keys row
    by row costs more than checking every table once at the end, which the
    load must then do (``BulkLoad.check_foreign_keys``) before it commits.
    Inside a transaction SQLite can change neither, so both are left alone
    there; if another connection holds the file open the journal switch is
    refused and the load simply runs in WAL.

    Every setting is put back afterwards.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    names = ["cache_size", "threads"]
    if exclusive and not connection.in_atomic_block:
        names += ["journal_mode", "foreign_keys"]
    with connection.cursor() as cursor:
        before = {}
        for name in names:
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(cache_mib) * 1024}")
        cursor.execute("PRAGMA threads = 2")
        if "journal_mode" in before:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA journal_mode = DELETE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                # Values SQLite itself returned: a number or a journal mode's name.
                cursor.execute(f"PRAGMA {name} = {value}")


class DeferredIndexes:
    """Secondary indexes (and, on PostgreSQL, foreign keys) set aside for a large load.

    Building an index once over the loaded rows (a sort) costs a fraction of
    maintaining it row by row. Each is rebuilt from the statement the database
    itself holds for it (``sqlite_master``, ``pg_get_indexdef``,
    ``pg_get_constraintdef``), so what comes back is exactly what was there.
    Use inside the load's transaction: both databases' DDL is transactional,
    so a failure or a rollback puts every index back with everything else.
    On SQLite other connections keep seeing the old table, indexes included,
    until the commit; on PostgreSQL the table is locked for everyone, so only
    a load that locks its tables anyway (the demo) sets indexes aside there.
    """

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        # (table, statement that rebuilds it), in the order they were dropped.
        self.pending: list[tuple[str, str]] = []

    def set_aside(self, model_list: Models, *, unique: bool = True) -> None:
        """Drop the secondary indexes of these models' tables (``unique=False``
        keeps the unique ones, for a load that looks rows up by them)."""
        tables = _tables(model_list)
        if self.connection.vendor == "postgresql":
            self.pending += self._drop_postgresql(tables, unique)
        else:
            self.pending += self._drop_sqlite(tables, unique)

    def statements(self, model_list: Models) -> list[str]:
        """The statements that would rebuild what was dropped from these models' tables."""
        tables = set(_tables(model_list))
        return [sql for table, sql in self.pending if table in tables]

    def restore(self, model_list: Models | None = None) -> None:
        """Rebuild what was dropped from these models' tables (all, if ``None``), in the order dropped."""
        tables = None if model_list is None else set(_tables(model_list))
        now = [sql for table, sql in self.pending if tables is None or table in tables]
        self.pending = [(t, sql) for t, sql in self.pending if tables is not None and t not in tables]
        with self.connection.cursor() as cursor:
            for statement in now:
                cursor.execute(statement)

    def _drop_sqlite(self, tables: list[str], unique: bool) -> list[tuple[str, str]]:
        dropped: list[tuple[str, str]] = []
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for table in tables:
                # Indexes with a statement (not those SQLite makes for a
                # table's own UNIQUE or PRIMARY KEY clauses).
                cursor.execute(
                    "SELECT m.name, m.sql FROM sqlite_master m "
                    "JOIN pragma_index_list(%s) l ON l.name = m.name "
                    "WHERE m.type = 'index' AND m.sql IS NOT NULL AND (%s OR NOT l.[unique])",
                    [table, unique],
                )
                for name, sql in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {qn(name)}")
                    dropped.append((table, sql))
        return dropped

    def _drop_postgresql(self, tables: list[str], unique: bool) -> list[tuple[str, str]]:
        indexes: list[tuple[str, str]] = []
        foreign_keys: list[tuple[str, str]] = []
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            # Pending deferred checks (from deleting an earlier load in the
            # same transaction) would forbid ALTER TABLE; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in tables:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [qn(table)],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                    foreign_keys.append(
                        (table, f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
                    )
                # Indexes that back no constraint (a primary key, a UNIQUE constraint).
                cursor.execute(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND (%s OR NOT i.indisunique) "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
                    [qn(table), unique],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {qn(name)}")
                    indexes.append((table, definition))
        # Indexes first: adding a foreign key back checks every row, through them.
        return indexes + foreign_keys


def analyze(model_list: Models | None = None, using: str = DEFAULT_DB_ALIAS) -> None:
    """Refresh the query planner's statistics of these models' tables (every table if ``None``).

    PostgreSQL plans every statement from statistics that autovacuum refreshes
    only some time after rows arrive; a statement planned before that (a scan
    run at once after a big load) takes the new rows for absent and can choose
    a plan that runs for hours. ANALYZE samples a fixed number of rows a
    table, so it costs about the same whatever the table's size, and inside a
    transaction it counts that transaction's own rows too.

    SQLite plans without statistics unless ``sqlite_stat1`` holds some:
    ``PRAGMA optimize``, on a bounded sample, analyses only the tables whose
    statistics the planner has looked for or that have grown a lot since.
    """
    connection = connections[using]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = None if model_list is None else _tables(model_list)
            if tables is None:
                cursor.execute("ANALYZE")
            elif tables:
                cursor.execute(f"ANALYZE {', '.join(qn(t) for t in tables)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit")
            (limit,) = cursor.fetchone()
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            cursor.execute("PRAGMA optimize")
            cursor.execute(f"PRAGMA analysis_limit = {int(limit)}")


def stale_tables(model_list: Models, using: str = DEFAULT_DB_ALIAS, *, changed: bool = False) -> list[str]:
    """The tables of these models whose planner statistics PostgreSQL should not trust now.

    A table is stale when it was never analysed (by hand or by autovacuum), or
    when its number of rows drifted from the one its statistics hold
    (``pg_class.reltuples``) by more than autovacuum waits for before
    analysing (``autovacuum_analyze_threshold`` plus
    ``autovacuum_analyze_scale_factor`` of its rows): autovacuum would analyse
    it soon, but a statement planned before then is planned blind. Rows this
    transaction inserted or deleted count too.

    The rows, not ``n_mod_since_analyze``: a load that analysed its tables
    before committing (``BulkLoad.finish``) leaves them counted as changed
    once it commits, and would have them analysed a second time. With
    ``changed``, for tables the caller itself wrote without analysing (the
    scan's snapshots and the accounts' copy of them, updated in place), rows
    changed since the last analysis count as well.

    Empty on SQLite, whose planner does without statistics.
    """
    connection = connections[using]
    tables = _tables(model_list)
    if connection.vendor != "postgresql" or not tables:
        return []
    limit = (
        "(current_setting('autovacuum_analyze_threshold')::float8"
        " + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0))"
    )
    with connection.cursor() as cursor:
        # Statistics read earlier in this transaction are cached; read them afresh.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT s.relname FROM pg_stat_user_tables s"  # noqa: S608 - a constant expression
            " JOIN pg_class c ON c.oid = s.relid"
            " JOIN pg_stat_xact_user_tables x ON x.relid = s.relid"
            " WHERE s.relname = ANY(%s) AND ("
            "  (s.last_analyze IS NULL AND s.last_autoanalyze IS NULL)"
            f" OR abs(s.n_live_tup + x.n_tup_ins - x.n_tup_del - greatest(c.reltuples, 0)) > {limit}"
            f" OR (%s AND s.n_mod_since_analyze > {limit}))",
            [tables, changed],
        )
        stale = {name for (name,) in cursor.fetchall()}
    return [t for t in tables if t in stale]


def ensure_statistics(
    model_list: Models, using: str = DEFAULT_DB_ALIAS, *, changed: bool = False
) -> list[str]:
    """Analyse the tables of these models that are stale (``stale_tables``); the tables analysed.

    The guard before a long set-based read (the scan, the backtest): however
    the rows arrived (a bulk load here analyses by itself, but rows written by
    other means do not), the reader's statements are planned with statistics
    that know them. When nothing is stale it costs one catalogue query.
    """
    model_list = list(model_list)
    stale = stale_tables(model_list, using, changed=changed)
    if stale:
        analyze([m for m in model_list if m._meta.db_table in stale], using)
    return stale


class BulkLoad:
    """One bulk write into a few tables, on one connection, inside the caller's transaction.

    The caller writes the rows its own way and says which models it wrote
    (``wrote``); ``finish``, before the transaction commits, rebuilds whatever
    indexes are still set aside and analyses every table written.
    """

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.connection: BaseDatabaseWrapper = connections[using]
        self.vendor = self.connection.vendor
        self.indexes = DeferredIndexes(self.connection)
        self.written: dict[type[models.Model], None] = {}

    def wrote(self, *model_list: type[models.Model]) -> None:
        """Record that rows of these models were written (their tables get analysed)."""
        self.written.update(dict.fromkeys(model_list))

    @contextmanager
    def indexes_deferred(
        self, model_list: Sequence[type[models.Model]], *, unique: bool = True
    ) -> Iterator[DeferredIndexes]:
        """Set these models' secondary indexes aside and rebuild them on leaving the block.

        The loader may rebuild some tables' indexes early
        (``DeferredIndexes.restore``); the rest come back on leaving.
        """
        self.indexes.set_aside(model_list, unique=unique)
        yield self.indexes
        self.indexes.restore(model_list)

    def lock(self, model_list: Models) -> None:
        """Keep other writers out of these tables until the commit (PostgreSQL).

        For a load that allocates primary keys by hand or sets indexes aside.
        SQLite needs nothing: a write transaction holds the only write lock.
        """
        if self.vendor != "postgresql":
            return
        qn = self.connection.ops.quote_name
        tables = ", ".join(qn(t) for t in _tables(model_list))
        with self.connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")

    def check_foreign_keys(self, model_list: Models) -> None:
        """On SQLite with enforcement off (``sqlite_session(exclusive=True)``), check
        every foreign key of these tables, so a bad key still fails the load."""
        if self.vendor != "sqlite":
            return
        qn = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            if cursor.fetchone()[0]:
                return  # enforced row by row already (deferred to the commit)
            for table in _tables(model_list):
                cursor.execute(f"PRAGMA foreign_key_check({qn(table)})")
                broken = cursor.fetchall()
                if broken:
                    table_name, rowid, parent, _ = broken[0]
                    raise BulkWriteError(
                        f"{len(broken)} rows of {table_name} point at missing {parent} rows "
                        f"(first: row {rowid})"
                    )

    def reset_sequences(self, model_list: Models) -> None:
        """Move PostgreSQL's id sequences past ids written by hand (nothing to do on SQLite)."""
        statements = self.connection.ops.sequence_reset_sql(no_style(), list(model_list))
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def finish(self) -> None:
        """Before the commit: rebuild the indexes still set aside, then analyse the tables written."""
        self.indexes.restore()
        if self.written:
            analyze(self.written, self.connection.alias)


def copy_rows(
    connection: BaseDatabaseWrapper, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Write ``rows`` into ``table`` with PostgreSQL's ``COPY ... FROM STDIN``.

    Values go to psycopg's text conversion: strings as they will be stored,
    numbers, booleans, ``None`` for NULL.
    """
    qn = connection.ops.quote_name
    connection.ensure_connection()
    column_list = ", ".join(qn(c) for c in columns)
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {qn(table)} ({column_list}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def insert_values(
    raw: Any, table: str, columns: Sequence[str], row_sql: str, width: int, per: int,
    statements: Sequence[Sequence[Any]], rest: Sequence[Any],
) -> None:
    """Multi-row ``INSERT`` through a plain ``sqlite3`` connection ``raw``.

    ``row_sql`` is one row's ``(...)``: ``width`` placeholders, and literals
    for values the same in every row. Each of ``statements`` holds the flat
    values of ``per`` rows, and ``rest`` those of the last, shorter statement. ``table``
    and ``columns`` must be quoted already. The ``sqlite3`` module's cost per
    statement exceeds SQLite's own work on a narrow row, so rows go many to a
    statement.
    """
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 (identifiers only)
    if statements:
        raw.executemany(sql + ", ".join([row_sql] * per), statements)
    if rest:
        raw.execute(sql + ", ".join([row_sql] * (len(rest) // width)), rest)
