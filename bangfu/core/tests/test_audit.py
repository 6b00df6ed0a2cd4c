"""The hash-chained audit trail and `manage.py verify_audit`."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from bangfu.core.audit import (
    GENESIS_HASH,
    ChainProblem,
    audit_record,
    diff,
    event_hash,
    event_payload,
    iter_chain_problems,
    snapshot,
    verify_chain,
)
from bangfu.core.context import client_address
from bangfu.core.masking import mask_id_number, mask_phone
from bangfu.core.models import AuditEvent, ImmutableError
from bangfu.core.tests.tamper import tamper_sql

TABLE = AuditEvent._meta.db_table


def record_events(count: int, actor: Any = None) -> list[AuditEvent]:
    events = []
    with transaction.atomic():
        for number in range(1, count + 1):
            events.append(
                audit_record(
                    actor=actor,
                    action="test.thing.update",
                    object_type="test.thing",
                    object_id=number,
                    object_repr=f"事物{number}",
                    summary=f"第{number}次修改",
                    changes={"name": [f"旧{number}", f"新{number}"]},
                )
            )
    return events


def raw_sql(sql: str, params: list[Any]) -> None:
    tamper_sql(sql, params)


def verify_output() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


# --- Appending ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_events_are_numbered_from_one_and_linked_to_the_previous_hash(staff):
    # when
    first, second = record_events(2, actor=staff)

    # then
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert first.actor_name == "郭相妍"
    assert first.actor_id == staff.pk


@pytest.mark.django_db
def test_event_without_actor_is_the_system_and_anonymous_is_a_visitor():
    # when
    with transaction.atomic():
        system = audit_record(actor=None, action="test.system", summary="定时任务")
        visitor = audit_record(actor=AnonymousUser(), action="test.portal", summary="网上申请")

    # then
    assert (system.actor_id, system.actor_name) == (None, "系统")
    assert (visitor.actor_id, visitor.actor_name) == (None, "匿名访客")


@pytest.mark.django_db
def test_event_takes_type_id_and_repr_from_the_object_and_the_client_address(staff):
    # given
    token = client_address.set("10.1.2.3")

    # when
    try:
        with transaction.atomic():
            event = audit_record(actor=staff, action="accounts.user.update", obj=staff)
    finally:
        client_address.reset(token)

    # then
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.object_type == "accounts.user"
    assert event.object_id == str(staff.pk)
    assert event.object_repr == "郭相妍(staff)"
    assert event.client_address == "10.1.2.3"


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_raises_and_writes_nothing():
    # when / then
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="test.thing.update", summary="无事务")
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_event_rolls_back_with_its_transaction():
    # when
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(actor=None, action="test.thing.update", summary="将回滚")
        _ = 1 / 0

    # then
    assert AuditEvent.objects.count() == 0
    assert verify_chain() == (0, None)


# --- The hash and the database round trip ----------------------------------------------------


@pytest.mark.django_db
def test_hash_survives_the_database_round_trip_of_awkward_values(staff):
    # given: values JSON and the database could change: Decimal, float, datetime, nesting,
    # non-ASCII keys in an order the database may sort differently, big integers, emoji
    changes = {
        "金额": ["1200.50", Decimal("1300.00")],
        "比例": [0.1, 1e-7],
        "时间": [datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC), None],
        "成员": [{"姓名": "张三", "关系": "户主"}, {"b": 2, "a": 1, "aa": [1, 2, {"z": True}]}],
        "大数": [2**63 + 5, -(2**70)],
        "备注": ['引号"和\\反斜杠\n换行\t制表', "表情😀"],
        "空": ["", {}],
    }
    with transaction.atomic():
        written = audit_record(
            actor=staff,
            action="test.thing.update",
            object_type="test.thing",
            object_id="42",
            object_repr="张三家(响水乡)",
            summary='修改 😀 "引号"',
            changes=changes,
        )

    # when
    stored = AuditEvent.objects.get(pk=written.pk)

    # then
    assert stored.hash == written.hash
    assert event_hash(stored) == stored.hash
    assert stored.changes["金额"] == ["1200.50", "1300.00"]
    assert stored.changes["比例"] == ["0.1", "1E-7"]
    assert stored.changes["时间"] == ["2026-03-01T08:30:15.123456+00:00", None]
    assert stored.changes["大数"] == [2**63 + 5, -(2**70)]
    assert stored.created_at == written.created_at
    assert verify_chain() == (1, None)


@pytest.mark.django_db
def test_hash_covers_every_stored_field_except_the_row_id(staff):
    # given
    (event,) = record_events(1, actor=staff)
    covered = {
        "seq": 99,
        "created_at": datetime(2020, 1, 1, tzinfo=UTC),
        "actor_id": staff.pk + 1,
        "actor_name": "别人",
        "action": "test.other",
        "object_type": "test.other",
        "object_id": "999",
        "object_repr": "别的",
        "summary": "别的摘要",
        "changes": {"name": ["x", "y"]},
        "client_address": "10.9.9.9",
        "prev_hash": "f" * 64,
        "chain": 3,
        "chain_seq": 99,
    }
    stored = {f.attname for f in AuditEvent._meta.concrete_fields} - {"id", "hash"}
    assert set(covered) == stored

    # when / then: changing any one of them changes the hash
    for name, value in covered.items():
        altered = AuditEvent.objects.get(pk=event.pk)
        setattr(altered, name, value)
        assert event_hash(altered) != event.hash, name


# --- verify_audit -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_audit_passes_an_intact_chain():
    # given
    record_events(5)

    # when
    output = verify_output()

    # then
    assert "审计链完整:共校验 5 条事件。" in output
    assert verify_chain() == (5, None)


@pytest.mark.django_db
def test_verify_audit_passes_an_empty_chain():
    assert "共校验 0 条事件" in verify_output()


@pytest.mark.django_db
def test_verify_audit_exits_non_zero_from_the_command_line(capsys):
    # given
    record_events(3)
    raw_sql(f"UPDATE {TABLE} SET summary = %s WHERE seq = %s", ["被篡改", 2])
    from django.core.management import ManagementUtility

    # when
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "verify_audit"]).execute()

    # then
    assert exit_info.value.code == 1
    assert "第 2 号事件" in capsys.readouterr().err


@pytest.mark.django_db
def test_altered_summary_is_named_by_its_seq():
    # given
    events = record_events(5)
    raw_sql(f"UPDATE {TABLE} SET summary = %s WHERE seq = %s", ["改过的摘要", 3])

    # when / then
    with pytest.raises(CommandError) as error:
        verify_output()
    assert str(error.value) == (
        f"审计链在第 3 号事件(id={events[2].pk})处断裂:内容与哈希不符:该事件被改动"
    )
    checked, problem = verify_chain()
    assert checked == 2
    assert problem == ChainProblem(3, events[2].pk, "内容与哈希不符:该事件被改动")


@pytest.mark.django_db
def test_altered_changes_json_is_named_by_its_seq():
    # given
    record_events(4)
    forged = json.dumps({"name": ["旧2", "别的值"]}, ensure_ascii=False)
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    raw_sql(f"UPDATE {TABLE} SET changes = {cast} WHERE seq = %s", [forged, 2])

    # when / then
    with pytest.raises(CommandError, match="第 2 号事件"):
        verify_output()


@pytest.mark.django_db
def test_altered_time_is_named_by_its_seq():
    # given
    record_events(3)
    moved = connection.ops.adapt_datetimefield_value(datetime(2020, 1, 1, tzinfo=UTC))
    raw_sql(f"UPDATE {TABLE} SET created_at = %s WHERE seq = %s", [moved, 1])

    # when / then
    with pytest.raises(CommandError, match="第 1 号事件"):
        verify_output()


@pytest.mark.django_db
def test_content_altered_with_a_recomputed_hash_is_named_at_the_next_event():
    # given: the forger also rewrites the altered event's own hash
    record_events(4)
    event = AuditEvent.objects.get(seq=2)
    event.summary = "伪造"
    raw_sql(
        f"UPDATE {TABLE} SET summary = %s, hash = %s WHERE seq = %s",
        ["伪造", event_hash(event), 2],
    )

    # when
    checked, problem = verify_chain()

    # then
    assert checked == 2
    assert problem is not None
    assert problem.seq == 3
    assert problem.message == "前一事件哈希不符:其前的事件被改动、删除或插入"


@pytest.mark.django_db
def test_deleted_middle_event_is_named_at_the_next_event():
    # given
    record_events(5)
    raw_sql(f"DELETE FROM {TABLE} WHERE seq = %s", [3])

    # when / then
    with pytest.raises(CommandError) as error:
        verify_output()
    assert "第 4 号事件" in str(error.value)
    assert "序号应为 3,实为 4" in str(error.value)


@pytest.mark.django_db
def test_deleted_middle_event_with_renumbered_successors_is_still_found():
    # given: the forger closes the gap in the numbering
    record_events(5)
    raw_sql(f"DELETE FROM {TABLE} WHERE seq = %s", [3])
    raw_sql(f"UPDATE {TABLE} SET seq = seq - 1 WHERE seq > %s", [3])

    # when
    checked, problem = verify_chain()

    # then: the event now numbered 3 does not follow event 2's hash
    assert checked == 2
    assert problem is not None
    assert problem.seq == 3


@pytest.mark.django_db
def test_deleted_first_event_is_named_at_the_second():
    # given
    record_events(3)
    raw_sql(f"DELETE FROM {TABLE} WHERE seq = %s", [1])

    # when
    checked, problem = verify_chain()

    # then
    assert checked == 0
    assert problem is not None
    assert problem.seq == 2


def _insert_forged(*, seq: int, prev_hash: str, hash_: str) -> None:
    created = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
    raw_sql(
        f"INSERT INTO {TABLE} (seq, chain, chain_seq, created_at, actor_id, actor_name, action,"
        " object_type, object_id, object_repr, summary, changes, client_address, prev_hash, hash)"
        " VALUES (%s, 0, %s, %s, NULL, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            seq,
            seq,
            created,
            "系统",
            "funds.payment.create",
            "funds.payment",
            "7",
            "伪造的付款",
            "付款 10000 元",
            "{}",
            "",
            prev_hash,
            hash_,
        ],
    )


@pytest.mark.django_db
def test_forged_event_appended_with_a_made_up_hash_is_found():
    # given
    events = record_events(3)
    _insert_forged(seq=4, prev_hash=events[-1].hash, hash_="a" * 64)

    # when / then
    with pytest.raises(CommandError) as error:
        verify_output()
    assert "第 4 号事件" in str(error.value)
    assert "内容与哈希不符" in str(error.value)


@pytest.mark.django_db
def test_forged_event_squeezed_into_the_middle_is_found():
    # given: the forger moves events 3..5 up by one and slips a forged event in as number 3
    events = record_events(5)
    raw_sql(f"UPDATE {TABLE} SET seq = seq + 100, chain_seq = chain_seq + 100 WHERE seq >= %s", [3])
    raw_sql(f"UPDATE {TABLE} SET seq = seq - 99, chain_seq = chain_seq - 99 WHERE seq >= %s", [100])
    _insert_forged(seq=3, prev_hash=events[1].hash, hash_="b" * 64)

    # when
    checked, problem = verify_chain()

    # then
    assert checked == 2
    assert problem is not None
    assert problem.seq == 3


@pytest.mark.django_db
def test_forged_event_with_a_gap_in_numbering_is_found():
    # given
    events = record_events(2)
    _insert_forged(seq=10, prev_hash=events[-1].hash, hash_="c" * 64)

    # when
    checked, problem = verify_chain()

    # then
    assert checked == 2
    assert problem is not None
    assert problem.seq == 10
    assert problem.message == "序号应为 3,实为 10:其前有事件被删除或插入"


@pytest.mark.django_db
def test_walking_the_chain_reports_progress():
    # given
    record_events(5)

    # when
    items = list(iter_chain_problems(progress_every=2))

    # then
    assert items == [2, 4, 5]


@pytest.mark.django_db
def test_chain_is_read_in_chunks_without_missing_an_event(monkeypatch):
    # given: chunks of two events, so five events span three reads
    record_events(5)
    from bangfu.core import audit, chain

    original = chain.rows_in_chain_order
    monkeypatch.setattr(
        audit, "rows_in_chain_order", lambda log, number: original(log, number, chunk_size=2)
    )

    # when / then
    assert [e.pk for e in original(audit.AUDIT_LOG, 0, chunk_size=2)] == [
        e.pk for e in AuditEvent.objects.order_by("seq")
    ]
    assert verify_chain() == (5, None)


@pytest.mark.django_db
def test_forged_event_numbered_zero_is_found():
    # given
    record_events(2)
    _insert_forged(seq=0, prev_hash=GENESIS_HASH, hash_="d" * 64)

    # when
    checked, problem = verify_chain()

    # then
    assert checked == 0
    assert problem is not None
    assert problem.seq == 0


# --- Immutability -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_an_existing_event_raises_and_changes_nothing():
    # given
    (event,) = record_events(1)
    event.summary = "改"

    # when / then
    with pytest.raises(ImmutableError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).summary == "第1次修改"


@pytest.mark.django_db
def test_deleting_an_event_raises_and_keeps_it():
    # given
    (event,) = record_events(1)

    # when / then
    with pytest.raises(ImmutableError):
        event.delete()
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_bulk_update_and_delete_of_events_raise_and_change_nothing():
    # given
    record_events(2)

    # when / then
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter(seq=1).update(summary="改")
    with pytest.raises(ImmutableError):
        AuditEvent.objects.all().delete()
    assert list(AuditEvent.objects.order_by("seq").values_list("summary", flat=True)) == [
        "第1次修改",
        "第2次修改",
    ]
    assert verify_chain() == (2, None)


# --- diff and snapshot ------------------------------------------------------------------------


def test_diff_lists_only_changed_fields_as_before_after():
    # when
    changes = diff(
        {"name": "张三", "phone": "13800001111", "size": 3, "gone": "x"},
        {"name": "张三", "phone": "13800002222", "size": 4, "new": Decimal("1.50")},
    )

    # then
    assert changes == {
        "gone": ["x", None],
        "new": [None, "1.50"],
        "phone": ["13800001111", "13800002222"],
        "size": [3, 4],
    }


def test_diff_masks_sensitive_fields_on_both_sides():
    # when
    changes = diff(
        {"id_number": "430302199001011234", "phone": "13800001111", "name": "张三"},
        {"id_number": "430302199001015678", "phone": "13912345678", "name": "张珊"},
        masked={"id_number": mask_id_number, "phone": mask_phone},
    )

    # then
    assert changes == {
        "id_number": ["430302********1234", "430302********5678"],
        "name": ["张三", "张珊"],
        "phone": ["138****1111", "139****5678"],
    }
    assert "199001011234" not in json.dumps(changes)


def test_diff_keeps_an_empty_side_of_a_masked_field_empty():
    # when
    changes = diff(
        {"id_number": ""}, {"id_number": "430302199001011234"}, masked={"id_number": mask_id_number}
    )

    # then
    assert changes == {"id_number": ["", "430302********1234"]}


@pytest.mark.parametrize("before", [None, {}])
def test_diff_of_a_creation_lists_every_filled_field_plain_and_masked(before):
    # when
    changes = diff(
        before,
        {"name": "张三", "id_number": "430302199001011234", "income": Decimal("1.50"), "no": None},
        masked={"id_number": mask_id_number},
    )

    # then: what a diff against a record of blanks gives
    assert changes == {
        "id_number": [None, "430302********1234"],
        "income": [None, "1.50"],
        "name": [None, "张三"],
    }


def test_diff_of_a_creation_is_the_diff_against_a_record_of_nones():
    """The creation's own path (an import's events) gives what the general one gives."""
    after = {
        "z": [Decimal("2.50"), date(2026, 1, 2)],
        "phone": "13800001111",
        "blank_phone": "",
        "count": 0,
        "flag": False,
        "none": None,
        "names": {"b": "乙", "a": "甲"},
        "when": date(2026, 12, 7),
    }
    masked = {"phone": mask_phone, "blank_phone": mask_phone, "count": str, "absent": str}
    expected = diff(dict.fromkeys(after), after, masked=masked)
    changes = diff(None, after, masked=masked)
    assert changes == expected and list(changes) == list(expected)
    assert changes["phone"] == [None, mask_phone("13800001111")]
    assert changes["blank_phone"] == [None, ""] and changes["count"] == [None, "0"]


def test_diff_of_an_unchanged_masked_field_is_empty():
    assert diff({"p": "13800001111"}, {"p": "13800001111"}, masked={"p": mask_phone}) == {}


@pytest.mark.django_db
def test_snapshot_turns_fields_into_plain_values(network):
    # when
    values = snapshot(network.station_a, ["name", "parent", "created_at"])

    # then
    assert values["name"] == "响水社区帮扶站"
    assert values["parent"] == str(network.township.pk)
    assert values["created_at"] == network.station_a.created_at.astimezone(UTC).isoformat()


@pytest.mark.django_db
def test_a_forger_without_the_audit_key_cannot_rebuild_the_chain(settings):
    """Given a chain written under one key, when someone recomputes an altered event's hash
    with plain SHA-256 or another key, then verification still names that event."""
    settings.BANGFU_AUDIT_KEY = "k" * 40
    with transaction.atomic():
        for i in range(3):
            audit_record(actor=None, action="test.keyed", object_id=str(i))
    event = AuditEvent.objects.get(seq=2)
    event.summary = "forged"
    canonical = json.dumps(
        event_payload(event), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    forged = hashlib.sha256(canonical.encode()).hexdigest()
    # The model refuses updates: go around it in SQL, as a forger would.
    raw_sql(
        f"UPDATE {TABLE} SET summary = %s, hash = %s WHERE id = %s", ["forged", forged, event.pk]
    )

    _checked, problem = verify_chain()

    assert problem is not None and problem.seq == 2
    settings.BANGFU_AUDIT_KEY = "another-key-" * 4
    _checked, problem = verify_chain()
    assert problem is not None and problem.seq == 1
