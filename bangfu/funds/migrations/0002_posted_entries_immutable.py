"""On PostgreSQL the database itself refuses to change or delete a posted entry or its lines.

Row-level BEFORE UPDATE OR DELETE triggers only: TRUNCATE (what Django's test flush runs after
transactional tests) does not fire them, so flushing the database still works.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION funds_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '已记账的凭证不能修改或删除(%),请做冲销凭证更正。', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE TRIGGER funds_entry_immutable BEFORE UPDATE OR DELETE ON funds_entry
    FOR EACH ROW EXECUTE FUNCTION funds_refuse_change();
CREATE TRIGGER funds_entryline_immutable BEFORE UPDATE OR DELETE ON funds_entryline
    FOR EACH ROW EXECUTE FUNCTION funds_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS funds_entry_immutable ON funds_entry;
DROP TRIGGER IF EXISTS funds_entryline_immutable ON funds_entryline;
DROP FUNCTION IF EXISTS funds_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(TRIGGERS, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_books_and_money_in")]

    operations = [migrations.RunPython(forwards, backwards)]
