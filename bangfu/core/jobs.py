"""Background jobs that a page can follow with a progress bar.

A `Job` row is what the user sees; a django-tasks task does the work in `manage.py db_worker`.

    # tasks.py
    @job_task
    def archive_import(job_id: str, *, upload_id: int) -> None:
        job_progress(job_id, done=0, total=rows)
        ...
        job_succeeded(job_id, {"ok": True, "rows": rows}, message=_("已导入 %(n)s 户"))

    # services.py / views.py
    job = job_start(user=request.user, kind="archives.import", title=_("导入档案"),
                    task=archive_import, upload_id=upload.pk)
    return redirect("workbench:job_detail", job_id=job.pk)

Conventions for `Job.result` (a JSON object): `ok: false` means the job ran to the end but
found a problem that the page shows as an error (a broken audit chain, an import with errors);
`url` and `url_label` add a link under the result (a download, the record found).

Progress is written with single-row UPDATEs in autocommit, so the page sees it at once. A task
that works inside a long transaction should report progress outside it (on SQLite the worker's
transaction also holds the database's write lock, so keep transactions short).

Jobs that die (issue 12 #15). While a task runs, a thread of its worker writes the job's
`heartbeat_at` every fifth of BANGFU_JOB_TIMEOUT_SECONDS (progress reports write it too). A
worker killed mid-job (kill -9, a restart of the machine) leaves its job "running" for ever;
`jobs_reap` marks every running job whose heartbeat is older than the timeout as failed, with
a Chinese message, and calls what its context registered for the kind (`on_job_died`: an
import empties its encrypted upload and marks its batch failed, so it can be cancelled or
uploaded again). It runs before each task a worker starts and from `manage.py jobs_reap`
(cron); never from a page (a GET writes nothing).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.base import Task

from .errors import DomainError, NotFound
from .models import Job

logger = logging.getLogger(__name__)

_UNFINISHED = Q(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])


def job_start(*, user: Any, kind: str, title: str, task: Task[..., Any], **kwargs: Any) -> Job:
    """Create a queued Job for `user` and enqueue `task(job_id=..., **kwargs)` after commit.

    The task is enqueued only when the surrounding transaction commits, so a worker never picks
    up a job whose row (or whose input) is not yet visible, or was rolled back. `kwargs` must be
    JSON-serialisable.
    """
    job = Job.objects.create(user=user, kind=kind, title=str(title)[:200])
    job_id = str(job.pk)

    def enqueue() -> None:
        try:
            result = task.enqueue(job_id=job_id, **kwargs)
        except Exception:
            logger.exception("Could not enqueue job %s (%s)", job_id, kind)
            job_failed(job_id, _("任务未能加入队列,请稍后重试或联系系统管理员。"))
            return
        Job.objects.filter(pk=job_id).update(task_result_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


def job_for_user(user: Any, job_id: Any) -> Job:
    """Return the job if `user` started it; raise NotFound for anyone else's or a missing one."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("未找到该后台任务。"))
    try:
        return Job.objects.get(pk=job_id, user=user)
    except (Job.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        # DjangoValidationError: a malformed UUID.
        raise NotFound(_("未找到该后台任务。")) from None


def job_started(job_id: Any) -> None:
    """Mark a queued job as running (the worker picked it up)."""
    now = timezone.now()
    Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now
    )


def job_heartbeat(job_id: Any) -> None:
    """Say that the job's worker is alive."""
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())


def job_timeout() -> timedelta:
    return timedelta(seconds=int(settings.BANGFU_JOB_TIMEOUT_SECONDS))


JobDied = Callable[[Job], None]
_DIED: dict[str, list[JobDied]] = {}


def on_job_died(kind: str) -> Callable[[JobDied], JobDied]:
    """Register `handler(job)`, called (in the reaper's transaction) when a job of `kind` is
    found dead: it releases what the job held (empties an upload, marks a batch failed)."""

    def register(handler: JobDied) -> JobDied:
        _DIED.setdefault(kind, []).append(handler)
        return handler

    return register


def jobs_reap(*, now: datetime | None = None) -> list[Job]:
    """Mark running jobs whose worker stopped reporting as failed; return them.

    A job is dead when its heartbeat (or its start, for a job from before heartbeats) is older
    than BANGFU_JOB_TIMEOUT_SECONDS. Each is failed with a Chinese message and its kind's
    `on_job_died` handlers run in the same transaction, so a job is never failed with its
    upload left behind. Rows are locked and skipped when locked (two reapers at once).
    """
    now = now or timezone.now()
    cutoff = now - job_timeout()
    minutes = max(1, int(job_timeout().total_seconds()) // 60)
    message = _(
        "后台任务的处理进程已停止(超过 %(minutes)d 分钟没有响应),任务已中止,"
        "没有写入任何数据。请重新发起;导入请重新上传文件。"
    ) % {"minutes": minutes}
    dead: list[Job] = []
    silent = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    if not silent.exists():  # the usual case: one query before each task
        return dead
    with transaction.atomic():
        candidates = silent.select_for_update(skip_locked=True).order_by("created_at")
        for job in candidates:
            job.status = Job.Status.FAILED
            job.message = message
            job.finished_at = now
            job.save(update_fields=["status", "message", "finished_at"])
            for handler in _DIED.get(job.kind, []):
                handler(job)
            dead.append(job)
    for job in dead:
        logger.warning("Job %s (%s) lost its worker; marked failed", job.pk, job.kind)
    return dead


class _Heartbeat:
    """A thread that writes the job's heartbeat until stopped (its own database connection)."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.stop_event = threading.Event()
        self.interval = max(1.0, job_timeout().total_seconds() / 5)
        self.thread = threading.Thread(target=self.run, name=f"heartbeat-{job_id}", daemon=True)

    def run(self) -> None:
        try:
            while not self.stop_event.wait(self.interval):
                try:
                    job_heartbeat(self.job_id)
                except Exception:  # a locked SQLite database: the next beat will do
                    logger.debug("Heartbeat of job %s not written", self.job_id, exc_info=True)
        finally:
            connection.close()

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(timeout=self.interval + 5)


def job_progress(
    job_id: Any, done: int, total: int | None = None, message: str | None = None
) -> None:
    """Report that `done` of `total` items are processed; None leaves total or message as is."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": Job.Status.RUNNING,
        "started_at": Coalesce(F("started_at"), now),
        "heartbeat_at": now,
        "done": max(0, int(done)),
    }
    if total is not None:
        fields["total"] = max(0, int(total))
    if message is not None:
        fields["message"] = str(message)
    Job.objects.filter(_UNFINISHED, pk=job_id).update(**fields)


def job_succeeded(
    job_id: Any,
    result: Mapping[str, Any] | None = None,
    message: str = "",
    *,
    done: int | None = None,
) -> None:
    """Finish the job; `result` and `message` are shown on the job's page.

    Without `done`, every item counts as processed. Pass `done` when the job stopped early on
    a finding (a broken chain), so the page says how far it got.
    """
    now = timezone.now()
    done_value = Greatest(F("done"), F("total")) if done is None else Value(max(0, int(done)))
    Job.objects.filter(_UNFINISHED, pk=job_id).update(
        status=Job.Status.SUCCEEDED,
        done=done_value,
        # Items may have been added while the job ran (new audit events): total ≥ done.
        total=Greatest(done_value, F("total")),
        result=dict(result or {}),
        message=str(message),
        started_at=Coalesce(F("started_at"), now),
        finished_at=now,
    )


def job_failed(job_id: Any, message: str) -> None:
    """Finish the job as failed with a message for the user (the traceback goes to the log)."""
    now = timezone.now()
    Job.objects.filter(_UNFINISHED, pk=job_id).update(
        status=Job.Status.FAILED,
        message=str(message),
        started_at=Coalesce(F("started_at"), now),
        finished_at=now,
    )


def job_task(func: Callable[..., Mapping[str, Any] | None]) -> Task[..., None]:
    """Turn `func(job_id, **kwargs)` into a task that keeps its Job's status right.

    The job is marked running when the worker starts it. If `func` returns without finishing
    the job, it succeeds with the returned mapping as its result. If `func` raises, the job
    fails: a DomainError's message is shown as it is; anything else shows a generic message and
    is logged. The exception is re-raised so that the task result records the traceback too.
    """

    @functools.wraps(func)
    def run(job_id: str, **kwargs: Any) -> None:
        try:
            jobs_reap()  # the jobs of a worker that died before this one started
        except Exception:
            logger.exception("Reaping dead jobs failed")
        job_started(job_id)
        try:
            with _Heartbeat(job_id):
                result = func(job_id, **kwargs)
        except DomainError as exc:
            job_failed(job_id, exc.message)
            raise
        except Exception:
            logger.exception("Job %s failed", job_id)
            job_failed(job_id, _("任务运行出错,已中止。请联系系统管理员查看日志。"))
            raise
        job_succeeded(job_id, result)

    return task(run)


__all__ = [
    "job_failed",
    "job_for_user",
    "job_heartbeat",
    "job_progress",
    "job_start",
    "job_started",
    "job_succeeded",
    "job_task",
    "job_timeout",
    "jobs_reap",
    "on_job_died",
]
