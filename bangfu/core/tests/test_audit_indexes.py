"""The audit trail's indexes on object type and object id: for equality only (migration
0007), and the migration's way there and back."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from bangfu.archives.selectors.browse import household_history
from bangfu.archives.tests.factories import make_household
from bangfu.core.audit import audit_record
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table
NAME = "0007_audit_object_indexes_equality"


def indexes_on(column: str) -> set[str]:
    """The names of the single-column, non-unique indexes on `column`."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {
        name
        for name, info in found.items()
        if info["index"] and not info["unique"] and info["columns"] == [column]
    }


def pattern_ops_indexes() -> set[str]:
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s"
            " AND indexdef LIKE '%%varchar_pattern_ops%%'",
            [TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def test_object_type_and_id_have_one_plain_index_each():
    # then
    assert indexes_on("object_type") == {"core_audit_object_type"}
    assert indexes_on("object_id") == {"core_audit_object_id"}
    # The action keeps its LIKE index (the audit page filters a context's actions by prefix).
    assert all("action" in name for name in pattern_ops_indexes())


def test_the_migration_goes_back_and_forth():
    # given
    migration = import_module(f"bangfu.core.migrations.{NAME}")
    apps = MigrationExecutor(connection).loader.project_state(("core", NAME)).apps
    editor = connection.schema_editor(atomic=False)  # its SQL only; the test's transaction

    # when
    migration.backward(apps, editor)

    # then: Django's own two indexes again (the LIKE one on PostgreSQL only)
    back = indexes_on("object_id") | indexes_on("object_type")
    assert back.isdisjoint({"core_audit_object_type", "core_audit_object_id"})
    assert len(back) == (4 if connection.vendor == "postgresql" else 2)
    assert len(pattern_ops_indexes()) == (3 if connection.vendor == "postgresql" else 0)

    # when
    migration.forward(apps, editor)

    # then
    assert indexes_on("object_type") == {"core_audit_object_type"}
    assert indexes_on("object_id") == {"core_audit_object_id"}
    assert len(pattern_ops_indexes()) == (1 if connection.vendor == "postgresql" else 0)


def test_an_archives_history_still_finds_its_events(staff, network):
    # given
    household = make_household(network.station_a, filed_by=staff)
    other = make_household(network.station_a, filed_by=staff)
    with transaction.atomic():
        audit_record(actor=staff, action="test.touch", obj=household, summary="甲")
        audit_record(actor=staff, action="test.touch", obj=other, summary="乙")

    # when
    found = [event.summary for event in household_history(household=household)]

    # then
    assert "甲" in found
    assert "乙" not in found


@pytest.mark.postgres
def test_an_objects_events_are_found_by_the_index():
    # given: enough events that a scan of the table would cost more than the index
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # when
        cursor.execute(
            f"EXPLAIN SELECT id FROM {TABLE} WHERE object_type = %s AND object_id = %s",
            ["archives.household", "1"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then
    assert "core_audit_object_id" in plan or "core_audit_object_type" in plan
