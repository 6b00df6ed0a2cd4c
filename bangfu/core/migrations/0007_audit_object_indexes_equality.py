"""The audit trail's object type and object id indexed for equality only (issue 10).

A CharField's `db_index` on PostgreSQL makes two indexes: a plain one and a
`varchar_pattern_ops` one for LIKE. Nothing looks these two columns up by LIKE, and every
event written paid for both (a quarter of an import's audit COPY). The plain index is kept
under a name of its own (`Meta.indexes`): on PostgreSQL it is renamed, not built again — an
audit table of millions of events is not locked for a rebuild — and the LIKE one dropped.
"""

from typing import Any

from django.db import migrations, models

COLUMNS = (("object_type", "core_audit_object_type"), ("object_id", "core_audit_object_id"))


def _names(schema_editor: Any, table: str, column: str) -> tuple[str, str]:
    return (
        schema_editor._create_index_name(table, [column]),
        schema_editor._create_index_name(table, [column], suffix="_like"),
    )


def forward(apps: Any, schema_editor: Any) -> None:
    table = apps.get_model("core", "AuditEvent")._meta.db_table
    quote = schema_editor.quote_name
    for column, name in COLUMNS:
        plain, like = _names(schema_editor, table, column)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(like)}")
            schema_editor.execute(f"ALTER INDEX {quote(plain)} RENAME TO {quote(name)}")
        else:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(plain)}")
            schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")


def backward(apps: Any, schema_editor: Any) -> None:
    table = apps.get_model("core", "AuditEvent")._meta.db_table
    quote = schema_editor.quote_name
    for column, name in COLUMNS:
        plain, like = _names(schema_editor, table, column)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER INDEX {quote(name)} RENAME TO {quote(plain)}")
            schema_editor.execute(
                f"CREATE INDEX {quote(like)} ON {quote(table)} ({quote(column)} varchar_pattern_ops)"
            )
        else:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
            schema_editor.execute(f"CREATE INDEX {quote(plain)} ON {quote(table)} ({quote(column)})")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_job_heartbeat"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="object_id",
                    field=models.CharField(blank=True, max_length=64, verbose_name="对象编号"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="object_type",
                    field=models.CharField(blank=True, max_length=80, verbose_name="对象类型"),
                ),
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(fields=["object_type"], name="core_audit_object_type"),
                ),
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(fields=["object_id"], name="core_audit_object_id"),
                ),
            ],
        ),
    ]
