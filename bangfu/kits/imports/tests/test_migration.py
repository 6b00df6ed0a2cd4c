"""archives 0008_imports_batches_to_kit: the roster import's batches move to the kit."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bangfu.core import crypto
from bangfu.kits.imports.models import ImportBatch, ImportBatchError, ImportChunk

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "0008_imports_batches_to_kit"


def test_the_archives_batches_move_with_their_counts_errors_and_kept_file(staff):
    # given: archives' own table as it was before the move, with two batches
    migration = import_module(f"bangfu.archives.migrations.{NAME}")
    # (with the kit's later migrations, as the database under test has them)
    loader = MigrationExecutor(connection).loader
    state = loader.project_state(
        [*migration.Migration.dependencies, *loader.graph.leaf_nodes("imports")]
    )
    apps = state.apps
    Old = apps.get_model("archives", "ImportBatch")
    with connection.schema_editor() as editor:
        editor.create_model(Old)
    try:
        refused = Old.objects.create(
            created_by_id=staff.pk,
            source_name="响水乡.xlsx",
            sha256="a" * 64,
            size=10,
            status="invalid",
            rows=3,
            error_count=2,
            errors=[["花名册", 4, "身份证号", "错一"], ["花名册", 5, "姓名", "错二"]],
        )
        ready = Old.objects.create(
            created_by_id=staff.pk,
            source_name="长丰.xlsx",
            sha256="b" * 64,
            size=5,
            status="ready",
            rows=28,
            households_new=12,
            members_new=16,
            households_existing=1,
            people_existing=2,
            skipped=[[4, "张三", "A001 张三"]],
            content=crypto.encrypt_bytes(b"XLSX!"),
        )

        # when
        migration.forward(apps, None)
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Old)

    # then
    moved = ImportBatch.objects.get(pk=refused.pk)
    assert (moved.kind, moved.status, moved.unit_id, moved.created_at) == (
        "archives.roster",
        "invalid",
        staff.unit_id,
        refused.created_at,
    )
    assert moved.errors == [["花名册", 4, "身份证号", "错一"], ["花名册", 5, "姓名", "错二"]]
    assert not moved.has_content
    kept = ImportBatch.objects.get(pk=ready.pk)
    assert kept.counts == {
        "households_new": 12,
        "members_new": 16,
        "households_existing": 1,
        "people_existing": 2,
    }
    assert kept.skipped == [[4, "张三", "A001 张三"]]
    assert crypto.decrypt_bytes(bytes(ImportChunk.objects.get(batch=kept).data)) == b"XLSX!"
    assert ImportBatchError.objects.filter(batch=kept).count() == 0
