"""The forked helper process (`core.forked`): its items come back in order, its failures are
raised here, it ends when the caller stops reading or dies, and on PostgreSQL it reads with a
connection of its own while the caller's stays usable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction

from bangfu.core import forked
from bangfu.core.models import Job

ROOT = Path(__file__).resolve().parents[3]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_helper_hands_back_its_items_in_order_and_ends():
    # given
    def work() -> Iterator[object]:
        yield {"金额": Decimal("12.30")}
        yield from range(3)
        yield "完"

    # when
    with forked.Helper(work) as helper:
        pid = helper.pid
        assert pid is not None and pid != os.getpid()
        items = list(helper)

    # then: everything in order, and the helper reaped
    assert items == [{"金额": Decimal("12.30")}, 0, 1, 2, "完"]
    assert helper.pid is None
    assert _gone(pid)


def test_an_error_in_the_helper_is_raised_here_with_its_traceback():
    # given
    def work() -> Iterator[int]:
        yield 1
        raise ValueError("校验时出错")

    # when
    received = []
    with forked.Helper(work) as helper, pytest.raises(forked.HelperFailed) as failed:
        for item in helper:
            received.append(item)

    # then
    assert received == [1]
    assert "ValueError: 校验时出错" in str(failed.value)
    assert helper.pid is None


def test_leaving_early_stops_a_helper_still_at_work():
    # given: a helper that would never end
    def work() -> Iterator[int]:
        n = 0
        while True:
            n += 1
            yield n

    # when: the caller takes two items and leaves
    with forked.Helper(work) as helper:
        pid = helper.pid
        assert pid is not None
        first = [next(iter(helper)) for _n in range(2)]

    # then
    assert first == [1, 2]
    assert _gone(pid)


def test_the_helper_does_not_outlive_its_caller():
    # given: a process that starts a slow helper and says its pid
    script = (
        "import django, os, sys, time\n"
        "django.setup()\n"
        "from bangfu.core import forked\n"
        "def work():\n"
        "    while True:\n"
        "        time.sleep(0.05)\n"
        "        yield 1\n"
        "helper = forked.Helper(work)\n"
        "print(helper.pid, flush=True)\n"
        "for _item in helper:\n"
        "    pass\n"
    )
    caller = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert caller.stdout is not None
        helper_pid = int(caller.stdout.readline())
        assert not _gone(helper_pid)

        # when: the caller is killed, with no chance to clean up
        os.kill(caller.pid, signal.SIGKILL)
        caller.wait(timeout=30)

        # then: the helper ends too (and no orphan is left working)
        end = time.monotonic() + 10
        while not _gone(helper_pid) and time.monotonic() < end:
            with open(f"/proc/{helper_pid}/stat") as stat:
                if stat.read().split(") ")[1].startswith("Z"):  # ended, not yet reaped
                    break
            time.sleep(0.05)
        if not _gone(helper_pid):
            with open(f"/proc/{helper_pid}/stat") as stat:
                assert stat.read().split(") ")[1].startswith("Z")
    finally:
        if caller.poll() is None:
            caller.kill()
            caller.wait(timeout=30)


@pytest.mark.django_db
def test_no_helper_inside_a_transaction():
    # given: the test's transaction (what a helper's connection could not see)
    assert connection.in_atomic_block

    # then
    assert forked.possible() is False


@pytest.mark.django_db(transaction=True)
def test_a_helper_only_on_postgresql_and_when_the_setting_allows(settings):
    # given: no transaction open
    assert not connection.in_atomic_block

    # then
    assert forked.possible() is (connection.vendor == "postgresql")
    with transaction.atomic():
        assert forked.possible() is False
    settings.BANGFU_HELPER_PROCESSES = False
    assert forked.possible() is False


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_helper_reads_with_a_connection_of_its_own(staff):
    # given: a committed row, and this process's connection
    Job.objects.create(user=staff, kind="test", title="已提交")
    mine = _backend_pid()

    def work() -> Iterator[object]:
        yield _backend_pid()
        yield list(Job.objects.values_list("title", flat=True))

    # when
    with forked.Helper(work) as helper:
        theirs, titles = list(helper)

    # then: the helper saw what is committed through a connection of its own, and this
    # process's connection is still open and the same
    assert theirs != mine
    assert titles == ["已提交"]
    assert _backend_pid() == mine
    assert Job.objects.count() == 1


def test_when_no_process_can_be_made_the_caller_is_told_and_nothing_is_left_open(monkeypatch):
    # given: the system refuses another process
    def refuse() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    open_before = len(os.listdir("/proc/self/fd"))

    # when
    helper = forked.start(lambda: iter([1]))

    # then: no helper (the caller does the work), and no pipe left open
    assert helper is None
    assert len(os.listdir("/proc/self/fd")) == open_before
