"""Finding and removing the demo portfolio with set-based SQL.

The ORM's cascading delete loads every row it deletes, which takes hours for
ten million events. Here each table is cleared with one ``DELETE ... WHERE
fk IN (subquery)``, walking every installed model's foreign keys (so tables
added by other apps, such as health snapshots or alerts, are cleared too),
children first.

Every statement here is built from model metadata (table and column names,
quoted) and this module's constants; no value from outside ever reaches the
SQL, hence the ``noqa: S608`` marks.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.db import connection, models
from django.db.backends.utils import CursorWrapper

from aftersale.accounts.models import Account, Competitor
from aftersale.commerce.models import Product
from aftersale.core.bulk import analyze
from aftersale.demo.catalogue import EMAIL_DOMAIN, PREFIX
from aftersale.demo.models import DemoDataset
from aftersale.staff.models import User


class DemoInUse(Exception):
    """A row outside the demo points at a demo row that may not be deleted."""


def demo_present() -> bool:
    return (
        DemoDataset.objects.exists()
        or Account.objects.filter(external_id__startswith=PREFIX).exists()
    )


def _referrers() -> dict[type[models.Model], list[models.ForeignKey]]:
    found: dict[type[models.Model], list[models.ForeignKey]] = defaultdict(list)
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey):
                found[field.remote_field.model._meta.concrete_model].append(field)
    return found


def delete_demo() -> dict[str, int]:
    """Delete every demo row and everything that hangs off it; call inside a transaction.

    Returns the number of rows deleted per table.
    """
    deleted: dict[str, int] = defaultdict(int)
    referrers = _referrers()
    qn = connection.ops.quote_name
    # No parameters: the LIKE patterns are constants of this module, and the
    # selections are nested into each other as plain SQL.
    like = f"LIKE '{PREFIX}%'"
    roots: list[tuple[type[models.Model], str]] = [
        (Account, f"{qn('external_id')} {like}"),
        (Product, f"{qn('external_id')} {like}"),
        (Competitor, f"{qn('external_id')} {like}"),
        (User, f"{qn('email')} LIKE '%{EMAIL_DOMAIN}'"),
    ]
    if connection.vendor == "postgresql":
        # The nested selections below are planned from the tables' statistics. Rows
        # loaded in this transaction (or since the last autovacuum) are not in them,
        # and a plan made for empty tables ran one of these deletes for minutes.
        analyze(using=connection.alias)
    with connection.cursor() as cursor:
        for model, condition in roots:
            table = qn(model._meta.db_table)
            pk = qn(model._meta.pk.column)
            selection = f"SELECT {pk} FROM {table} WHERE {condition}"  # noqa: S608
            _delete(cursor, referrers, model, selection, deleted, 0)
        cursor.execute(f"DELETE FROM {qn(DemoDataset._meta.db_table)}")  # noqa: S608
    return {table: count for table, count in deleted.items() if count}


def _delete(
    cursor: CursorWrapper,
    referrers: dict[type[models.Model], list[models.ForeignKey]],
    model: type[models.Model],
    selection: str,
    deleted: dict[str, int],
    depth: int,
) -> None:
    """Delete the rows of ``model`` picked by ``selection`` after what depends on them."""
    if depth > 8:
        raise DemoInUse(f"foreign keys nest too deep below {model._meta.label}")
    qn = connection.ops.quote_name
    for field in referrers.get(model, []):
        child = field.model
        child_table = qn(child._meta.db_table)
        column = qn(field.column)
        on_delete = field.remote_field.on_delete
        if on_delete is models.CASCADE:
            _delete(
                cursor, referrers, child,
                f"SELECT {qn(child._meta.pk.column)} FROM {child_table} WHERE {column} IN ({selection})",  # noqa: S608, E501
                deleted, depth + 1,
            )
        elif on_delete is models.SET_NULL:
            cursor.execute(
                f"UPDATE {child_table} SET {column} = NULL WHERE {column} IN ({selection})"  # noqa: S608
            )
        elif on_delete in (models.PROTECT, models.RESTRICT):
            cursor.execute(f"SELECT COUNT(*) FROM {child_table} WHERE {column} IN ({selection})")  # noqa: S608
            (count,) = cursor.fetchone()
            if count:
                raise DemoInUse(
                    f"{count} {child._meta.verbose_name_plural} outside the demo still refer to demo "
                    f"{model._meta.verbose_name_plural} ({child._meta.label}.{field.name}); "
                    "delete or reassign them first"
                )
    table = model._meta.db_table
    cursor.execute(f"DELETE FROM {qn(table)} WHERE {qn(model._meta.pk.column)} IN ({selection})")  # noqa: S608
    deleted[table] += max(cursor.rowcount, 0)
