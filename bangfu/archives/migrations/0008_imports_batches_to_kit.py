"""Move the roster import's batches into the import kit's tables (kind "archives.roster").

Every `archives.ImportBatch` row becomes an `imports.ImportBatch` with the same id, dates,
status, jobs and message; its four counts go into `counts`, its errors (a JSON list) become
`imports.ImportBatchError` rows, and a file still kept (a batch ready or failed) becomes one
`imports.ImportChunk` (already sealed, copied as it is). Then archives' own table is dropped.
History is kept: who imported which file when, what the check found.
"""

from django.db import migrations

KIND = "archives.roster"


def forward(apps, schema_editor):
    Old = apps.get_model("archives", "ImportBatch")
    New = apps.get_model("imports", "ImportBatch")
    Error = apps.get_model("imports", "ImportBatchError")
    Chunk = apps.get_model("imports", "ImportChunk")
    User = apps.get_model("accounts", "User")
    units = dict(User.objects.values_list("pk", "unit_id"))
    for old in Old.objects.order_by("created_at").iterator(chunk_size=500):
        new = New.objects.create(
            id=old.id,
            kind=KIND,
            unit_id=units.get(old.created_by_id),
            created_by_id=old.created_by_id,
            source_name=old.source_name,
            sha256=old.sha256,
            size=old.size,
            status=old.status,
            rows=old.rows,
            counts={
                "households_new": old.households_new,
                "members_new": old.members_new,
                "households_existing": old.households_existing,
                "people_existing": old.people_existing,
            },
            error_count=old.error_count,
            skipped=old.skipped or [],
            check_job_id=old.check_job_id,
            import_job_id=old.import_job_id,
            imported_at=old.imported_at,
            message=old.message,
        )
        New.objects.filter(pk=new.pk).update(created_at=old.created_at)
        Error.objects.bulk_create(
            Error(
                batch_id=new.pk,
                seq=n,
                sheet=str(sheet)[:100],
                row=int(row),
                column=str(column)[:200],
                message=str(message),
            )
            for n, (sheet, row, column, message) in enumerate(old.errors or [])
        )
        if old.content:
            Chunk.objects.create(batch_id=new.pk, seq=0, data=bytes(old.content))


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0007_procedure_records_to_workflow_kit"),
        ("imports", "0001_initial"),
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.DeleteModel(name="ImportBatch"),
    ]
