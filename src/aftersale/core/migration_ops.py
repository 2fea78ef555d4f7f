"""Migration operations shared by several apps."""

from __future__ import annotations

from django.db import migrations


class DropForeignKeyIndex(migrations.SeparateDatabaseAndState):
    """``AlterField(db_index=False)`` on a foreign key, without rebuilding the table.

    Django's SQLite schema editor copies the whole table to change a field,
    which on a portfolio of millions of rows takes minutes for what is, in
    the database, one ``DROP INDEX``. This drops the column's own
    single-column index (found by introspection, whatever its generated name)
    and records the field change in the migration state. Only for a key that
    a composite index already leads, so look-ups by it keep an index.
    """

    def __init__(self, model_name: str, name: str, field) -> None:
        self.model_name, self.name = model_name, name
        super().__init__(
            state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.name).column
        table = model._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
        for index_name, info in constraints.items():
            if (
                info["index"] and info["columns"] == [column]
                and not info["unique"] and not info["primary_key"]
            ):
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(index_name)}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    def describe(self) -> str:
        return f"Drop the single-column index of {self.model_name}.{self.name}"
