"""The import kit's background jobs. They call the services, which alone set a batch's status;
a job that dies is handled by `services.batch_job_died` (registered with `on_job_died`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.core.errors import ValidationError
from bangfu.core.jobs import job_progress, job_succeeded, job_task, on_job_died
from bangfu.core.models import Job

from . import services
from .models import ImportBatch
from .registry import importer_for


def _link(batch: ImportBatch) -> dict[str, Any]:
    namespace = importer_for(batch.kind).url_namespace
    return {
        "url": reverse(f"{namespace}:import_batch", kwargs={"batch_id": batch.pk}),
        "url_label": _("查看导入结果"),
    }


def _report(job_id: str) -> services.Progress:
    return lambda done, total: job_progress(job_id, done=done, total=total)


@job_task
def check_job(job_id: str, *, batch_id: str) -> None:
    """Phase 1 in the background: check the whole file, store what was found."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    job_progress(job_id, done=0, total=batch.rows, message=_("正在校验……"))
    services.batch_check(user=batch.created_by, batch=batch, progress=_report(job_id))
    job_succeeded(
        job_id,
        {"ok": batch.status != ImportBatch.Status.INVALID, **_link(batch)},
        message=importer_for(batch.kind).summary(batch),
    )


@job_task
def write_job(job_id: str, *, batch_id: str) -> None:
    """Phase 2 in the background: check again and write."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    job_progress(job_id, done=0, total=batch.rows, message=_("正在导入……"))
    try:
        services.batch_write(user=batch.created_by, batch=batch, progress=_report(job_id))
    except ValidationError as exc:
        job_succeeded(job_id, {"ok": False, **_link(batch)}, message=exc.message)
        return
    job_succeeded(
        job_id, {"ok": True, **_link(batch)}, message=importer_for(batch.kind).summary(batch)
    )


@on_job_died(services.CHECK_KIND)
@on_job_died(services.WRITE_KIND)
def import_job_died(job: Job) -> None:
    services.batch_job_died(job=job)
