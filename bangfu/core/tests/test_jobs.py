"""Background jobs: starting after commit, the worker, progress, and who may see a job."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.audit import audit_record
from bangfu.core.errors import NotFound
from bangfu.core.jobs import (
    job_failed,
    job_for_user,
    job_progress,
    job_start,
    job_succeeded,
    jobs_reap,
    on_job_died,
)
from bangfu.core.models import AuditEvent, Job
from bangfu.core.tasks import AUDIT_VERIFY_KIND, audit_verify
from bangfu.core.tests.tamper import tamper_sql

from .tasks_for_tests import always_fails, refuses, reports_halfway, sleeps


def run_worker() -> None:
    """Run every queued task in this process, then return (what `db_worker --batch` does).

    The Worker is driven directly rather than through call_command so that it does not install
    its SIGINT/SIGTERM handlers into the test process.
    """
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def record_events(count: int) -> None:
    with transaction.atomic():
        for number in range(1, count + 1):
            audit_record(actor=None, action="test.thing.update", summary=f"第{number}次")


def start_verify(user: Any) -> Job:
    with transaction.atomic():
        return job_start(user=user, kind=AUDIT_VERIFY_KIND, title="校验审计链", task=audit_verify)


# --- Starting a job ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_job_is_enqueued_only_when_its_transaction_commits(
    auditor, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_start(user=auditor, kind=AUDIT_VERIFY_KIND, title="校验审计链", task=audit_verify)
        # then: nothing is queued before the commit
        assert DBTaskResult.objects.count() == 0
    assert len(callbacks) == 1

    # then
    task_result = DBTaskResult.objects.get()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.task_result_id == str(task_result.id)
    assert task_result.task_path == "bangfu.core.tasks.audit_verify"
    assert task_result.args_kwargs == {"args": [], "kwargs": {"job_id": str(job.pk)}}


@pytest.mark.django_db(transaction=True)
def test_job_of_a_rolled_back_transaction_is_never_enqueued(auditor):
    # when
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        job_start(user=auditor, kind=AUDIT_VERIFY_KIND, title="校验审计链", task=audit_verify)
        _ = 1 / 0

    # then
    assert Job.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


# --- Running the audit verification in the worker --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_worker_verifies_an_intact_chain_and_the_job_succeeds_with_the_count(auditor):
    # given
    record_events(7)
    job = start_verify(auditor)

    # when
    run_worker()

    # then
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.message == "审计链完整:共校验 7 条。"
    assert job.result == {"ok": True, "checked": 7}
    assert (job.done, job.total, job.percent) == (7, 7, 100)
    assert job.started_at is not None
    assert job.finished_at is not None
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_worker_reports_the_first_broken_event_of_the_chain(auditor):
    # given
    record_events(6)
    broken = AuditEvent.objects.get(seq=4)
    tamper_sql(f"UPDATE {AuditEvent._meta.db_table} SET summary = %s WHERE seq = %s", ["篡改", 4])
    job = start_verify(auditor)

    # when
    run_worker()

    # then
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {
        "ok": False,
        "checked": 3,
        "broken_seq": 4,
        "broken_event_id": broken.pk,
        "reason": "内容与哈希不符:该事件被改动",
        "url": "/audit/4/",
        "url_label": "查看第 4 号事件",
    }
    assert job.message == "审计链在第 4 号事件处断裂:内容与哈希不符:该事件被改动(此前 3 条完整)"
    assert (job.done, job.total) == (3, 6)


@pytest.mark.django_db(transaction=True)
def test_worker_verifies_an_empty_chain(auditor):
    # given
    job = start_verify(auditor)

    # when
    run_worker()

    # then
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.message == "审计链完整:共校验 0 条。"


@pytest.mark.django_db(transaction=True)
def test_job_whose_task_crashes_fails_with_a_generic_message(auditor):
    # given
    with transaction.atomic():
        job = job_start(user=auditor, kind="test.crash", title="会出错的任务", task=always_fails)

    # when
    run_worker()

    # then
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "任务运行出错,已中止。请联系系统管理员查看日志。"
    assert "secret detail" not in job.message
    assert job.finished_at is not None
    assert DBTaskResult.objects.get().status == "FAILED"


@pytest.mark.django_db(transaction=True)
def test_job_refused_by_a_domain_error_fails_with_its_message(auditor):
    # given
    with transaction.atomic():
        job = job_start(user=auditor, kind="test.refuse", title="被拒绝的任务", task=refuses)

    # when
    run_worker()

    # then
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "导入文件第 3 行缺少姓名。"


@pytest.mark.django_db(transaction=True)
def test_job_that_returns_a_result_succeeds_with_it(auditor):
    # given
    with transaction.atomic():
        job = job_start(
            user=auditor, kind="test.half", title="报告进度的任务", task=reports_halfway, total=10
        )

    # when
    run_worker()

    # then
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"ok": True, "rows": 10}
    assert (job.done, job.total) == (10, 10)


# --- Progress helpers -------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_marks_the_job_running_and_records_counts(auditor):
    # given
    job = Job.objects.create(user=auditor, kind="test", title="测试")

    # when
    job_progress(job.pk, done=30, total=120, message="处理中")

    # then
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.message) == (Job.Status.RUNNING, 30, 120, "处理中")
    assert job.percent == 25
    assert job.started_at is not None


@pytest.mark.django_db
def test_a_finished_job_ignores_later_reports(auditor):
    # given
    job = Job.objects.create(user=auditor, kind="test", title="测试")
    job_failed(job.pk, "出错了")

    # when
    job_progress(job.pk, done=5, total=10)
    job_succeeded(job.pk, {"ok": True})

    # then
    job.refresh_from_db()
    assert (job.status, job.message, job.done, job.result) == (Job.Status.FAILED, "出错了", 0, {})


# --- Who may see a job ------------------------------------------------------------------------


@pytest.mark.django_db
def test_job_for_user_returns_only_the_users_own_job(auditor, network):
    # given
    other = make_user((Role.AUDITOR, network.county), username="auditor2")
    job = Job.objects.create(user=auditor, kind="test", title="测试")

    # when / then
    assert job_for_user(auditor, job.pk) == job
    with pytest.raises(NotFound):
        job_for_user(other, job.pk)
    with pytest.raises(NotFound):
        job_for_user(auditor, uuid.uuid4())
    with pytest.raises(NotFound):
        job_for_user(auditor, "not-a-uuid")


@pytest.mark.django_db
def test_another_user_gets_404_for_someones_job_page_and_progress(client, auditor, staff):
    # given
    job = Job.objects.create(user=auditor, kind="test", title="测试")
    client.force_login(staff)

    # when
    detail = client.get(reverse("workbench:job_detail", kwargs={"job_id": job.pk}))
    progress = client.get(reverse("workbench:job_progress", kwargs={"job_id": job.pk}))

    # then
    assert detail.status_code == 404
    assert progress.status_code == 404


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_log_in_for_a_job(client, auditor):
    # given
    job = Job.objects.create(user=auditor, kind="test", title="测试")

    # when
    response = client.get(reverse("workbench:job_detail", kwargs={"job_id": job.pk}))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Job pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_job_page_shows_title_and_a_polling_progress_bar(client, auditor):
    # given
    job = Job.objects.create(user=auditor, kind="test", title="导出台账")
    client.force_login(auditor)

    # when
    response = client.get(reverse("workbench:job_detail", kwargs={"job_id": job.pk}))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "导出台账" in html
    assert "排队中" in html
    assert f'hx-get="/jobs/{job.pk}/progress/"' in html
    assert 'hx-trigger="every 1s"' in html


@pytest.mark.django_db
def test_progress_partial_returns_the_percent_while_running(client, auditor):
    # given
    job = Job.objects.create(user=auditor, kind="test", title="测试")
    job_progress(job.pk, done=50, total=200)
    client.force_login(auditor)

    # when
    response = client.get(
        reverse("workbench:job_progress", kwargs={"job_id": job.pk}), HTTP_HX_REQUEST="true"
    )

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'aria-valuenow="25"' in html
    assert "width: 25%" in html
    assert "已处理 50 / 200" in html
    assert 'hx-trigger="every 1s"' in html


@pytest.mark.django_db
def test_progress_partial_of_a_finished_job_stops_polling_and_shows_the_result(client, auditor):
    # given
    job = Job.objects.create(user=auditor, kind="test", title="测试")
    job_progress(job.pk, done=3, total=9)
    job_succeeded(
        job.pk,
        {"ok": False, "url": "/audit/4/", "url_label": "查看第 4 号事件"},
        message="审计链在第 4 号事件处断裂",
    )
    client.force_login(auditor)

    # when
    response = client.get(reverse("workbench:job_progress", kwargs={"job_id": job.pk}))

    # then
    html = response.content.decode()
    assert 'aria-valuenow="100"' in html
    assert "hx-trigger" not in html
    assert "alert-danger" in html
    assert "审计链在第 4 号事件处断裂" in html
    assert 'href="/audit/4/"' in html


@pytest.mark.django_db
def test_verify_button_starts_a_job_and_shows_its_page(
    client, auditor, django_capture_on_commit_callbacks
):
    # given
    client.force_login(auditor)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workbench:audit_verify"))

    # then
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.user, job.kind, job.title) == (auditor, AUDIT_VERIFY_KIND, "校验审计链")
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_verify_needs_post(client, auditor):
    # given
    client.force_login(auditor)

    # when
    response = client.get(reverse("workbench:audit_verify"))

    # then
    assert response.status_code == 405
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_verify_is_refused_to_a_non_auditor_and_starts_nothing(client, staff, security_admin):
    for user in (staff, security_admin):
        # given
        client.force_login(user)

        # when
        response = client.post(reverse("workbench:audit_verify"))

        # then
        assert response.status_code == 403
    assert Job.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


died_jobs: list[Any] = []


@on_job_died("test.dying")
def _record_died(job: Job) -> None:
    died_jobs.append(job.pk)


def running_job(user: Any, *, kind: str, heartbeat_ago: timedelta | None) -> Job:
    now = timezone.now()
    return Job.objects.create(
        user=user,
        kind=kind,
        title="导入",
        status=Job.Status.RUNNING,
        started_at=now - timedelta(hours=2),
        heartbeat_at=now - heartbeat_ago if heartbeat_ago is not None else None,
    )


@pytest.mark.django_db
def test_a_job_whose_worker_stopped_reporting_fails_after_the_timeout(auditor, settings):
    # given: a job silent for 11 minutes, one for 9 minutes, one from before heartbeats
    settings.BANGFU_JOB_TIMEOUT_SECONDS = 600
    died_jobs.clear()
    silent = running_job(auditor, kind="test.dying", heartbeat_ago=timedelta(minutes=11))
    alive = running_job(auditor, kind="test.dying", heartbeat_ago=timedelta(minutes=9))
    old = running_job(auditor, kind="test.other", heartbeat_ago=None)

    # when
    dead = jobs_reap()

    # then: the silent ones fail with a Chinese message; the handler of the kind ran
    assert {job.pk for job in dead} == {silent.pk, old.pk}
    silent.refresh_from_db()
    assert silent.status == Job.Status.FAILED
    assert silent.message == (
        "后台任务的处理进程已停止(超过 10 分钟没有响应),任务已中止,"
        "没有写入任何数据。请重新发起;导入请重新上传文件。"
    )
    assert silent.finished_at is not None
    assert died_jobs == [silent.pk]
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING

    # when: reaped again, nothing more
    assert jobs_reap() == []


@pytest.mark.django_db
def test_progress_and_start_write_the_heartbeat(auditor):
    # given
    job = running_job(auditor, kind="test.other", heartbeat_ago=timedelta(hours=1))

    # when
    job_progress(job.pk, done=1, total=2)

    # then
    job.refresh_from_db()
    assert job.heartbeat_at is not None
    assert timezone.now() - job.heartbeat_at < timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_a_long_task_runs(auditor, settings):
    # given: a timeout of 5 s, so a beat every second, and a task that takes 2.5 s
    settings.BANGFU_JOB_TIMEOUT_SECONDS = 5
    with transaction.atomic():
        job = job_start(user=auditor, kind="test.slow", title="慢任务", task=sleeps, seconds=2.5)

    # when
    run_worker()

    # then: the task saw its heartbeat move on while it ran
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["beats"] >= 1
