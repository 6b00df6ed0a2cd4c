"""A real `db_worker` process killed in the middle of an import (issue 12 #15): the job is
marked failed with a Chinese message after the timeout, nothing is written, the encrypted upload
is emptied, and the batch can be cancelled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bangfu.archives.models import Household, ImportBatch
from bangfu.archives.services import importing
from bangfu.archives.tests.factories import make_area, make_id_number, make_standards
from bangfu.core.jobs import jobs_reap
from bangfu.core.models import Job
from bangfu.kits.imports import services as imports
from bangfu.kits.imports.models import ImportChunk
from bangfu.kits.imports.services import CHECK_KIND

from . import roster_files as rf

ROOT = Path(__file__).resolve().parents[3]


def big_roster(households: int) -> bytes:
    start = date(1950, 1, 1)
    rows = [
        rf.head(n + 1, f"职工{n}", make_id_number(start + timedelta(days=n), seq=n // 9000))
        for n in range(households)
    ]
    return rf.workbook(rows)


def start_worker() -> subprocess.Popen[bytes]:
    """`manage.py db_worker` on the test database, in its own process."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "BANGFU_JOB_TIMEOUT_SECONDS": "600",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(predicate: Callable[[], bool], seconds: float = 60.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_a_failed_job_an_empty_upload_and_nothing_written(
    network, staff, client, settings
):
    # given: a roster large enough to be checked in the background, and a worker process
    assert django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    make_standards(make_area())
    settings.BANGFU_IMPORT_INLINE_ROWS = 5
    client.force_login(staff)
    content = big_roster(1500)
    upload = SimpleUploadedFile("花名册.xlsx", content)
    response = client.post(reverse("archives:import_upload"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:500]
    batch = ImportBatch.objects.get()
    assert batch.has_content
    job_id = batch.check_job_id
    assert job_id is not None
    worker = start_worker()
    try:
        # when: the worker has started the check, it is killed (no chance to clean up)
        wait_for(lambda: Job.objects.get(pk=job_id).status == Job.Status.RUNNING)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.RUNNING  # what a dead worker leaves behind

    # then: before the timeout the job is left alone
    assert jobs_reap() == []

    # when: the timeout has passed
    dead = jobs_reap(now=timezone.now() + timedelta(seconds=601))

    # then
    assert [j.pk for j in dead] == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == (
        "后台任务的处理进程已停止(超过 10 分钟没有响应),任务已中止,"
        "没有写入任何数据。请重新发起;导入请重新上传文件。"
    )
    batch.refresh_from_db()
    assert (batch.status, batch.has_content, batch.message) == (
        ImportBatch.Status.FAILED,
        True,  # kept (sealed) so that the check can be retried
        job.message,
    )
    assert Household.objects.count() == 0

    # when: the user cancels the batch
    importing.import_cancel(user=staff, batch=batch)

    # then: the file is deleted
    batch.refresh_from_db()
    assert (batch.status, batch.has_content) == (ImportBatch.Status.CANCELLED, False)


@pytest.mark.django_db
def _died_batch(staff):
    batch, _table = importing.import_upload(
        user=staff, content=rf.workbook(rf.clean_rows()), source_name="花名册.xlsx"
    )
    an_hour_ago = timezone.now() - timedelta(hours=1)
    batch.check_job = Job.objects.create(
        user=staff,
        kind=CHECK_KIND,
        title="校验",
        status=Job.Status.RUNNING,
        started_at=an_hour_ago,
        heartbeat_at=an_hour_ago,
    )
    batch.save(update_fields=["check_job"])
    jobs_reap()
    return batch


@pytest.mark.django_db
def test_the_page_of_a_batch_whose_job_died_says_so_and_offers_retry_upload_again_and_cancel(
    network, staff, client
):
    # given: a batch whose check job has been silent for an hour
    batch = _died_batch(staff)
    client.force_login(staff)

    # when
    page = client.get(reverse("archives:import_batch", kwargs={"batch_id": batch.pk}))

    # then
    html = page.content.decode()
    assert "后台任务的处理进程已停止(超过 10 分钟没有响应)" in html
    assert 'data-testid="import-retry"' in html
    assert 'data-testid="import-again"' in html
    batch.refresh_from_db()
    assert (batch.status, batch.has_content) == (ImportBatch.Status.FAILED, True)

    # when: cancelled
    response = client.post(reverse("archives:import_cancel", kwargs={"batch_id": batch.pk}))

    # then
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED


@pytest.mark.django_db
def test_retry_runs_again_the_check_whose_job_died(network, staff, client):
    # given
    make_standards(make_area())
    batch = _died_batch(staff)
    client.force_login(staff)

    # when
    response = client.post(reverse("archives:import_retry", kwargs={"batch_id": batch.pk}))

    # then: a small file is checked in the request
    assert response.status_code == 302
    assert response.url == reverse("archives:import_batch", kwargs={"batch_id": batch.pk})
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (ImportBatch.Status.READY, "")
    assert batch.counts["households_new"] == 12


@pytest.mark.django_db
def test_retry_is_refused_for_a_batch_whose_job_did_not_die(network, staff, client):
    # given: a checked batch
    make_standards(make_area())
    batch, table = importing.import_upload(
        user=staff, content=rf.workbook(rf.clean_rows()), source_name="花名册.xlsx"
    )
    importing.import_check(user=staff, batch=batch, table=table)
    client.force_login(staff)

    # when
    response = client.post(reverse("archives:import_retry", kwargs={"batch_id": batch.pk}))

    # then: nothing changed
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY


@pytest.mark.django_db
def test_a_cancelled_batch_says_why_on_its_page(network, staff, client, settings):
    # given: a died batch left waiting past the keep days, and one the user cancelled
    from bangfu.kits.imports.services import batch_cancel, imports_expire

    settings.BANGFU_IMPORT_KEEP_DAYS = 7
    left = _died_batch(staff)
    ImportBatch.objects.filter(pk=left.pk).update(created_at=timezone.now() - timedelta(days=8))
    dropped = _died_batch(staff)
    batch_cancel(user=staff, batch=dropped)
    assert imports_expire() == 1
    client.force_login(staff)

    # when
    pages = [
        client.get(reverse("archives:import_batch", kwargs={"batch_id": b.pk})).content.decode()
        for b in (left, dropped)
    ]

    # then: the reason, not an empty box; nothing to retry or confirm
    assert "上传后超过 7 天没有完成导入,已自动取消,上传的文件已删除。" in pages[0]
    assert "已取消,没有导入任何数据,上传的文件已删除。" in pages[1]
    for html in pages:
        assert 'data-testid="import-retry"' not in html
        assert 'data-testid="import-confirm"' not in html
        assert "alert-secondary" in html
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_a_cancelled_batch_does_not_show_what_its_check_would_have_done(network, staff, client):
    # given: a checked roster, ready to import (the check counted its new households)
    make_standards(make_area())
    batch, _table = importing.import_upload(
        user=staff, content=rf.workbook(rf.clean_rows()), source_name="花名册.xlsx"
    )
    importing.import_check(user=staff, batch=batch)
    assert batch.status == ImportBatch.Status.READY and batch.counts["households_new"] > 0
    client.force_login(staff)
    url = reverse("archives:import_batch", kwargs={"batch_id": batch.pk})
    ready = client.get(url).content.decode()
    assert 'data-testid="count-households_new"' in ready and "将新建户数" in ready

    # when: the user cancels it
    client.post(reverse("archives:import_cancel", kwargs={"batch_id": batch.pk}))
    cancelled = client.get(url).content.decode()

    # then: its page says nothing was imported, without "将新建户数 12" beside it
    assert "已取消,没有导入任何数据,上传的文件已删除。" in cancelled
    assert 'data-testid="count-households_new"' not in cancelled
    assert "将新建户数" not in cancelled and "将新建成员" not in cancelled
    assert Household.objects.count() == 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as children:
            found.extend(int(child) for child in children.read().split())
    return found


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_and_writes_a_large_roster_with_a_helper_and_leaves_none_behind(
    network, staff
):
    # given: a roster of more rows than a helper process is used for, and a worker process
    make_standards(make_area())
    households = importing.HELPER_ROWS // 2 + 1
    rows = []
    for n in range(households):
        head = make_id_number(date(1950, 1, 1) + timedelta(days=n), seq=n // 9000)
        rows.append(rf.head(n + 1, f"职工{n}", head))
        spouse = make_id_number(date(1955, 1, 1) + timedelta(days=n), sex="F", seq=n // 9000)
        rows.append(rf.member(n + 1, "配偶", f"配偶{n}", spouse))
    batch, job = imports.batch_start_check(
        user=staff, kind=importing.KIND, content=rf.workbook(rows), source_name="花名册.xlsx"
    )
    assert job is not None
    worker = start_worker()
    try:
        # when: the worker checks it, then writes it
        wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED, 240)
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.READY, batch.message
        # (its converted rows kept: only a check with a helper keeps them)
        assert ImportChunk.objects.filter(batch=batch, part=ImportChunk.Part.CHECKED).exists()
        write = imports.batch_start_write(user=staff, batch=batch, mode="historical")
        assert write is not None
        wait_for(lambda: Job.objects.get(pk=write.pk).status == Job.Status.SUCCEEDED, 240)

        # then: every household filed, and the worker has no helper process left
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.IMPORTED
        assert Household.objects.count() == households
        assert _children(worker.pid) == []
    finally:
        worker.kill()
        worker.wait(timeout=30)
