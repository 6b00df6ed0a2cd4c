"""The access log is evidence: its entries are chained, and a deleted, altered or inserted entry
is named by `verify_audit` like an audit event."""

from __future__ import annotations

from importlib import import_module
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bangfu.core.access import access_log_record, entry_hash, iter_access_problems
from bangfu.core.chain import GENESIS_HASH
from bangfu.core.models import AccessLog, ImmutableError
from bangfu.core.tests.tamper import tamper_sql, tampering

TABLE = AccessLog._meta.db_table

pytestmark = pytest.mark.django_db


def views(user, obj, count: int) -> list[AccessLog]:
    return [
        access_log_record(user=user, obj=obj, fields=["id_number"], purpose=f"核对第{n}次")
        for n in range(1, count + 1)
    ]


def verify_error() -> str:
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", stdout=StringIO())
    return str(error.value)


def test_entries_are_chained_in_order(staff):
    # when
    first, second = views(staff, staff, 2)

    # then
    stored = list(AccessLog.objects.order_by("chain_seq"))
    assert [(e.chain, e.chain_seq) for e in stored] == [(0, 1), (0, 2)]
    assert stored[0].prev_hash == GENESIS_HASH
    assert stored[1].prev_hash == stored[0].hash == first.hash
    assert [entry_hash(e) for e in stored] == [first.hash, second.hash]
    assert "查看记录链完整:共校验 2 条记录。" in _verify_output()


def _verify_output() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_a_deleted_entry_in_the_middle_is_named(staff):
    # given
    entries = views(staff, staff, 4)
    tamper_sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])

    # when / then
    assert verify_error() == (
        f"查看记录 id={entries[2].pk}(第 0 条链第 3 条)之前缺少第 2 条:有记录被删除或插入"
    )


def test_an_altered_purpose_is_named(staff):
    # given: the forger makes a curious look into a routine check
    entries = views(staff, staff, 3)
    tamper_sql(f"UPDATE {TABLE} SET purpose = %s WHERE id = %s", ["例行核对", entries[0].pk])

    # when / then
    assert verify_error() == (f"查看记录 id={entries[0].pk}(第 0 条链第 1 条)内容与哈希不符:被改动")


def test_an_entry_moved_to_another_user_is_named(staff, leader):
    entries = views(staff, staff, 2)
    tamper_sql(f"UPDATE {TABLE} SET user_id = %s WHERE id = %s", [leader.pk, entries[1].pk])

    assert "内容与哈希不符:被改动" in verify_error()


def test_a_deleted_entry_with_renumbered_successors_is_named_by_the_link(staff):
    # given: the forger closes the gap in the positions too
    entries = views(staff, staff, 3)
    tamper_sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])
    tamper_sql(f"UPDATE {TABLE} SET chain_seq = 2 WHERE id = %s", [entries[2].pk])

    # when / then
    assert verify_error() == (
        f"查看记录 id={entries[2].pk}(第 0 条链第 2 条)的前一记录哈希不符:"
        "其前的记录被改动、删除或插入"
    )


def test_an_entry_cannot_be_changed_or_deleted_through_the_model(staff):
    (entry,) = views(staff, staff, 1)
    entry.purpose = "改"
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get().purpose == "核对第1次"


def test_a_refused_view_without_purpose_writes_nothing(staff):
    from bangfu.core.errors import ValidationError

    with pytest.raises(ValidationError):
        access_log_record(user=staff, obj=staff, fields=["id_number"], purpose=" ")
    assert AccessLog.objects.count() == 0


def test_entries_written_before_chains_are_chained_by_the_migration(staff):
    # given: entries as they were stored before (no chain, no hash)
    for n in (1, 2, 3):
        created = connection.ops.adapt_datetimefield_value(staff.date_joined)
        tamper_sql(
            f"INSERT INTO {TABLE} (created_at, user_id, user_name, object_type, object_id,"
            " object_repr, fields, purpose, client_address, chain, chain_seq, prev_hash, hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 0, %s, %s, %s)",
            [
                created,
                staff.pk,
                "郭相妍",
                "accounts.user",
                "1",
                "x",
                "id_number",
                f"旧{n}",
                "",
                1000 + n,
                "",
                "",
            ],
        )
    name = "0003_audit_chains_access_chain_key_fingerprints"
    migration = import_module(f"bangfu.core.migrations.{name}")
    state = MigrationExecutor(connection).loader.project_state(("core", name))

    # when
    with tampering():
        migration.chain_existing_rows(state.apps, None)

    # then
    rows = list(AccessLog.objects.order_by("id"))
    assert [(r.chain_seq, r.purpose) for r in rows] == [(1, "旧1"), (2, "旧2"), (3, "旧3")]
    items = list(iter_access_problems())
    assert items == [3]
