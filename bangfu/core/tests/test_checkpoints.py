"""Checkpoints outside the database show what the chains alone cannot: the newest events, or
all of them, deleted; a checkpoint file edited; a chain rebuilt by someone holding the key."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from bangfu.core.access import access_log_record
from bangfu.core.audit import AuditEntry, audit_record, audit_record_many, event_hash
from bangfu.core.checkpoints import (
    CheckpointError,
    checkpoint_write,
    checkpoints_read,
    verify_evidence,
)
from bangfu.core.models import AccessLog, AuditEvent
from bangfu.core.tests.tamper import tamper_sql

AUDIT = AuditEvent._meta.db_table
ACCESS = AccessLog._meta.db_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoint_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "audit" / "checkpoints.jsonl"
    settings.BANGFU_AUDIT_CHECKPOINT_FILE = str(path)
    return path


def record(count: int) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit_record(actor=None, action="test.thing.update", object_id=n, summary=f"第{n}次")
            for n in range(1, count + 1)
        ]


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def verify_error() -> str:
    with pytest.raises(CommandError) as error:
        verify()
    return str(error.value)


# --- Writing ----------------------------------------------------------------------------------


def test_a_checkpoint_records_every_head_signed_and_linked_to_the_one_before(checkpoint_file):
    # given
    events = record(3)

    # when
    first = checkpoint_write(reason="daily")
    record(1)
    second = checkpoint_write(reason="daily")

    # then
    lines = [json.loads(line) for line in checkpoint_file.read_text().splitlines()]
    assert [line["audit"] for line in lines] == [
        {"count": 3, "heads": [[0, 3, 3, events[2].hash]]},
        {"count": 4, "heads": [[0, 4, 4, AuditEvent.objects.get(seq=4).hash]]},
    ]
    assert lines[0]["prev"] == "0" * 64
    assert lines[1]["prev"] == first.mac == lines[0]["mac"]
    assert lines[1]["mac"] == second.mac
    points, problems = checkpoints_read()
    assert (len(points), problems) == (2, [])


def test_a_batch_writes_a_checkpoint_when_it_commits(
    checkpoint_file, django_capture_on_commit_callbacks
):
    # given
    record(1)
    stand_in = AuditEvent.objects.get()

    # when
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_record_many(
            actor=None, entries=[AuditEntry(action="test.batch", obj=stand_in) for _ in range(5)]
        )

    # then
    (line,) = checkpoint_file.read_text().splitlines()
    assert json.loads(line)["audit"]["count"] == 6
    assert json.loads(line)["reason"] == "batch"


def test_a_batch_rolled_back_writes_no_checkpoint(
    checkpoint_file, django_capture_on_commit_callbacks
):
    # given
    record(1)
    stand_in = AuditEvent.objects.get()

    # when
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        audit_record_many(actor=None, entries=[AuditEntry(action="test.batch", obj=stand_in)])
        _ = 1 / 0

    # then
    assert callbacks == []
    assert not checkpoint_file.exists()


def test_the_daily_command_prints_the_report_and_appends(checkpoint_file, staff):
    # given
    record(2)
    call_command("audit_checkpoint", stdout=StringIO())
    record(3)
    with transaction.atomic():
        access_log_record(
            user=staff, obj=AuditEvent.objects.get(seq=1), fields=["x"], purpose="核对"
        )
    out = StringIO()

    # when
    call_command("audit_checkpoint", stdout=out)

    # then
    report = out.getvalue()
    head = AuditEvent.objects.get(seq=5)
    assert "审计事件:共 5 条,最新为第 5 号" in report
    assert f"链 0:5 条,链头第 5 号,哈希 {head.hash}" in report
    assert "查看记录:共 1 条" in report
    assert "以来:新增审计事件 3 条,查看记录 1 条" in report
    assert len(checkpoint_file.read_text().splitlines()) == 2


def test_the_daily_command_names_a_cut_since_the_last_checkpoint_and_still_appends(checkpoint_file):
    # given
    record(4)
    call_command("audit_checkpoint", stdout=StringIO())
    tamper_sql(f"DELETE FROM {AUDIT} WHERE seq >= %s", [3])

    # when
    with pytest.raises(CommandError) as error:
        call_command("audit_checkpoint", stdout=StringIO())

    # then
    assert "记录的第 4 号事件已不存在:审计链被截断或删除" in str(error.value)
    assert len(checkpoint_file.read_text().splitlines()) == 2


def test_without_a_file_setting_no_checkpoint_can_be_written(settings):
    settings.BANGFU_AUDIT_CHECKPOINT_FILE = ""
    with pytest.raises(CheckpointError, match="BANGFU_AUDIT_CHECKPOINT_FILE"):
        checkpoint_write(reason="daily")


# --- Truncation -------------------------------------------------------------------------------


def test_deleting_the_newest_events_is_named_against_the_checkpoint(checkpoint_file):
    # given
    record(5)
    checkpoint_write(reason="daily")
    tamper_sql(f"DELETE FROM {AUDIT} WHERE seq >= %s", [4])

    # when
    message = verify_error()

    # then: the chain left (events 1-3) is intact, but the checkpoint saw event 5
    assert message.startswith("审计链在第 3 号事件之后被截断:检查点(")
    assert message.endswith("记录到第 5 号事件,其后缺少 2 条")


def test_deleting_every_event_is_named(checkpoint_file):
    # given
    record(4)
    checkpoint_write(reason="daily")
    tamper_sql(f"DELETE FROM {AUDIT}")

    # when
    message = verify_error()

    # then
    assert message.startswith("审计事件已全部被删除:检查点(")
    assert message.endswith("记录了 4 条,最新为第 4 号")


def test_a_truncation_stays_visible_after_a_later_checkpoint(checkpoint_file):
    # given: the cut happens, then the daily checkpoint records the shorter chain
    record(5)
    checkpoint_write(reason="daily")
    tamper_sql(f"DELETE FROM {AUDIT} WHERE seq = %s", [5])
    checkpoint_write(reason="daily")

    # when / then: the first checkpoint still saw event 5
    assert "审计链在第 4 号事件之后被截断" in verify_error()


def test_a_chain_rebuilt_with_the_key_differs_from_the_checkpoint(checkpoint_file):
    # given: someone holding the audit key rewrites event 2 and re-hashes the chain after it
    record(3)
    checkpoint_write(reason="daily")
    events = list(AuditEvent.objects.order_by("seq"))
    events[1].summary = "改过"
    events[1].hash = event_hash(events[1])
    events[2].prev_hash = events[1].hash
    events[2].hash = event_hash(events[2])
    for event in events[1:]:
        tamper_sql(
            f"UPDATE {AUDIT} SET summary = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [event.summary, event.prev_hash, event.hash, event.seq],
        )

    # when
    message = verify_error()

    # then: the chain itself is well formed, but event 3 is not what the checkpoint saw
    assert message.startswith("审计链在第 3 号事件(id=")
    assert "与检查点(" in message
    assert message.endswith("记录的哈希不符:审计链被重写")


def test_an_intact_chain_passes_and_names_the_last_checkpoint(checkpoint_file):
    # given
    record(3)
    point = checkpoint_write(reason="daily")
    record(2)

    # when
    output = verify()

    # then
    assert "审计链完整:共校验 5 条事件。" in output
    assert (
        f"与 1 个检查点相符;最近一个:{point.when},记录到第 3 号事件,校验码 {point.mac}。" in output
    )


def test_without_a_checkpoint_file_the_chain_alone_is_checked_with_a_warning(settings):
    settings.BANGFU_AUDIT_CHECKPOINT_FILE = ""
    record(2)
    tamper_sql(f"DELETE FROM {AUDIT} WHERE seq = %s", [2])

    output = verify()

    assert "审计链完整:共校验 1 条事件。" in output
    assert "未设置检查点文件(BANGFU_AUDIT_CHECKPOINT_FILE):无法发现末尾被删除的事件。" in output


def test_a_missing_checkpoint_file_is_a_finding_once_there_are_events(checkpoint_file):
    # given: checkpoints are configured, but the file was removed
    record(2)

    # when / then
    assert verify_error() == (
        f"检查点文件 {checkpoint_file} 不存在或为空:无法确认审计链末尾没有被删除。"
        "请运行 manage.py audit_checkpoint 写入第一个检查点"
    )


# --- The checkpoint file itself ---------------------------------------------------------------


def test_an_edited_checkpoint_line_is_named(checkpoint_file):
    # given: the forger lowers the count a checkpoint recorded, to hide a truncation
    record(3)
    checkpoint_write(reason="daily")
    data = json.loads(checkpoint_file.read_text())
    data["audit"]["heads"][0][1] = 2
    checkpoint_file.write_text(json.dumps(data) + "\n")

    # when / then
    assert verify_error() == "检查点文件第 1 行的校验码不符:该行被改动或伪造"


def test_a_removed_checkpoint_line_is_named(checkpoint_file):
    # given
    record(1)
    checkpoint_write(reason="daily")
    record(1)
    checkpoint_write(reason="daily")
    record(1)
    checkpoint_write(reason="daily")
    lines = checkpoint_file.read_text().splitlines()
    checkpoint_file.write_text("\n".join([lines[0], lines[2]]) + "\n")

    # when / then
    assert verify_error() == "检查点文件第 2 行之前的检查点被删除或改动"


def test_a_garbled_checkpoint_line_is_named(checkpoint_file):
    record(1)
    checkpoint_write(reason="daily")
    with checkpoint_file.open("a") as handle:
        handle.write("{not json\n")

    assert verify_error() == "检查点文件第 2 行无法读取:文件被改动或损坏"


def test_a_checkpoint_signed_with_another_key_does_not_verify(checkpoint_file, settings):
    # given: a forger without the audit key writes a checkpoint of their own
    record(1)
    settings.BANGFU_AUDIT_KEY = "a-forger-s-own-key-" * 3
    checkpoint_write(reason="daily")
    settings.BANGFU_AUDIT_KEY = ""

    # when
    points, problems = checkpoints_read()

    # then
    assert (points, problems) == ([], ["检查点文件第 1 行的校验码不符:该行被改动或伪造"])


# --- The access log ---------------------------------------------------------------------------


def test_deleting_the_newest_access_log_entry_is_named_against_the_checkpoint(
    checkpoint_file, staff
):
    # given
    user = staff
    record(1)
    target = AuditEvent.objects.get()
    entries = [
        access_log_record(user=user, obj=target, fields=["id_number"], purpose="核对身份")
        for _ in range(3)
    ]
    checkpoint_write(reason="daily")
    tamper_sql(f"DELETE FROM {ACCESS} WHERE id = %s", [entries[2].pk])

    # when
    report = verify_evidence()

    # then
    assert report.audit_problem is None
    assert report.access_problem is None
    assert len(report.findings) == 1
    assert report.findings[0].startswith(
        f"查看记录链在 id={entries[1].pk} 之后被截断(第 0 条链):检查点("
    )
    assert report.findings[0].endswith(f"记录到 id={entries[2].pk},其后缺少 1 条")
    assert not report.ok
