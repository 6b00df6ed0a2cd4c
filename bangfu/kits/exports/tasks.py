"""The export job (`manage.py db_worker`) and what a dead one leaves behind."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.core.errors import DomainError
from bangfu.core.jobs import job_progress, job_succeeded, job_task, on_job_died
from bangfu.core.models import Job

from . import services
from .models import Export


@job_task
def export_job(job_id: str, *, export_id: str, total: int = 0) -> None:
    """Write a large export; the result links to its download."""
    services.exports_expire()
    export = Export.objects.select_related("created_by").get(pk=export_id)
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING)
    job_progress(job_id, done=0, total=total, message=_("正在生成导出文件……"))
    try:
        services.export_write(
            export=export, progress=lambda done, _total: job_progress(job_id, done=done)
        )
    except DomainError as exc:
        services.export_fail(export_id=export.pk, message=exc.message)
        raise
    except Exception:
        services.export_fail(export_id=export.pk, message=_("导出出错,已中止。"))
        raise
    result: dict[str, Any] = {
        "ok": True,
        "url": reverse("exports:download", kwargs={"export_id": export.pk}),
        "url_label": _("下载导出文件"),
    }
    job_succeeded(job_id, result, message=_("已导出 %(summary)s。") % {"summary": export.message})


@on_job_died(services.JOB_KIND)
def export_job_died(job: Job) -> None:
    """The worker died while writing: the export fails, its sealed parameters are dropped."""
    for export_id in Export.objects.filter(job=job).values_list("pk", flat=True):
        services.export_fail(export_id=export_id, message=job.message)
