"""Fill the masked forms (0013) of the archives and members already stored.

Each stored ID, mobile and bank card is decrypted once, masked as `core.masking` masks it for
display, and the masked form written beside the ciphertext, in batches of 5,000 by key (one
read and one UPDATE per batch; on PostgreSQL `UPDATE … FROM (VALUES …)`). A value that cannot
be decrypted (a key no longer listed) is left unfilled: the export decrypts — and fails — as
before. Reversing leaves the columns to 0013, which drops them.
"""

from __future__ import annotations

from django.db import migrations

from bangfu.core.crypto import DecryptionError, decrypt
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone

BATCH = 5000
MAX_LENGTH = 64


def _masked(token, mask):
    if not token:
        return ""
    try:
        value = mask(decrypt(token))
    except DecryptionError:
        return ""
    return value if len(value) <= MAX_LENGTH else ""


def _update(connection, table, columns, rows):
    if not rows:
        return
    quoted = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(["id", *columns])
            values = ", ".join(["(%s" + ", %s" * len(columns) + ")"] * len(rows))
            sets = ", ".join(f"{quoted(c)} = v.{quoted(c)}" for c in columns)
            cursor.execute(
                f"UPDATE {quoted(table)} AS t SET {sets} FROM (VALUES {values}) AS v({names}) "  # noqa: S608 - names from the code, values bound
                "WHERE t.id = v.id",
                [value for row in rows for value in row],
            )
        else:
            sets = ", ".join(f"{quoted(c)} = %s" for c in columns)
            cursor.executemany(
                f"UPDATE {quoted(table)} SET {sets} WHERE id = %s",  # noqa: S608
                [(*row[1:], row[0]) for row in rows],
            )


def _fill(connection, table, sources):
    """`sources`: (ciphertext column, masked column, mask) of `table`."""
    quoted = connection.ops.quote_name
    read = ", ".join(quoted(source) for source, _column, _mask in sources)
    columns = [column for _source, column, _mask in sources]
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {read} FROM {quoted(table)} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                [last, BATCH],
            )
            batch = cursor.fetchall()
        if not batch:
            return
        rows = [
            (
                row[0],
                *(
                    _masked(token, mask)
                    for token, (_source, _column, mask) in zip(row[1:], sources, strict=True)
                ),
            )
            for row in batch
        ]
        _update(connection, table, columns, [row for row in rows if any(row[1:])])
        last = batch[-1][0]


def fill(apps, schema_editor):
    connection = schema_editor.connection
    _fill(
        connection,
        "archives_household",
        [
            ("id_number", "id_masked", mask_id_number),
            ("mobile", "mobile_masked", mask_phone),
            ("bank_card", "bank_card_masked", mask_bank_card),
        ],
    )
    _fill(connection, "archives_householdmember", [("id_number", "id_masked", mask_id_number)])


class Migration(migrations.Migration):
    dependencies = [("archives", "0013_exportspeed_masked_forms")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
