"""The ID registry's blind index unique by a named constraint, without a LIKE index (issue 10).

`unique=True` on a CharField gives PostgreSQL two indexes: the unique one and a
`varchar_pattern_ops` one for LIKE. A blind index is only ever looked up whole, and the LIKE
index cost every filing its share of the registry's writes (a third of an import's registry
COPY). On PostgreSQL the unique constraint stays as it is (renamed only if it was made under
another name) and the LIKE index is dropped: nothing is built again. On SQLite, where there
is no LIKE index, the table keeps its UNIQUE (the state's constraint is the same rule).
"""

from typing import Any

from django.db import migrations, models

NAME = "archives_idregistration_id_index_key"


def _existing(schema_editor: Any, table: str) -> tuple[str | None, list[str]]:
    """(the unique constraint on id_index, the other indexes on id_index alone)."""
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, table)
    unique = next(
        (n for n, c in found.items() if c["unique"] and c["columns"] == ["id_index"]), None
    )
    others = [
        n
        for n, c in found.items()
        if c["index"] and not c["unique"] and c["columns"] == ["id_index"]
    ]
    return unique, others


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("archives", "IdRegistration")._meta.db_table
    quote = schema_editor.quote_name
    unique, others = _existing(schema_editor, table)
    for name in others:  # the LIKE index
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
    if unique is None:
        schema_editor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(NAME)} UNIQUE (id_index)")
    elif unique != NAME:
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(unique)} TO {quote(NAME)}"
        )


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("archives", "IdRegistration")._meta.db_table
    like = schema_editor._create_index_name(table, ["id_index"], suffix="_like")
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(like)} ON {quote(table)} (id_index varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0014_exportspeed_masked_forms_fill"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name="idregistration",
                    name="id_index",
                    field=models.CharField(max_length=64),
                ),
                migrations.AddConstraint(
                    model_name="idregistration",
                    constraint=models.UniqueConstraint(fields=("id_index",), name=NAME),
                ),
            ],
        ),
    ]
