"""PostgreSQL: several chains let writers append side by side; the database itself refuses to
rewrite the audit trail and the access log, for the application's role above all."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from bangfu.core.access import access_log_record
from bangfu.core.audit import AuditEntry, audit_record, audit_record_many, verify_chain
from bangfu.core.checkpoints import checkpoint_write, verify_evidence
from bangfu.core.management.commands.app_role_sql import app_role_statements
from bangfu.core.models import AccessLog, AuditEvent, CalendarDay
from bangfu.core.tests.tamper import tamper_sql

pytestmark = pytest.mark.postgres

AUDIT = AuditEvent._meta.db_table
ACCESS = AccessLog._meta.db_table


def in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def one_event(label: str) -> None:
    with transaction.atomic():
        audit_record(actor=None, action="test.write", object_id=label)


# --- The database refuses rewrites ------------------------------------------------------------


@pytest.mark.django_db
def test_raw_update_and_delete_of_audit_events_are_refused_by_the_database():
    # given
    one_event("a")
    before = list(AuditEvent.objects.values_list("seq", "summary", "hash"))

    # when / then: even as the owner, in plain SQL
    for sql in (f"UPDATE {AUDIT} SET summary = 'forged'", f"DELETE FROM {AUDIT}"):
        with (
            pytest.raises(DatabaseError, match="只能追加,不能修改或删除"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert list(AuditEvent.objects.values_list("seq", "summary", "hash")) == before


@pytest.mark.django_db
def test_raw_update_and_delete_of_access_log_entries_are_refused_by_the_database(staff):
    # given
    access_log_record(user=staff, obj=staff, fields=["id_number"], purpose="核对")
    before = list(AccessLog.objects.values_list("id", "purpose", "hash"))

    # when / then
    for sql in (f"UPDATE {ACCESS} SET purpose = 'x'", f"DELETE FROM {ACCESS}"):
        with (
            pytest.raises(DatabaseError, match="只能追加,不能修改或删除"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert list(AccessLog.objects.values_list("id", "purpose", "hash")) == before


@pytest.mark.django_db
def test_the_application_role_can_append_but_never_rewrite(staff):
    # given: the application's role with the grants of the README (app_role_sql)
    role = f"bangfu_app_{uuid.uuid4().hex[:8]}"
    day = CalendarDay.objects.create(
        date="2031-01-01", is_workday=False, name="元旦", created_by=staff
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        for statement in app_role_statements(role):
            cursor.execute(statement)
        cursor.execute(f"SET LOCAL ROLE {role}")

    # when: it writes as the application does
    with transaction.atomic():
        event = audit_record(actor=staff, action="test.as_app", object_id="1")
        entry = access_log_record(user=staff, obj=staff, fields=["id_number"], purpose="核对")
        CalendarDay.objects.filter(pk=day.pk).update(name="新年")

    # then: appending works, rewriting is refused whatever the statement
    refused = []
    for sql in (
        f"UPDATE {AUDIT} SET summary = 'forged' WHERE id = {event.pk}",
        f"DELETE FROM {AUDIT} WHERE id = {event.pk}",
        f"TRUNCATE {AUDIT}",
        f"UPDATE {ACCESS} SET purpose = 'x' WHERE id = {entry.pk}",
        f"DELETE FROM {ACCESS} WHERE id = {entry.pk}",
        f"TRUNCATE {ACCESS}",
        f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
    ):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        except DatabaseError as error:
            refused.append(type(error.__cause__).__name__)
        else:
            refused.append("allowed")
    assert refused == ["InsufficientPrivilege"] * 8
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert AuditEvent.objects.get(pk=event.pk).summary == ""
    assert AccessLog.objects.get(pk=entry.pk).purpose == "核对"
    assert CalendarDay.objects.get(pk=day.pk).name == "新年"


# --- Several chains ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_writer_holding_its_chain_does_not_stop_another(settings):
    """With one global lock (one chain) the second writer waited for the first one's commit."""
    settings.BANGFU_AUDIT_CHAINS = 8
    holding, release = threading.Event(), threading.Event()

    def long_batch() -> None:
        with transaction.atomic():
            audit_record(actor=None, action="test.batch", object_id="long")
            holding.set()
            release.wait(20)

    first, first_errors = in_thread(long_batch)
    assert holding.wait(10)

    # when
    second, second_errors = in_thread(lambda: one_event("quick"))
    second.join(5)

    # then
    finished_while_held = not second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    assert finished_while_held
    assert first_errors == second_errors == []
    assert sorted(AuditEvent.objects.values_list("object_id", flat=True)) == ["long", "quick"]
    assert len(set(AuditEvent.objects.values_list("chain", flat=True))) == 2
    assert verify_chain() == (2, None)


@pytest.mark.django_db(transaction=True)
def test_with_one_chain_the_second_writer_waits(settings):
    settings.BANGFU_AUDIT_CHAINS = 1
    holding, release = threading.Event(), threading.Event()

    def long_batch() -> None:
        with transaction.atomic():
            audit_record(actor=None, action="test.batch", object_id="long")
            holding.set()
            release.wait(20)

    first, _ = in_thread(long_batch)
    assert holding.wait(10)
    second, _ = in_thread(lambda: one_event("quick"))
    second.join(1)
    waited = second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    assert waited
    assert verify_chain() == (2, None)


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_over_several_chains_keep_every_chain_intact(settings):
    # given
    settings.BANGFU_AUDIT_CHAINS = 4
    writers, per_writer = 8, 12
    barrier = threading.Barrier(writers)

    def write(n: int) -> Callable[[], None]:
        def run() -> None:
            barrier.wait()
            for i in range(per_writer):
                one_event(f"{n}-{i}")

        return run

    # when
    threads = [in_thread(write(n)) for n in range(writers)]
    for thread, _errors in threads:
        thread.join(60)

    # then
    assert [errors for _thread, errors in threads] == [[]] * writers
    events = list(AuditEvent.objects.values_list("seq", "chain", "chain_seq"))
    assert len(events) == writers * per_writer
    assert len({seq for seq, _c, _p in events}) == len(events)
    chains: dict[int, list[int]] = {}
    for _seq, chain, position in events:
        chains.setdefault(chain, []).append(position)
    assert len(chains) > 1
    assert all(sorted(p) == list(range(1, len(p) + 1)) for p in chains.values())
    assert verify_chain() == (writers * per_writer, None)


@pytest.mark.django_db(transaction=True)
def test_one_transaction_keeps_to_one_chain_and_numbers_increase(settings):
    settings.BANGFU_AUDIT_CHAINS = 8
    with transaction.atomic():
        first = audit_record(actor=None, action="test.a")
        many = audit_record_many(
            actor=None, entries=[AuditEntry(action="test.b", obj=first) for _ in range(3)]
        )
        last = audit_record(actor=None, action="test.c")
    events = [first, *many, last]
    assert {e.chain for e in events} == {first.chain}
    assert [e.chain_seq for e in events] == [1, 2, 3, 4, 5]
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert all(e.pk == e.seq for e in events)
    assert verify_chain() == (5, None)


@pytest.mark.django_db(transaction=True)
def test_events_of_one_chain_go_on_verifying_after_more_chains_are_configured(settings):
    # given: events written with one chain
    settings.BANGFU_AUDIT_CHAINS = 1
    for n in range(3):
        one_event(f"old-{n}")

    # when: the installation moves to several chains
    settings.BANGFU_AUDIT_CHAINS = 8
    for n in range(3):
        one_event(f"new-{n}")

    # then
    seqs = list(AuditEvent.objects.order_by("seq").values_list("object_id", flat=True))
    assert seqs == ["old-0", "old-1", "old-2", "new-0", "new-1", "new-2"]
    assert verify_chain() == (6, None)


@pytest.mark.django_db(transaction=True)
def test_a_deleted_event_in_another_chain_is_named_and_a_cut_chain_too(settings, tmp_path):
    # given: two chains, written side by side
    settings.BANGFU_AUDIT_CHAINS = 8
    settings.BANGFU_AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.jsonl")
    holding, release = threading.Event(), threading.Event()

    def other_chain() -> None:
        with transaction.atomic():
            for n in range(3):
                audit_record(actor=None, action="test.other", object_id=str(n))
            holding.set()
            release.wait(20)

    thread, _ = in_thread(other_chain)
    assert holding.wait(10)
    for n in range(3):
        one_event(f"mine-{n}")
    release.set()
    thread.join(10)
    chains = sorted(set(AuditEvent.objects.values_list("chain", flat=True)))
    assert len(chains) == 2
    checkpoint_write(reason="daily")
    victim_chain = chains[-1]
    middle = AuditEvent.objects.get(chain=victim_chain, chain_seq=2)
    after = AuditEvent.objects.get(chain=victim_chain, chain_seq=3)

    # when: the middle event of that chain is deleted
    tamper_sql(f"DELETE FROM {AUDIT} WHERE id = %s", [middle.pk])

    # then
    report = verify_evidence()
    assert report.audit_problem is not None
    assert report.audit_problem.seq == after.seq
    assert report.audit_problem.message == (
        f"第 {victim_chain} 条链的链内序号应为 2,实为 3:其前有事件被删除或插入"
    )

    # when: the forger removes the rest of that chain as well
    tamper_sql(f"DELETE FROM {AUDIT} WHERE id = %s", [after.pk])

    # then: the chain left is intact, and the checkpoint names the cut
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", stdout=StringIO())
    first = AuditEvent.objects.get(chain=victim_chain, chain_seq=1)
    assert f"审计链在第 {first.seq} 号事件之后被截断" in str(error.value)
    assert f"记录到第 {after.seq} 号事件,其后缺少 2 条" in str(error.value)
