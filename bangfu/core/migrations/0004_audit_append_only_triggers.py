"""PostgreSQL: a trigger refuses UPDATE and DELETE of audit events and access-log entries.

Together with the grants of the two-role setup (README, production: the application's role has
no UPDATE, DELETE or TRUNCATE on these tables), even raw SQL through the application's
connection cannot rewrite the evidence. Only the owner role can disable the trigger, and the
checkpoints outside the database still show what was removed. Other databases: nothing here.
"""

from django.db import migrations

TABLES = ("core_auditevent", "core_accesslog")

CREATE = [
    """
    CREATE OR REPLACE FUNCTION bangfu_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '审计事件和查看记录只能追加,不能修改或删除 / % on % refused: rows are append-only',
            TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION bangfu_append_only()"
        for table in TABLES
    ),
]
DROP = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS bangfu_append_only()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_audit_chains_access_chain_key_fingerprints"),
    ]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
