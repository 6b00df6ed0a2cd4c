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
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
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
    Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )


def job_progress(
    job_id: Any, done: int, total: int | None = None, message: str | None = None
) -> None:
    """Report that `done` of `total` items are processed; None leaves total or message as is."""
    fields: dict[str, Any] = {
        "status": Job.Status.RUNNING,
        "started_at": Coalesce(F("started_at"), timezone.now()),
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
        job_started(job_id)
        try:
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
    "job_progress",
    "job_start",
    "job_started",
    "job_succeeded",
    "job_task",
]
