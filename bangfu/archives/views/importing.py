"""Pages of the Excel import (upload → check → result → confirm → done); the roster export
itself is on the export kit (`bangfu.kits.exports`), this only leads there.

Small files are checked and written in the request; larger ones run as background jobs whose
page shows a progress bar and links back here. Views stay thin: the services do the work.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.core.errors import DomainError, NotFound, ValidationError
from bangfu.core.jobs import job_start
from bangfu.core.xlsx import errors_workbook

from .. import xlsx as roster
from ..forms.importing import ImportUploadForm
from ..models import ImportBatch
from ..services import importing
from ..services.exporting import ROSTER_KIND
from ..tasks import (
    CHECK_KIND,
    WRITE_KIND,
    check_message,
    import_check_job,
    import_write_job,
    write_message,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> FileResponse:
    from io import BytesIO

    response = FileResponse(BytesIO(content), as_attachment=True, filename=filename)
    response["Content-Type"] = XLSX
    response["Cache-Control"] = "no-store"
    return response


def _batch(request: HttpRequest, batch_id: Any) -> ImportBatch:
    try:
        return importing.batch_for_user(user=request.user, batch_id=batch_id)
    except NotFound:
        raise Http404 from None


@require_GET
def import_template(request: HttpRequest) -> FileResponse:
    return _xlsx(roster.template_workbook(), _("困难职工花名册导入模板.xlsx"))


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                batch, table = importing.import_upload(
                    user=request.user, content=upload.read(), source_name=upload.name
                )
                if len(table.rows) < importing.inline_rows():
                    importing.import_check(user=request.user, batch=batch, table=table)
                    return redirect("archives:import_batch", batch_id=batch.pk)
                job = job_start(
                    user=request.user,
                    kind=CHECK_KIND,
                    title=_("校验导入文件“%(name)s”") % {"name": batch.source_name},
                    task=import_check_job,
                    batch_id=str(batch.pk),
                )
                batch.check_job = job
                batch.save(update_fields=["check_job"])
        except ValidationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("workbench:job_detail", job_id=job.pk)
    recent = ImportBatch.objects.filter(created_by_id=request.user.pk).defer("content")[:10]
    return render(
        request,
        "archives/importing/upload.html",
        {"form": form, "recent": recent, "max_mb": importing.max_upload_bytes() // 1024 // 1024},
    )


@require_GET
def import_batch(request: HttpRequest, batch_id: Any) -> HttpResponse:
    batch = _batch(request, batch_id)
    errors = batch.errors[: importing.ERRORS_SHOWN]
    summary = ""
    if batch.status in (
        ImportBatch.Status.INVALID,
        ImportBatch.Status.READY,
        ImportBatch.Status.NOTHING,
    ):
        summary = batch.message or check_message(batch)
    elif batch.status == ImportBatch.Status.IMPORTED:
        summary = write_message(batch)
    elif batch.status == ImportBatch.Status.FAILED:
        summary = batch.message
    return render(
        request,
        "archives/importing/batch.html",
        {
            "batch": batch,
            "errors": errors,
            "errors_hidden": max(0, batch.error_count - len(errors)),
            "skipped": batch.skipped[: importing.ERRORS_SHOWN],
            "summary": summary,
            "job": batch.import_job or batch.check_job,
        },
    )


@require_GET
def import_errors(request: HttpRequest, batch_id: Any) -> FileResponse:
    batch = _batch(request, batch_id)
    content = errors_workbook(importing.batch_errors(batch), source_name=batch.source_name)
    stem = batch.source_name.rsplit(".", 1)[0]
    return _xlsx(content, _("%(name)s-错误清单.xlsx") % {"name": stem})


@require_POST
def import_confirm(request: HttpRequest, batch_id: Any) -> HttpResponse:
    batch = _batch(request, batch_id)
    try:
        importing.import_confirm(user=request.user, batch=batch)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("archives:import_batch", batch_id=batch.pk)
    if batch.rows < importing.inline_rows():
        try:
            importing.import_write(user=request.user, batch=batch)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, write_message(batch))
        return redirect("archives:import_batch", batch_id=batch.pk)
    with transaction.atomic():
        job = job_start(
            user=request.user,
            kind=WRITE_KIND,
            title=_("导入“%(name)s”") % {"name": batch.source_name},
            task=import_write_job,
            batch_id=str(batch.pk),
        )
        batch.import_job = job
        batch.save(update_fields=["import_job"])
    return redirect("workbench:job_detail", job_id=job.pk)


@require_POST
def import_cancel(request: HttpRequest, batch_id: Any) -> HttpResponse:
    batch = _batch(request, batch_id)
    importing.import_cancel(user=request.user, batch=batch)
    messages.info(request, _("已取消导入,上传的文件已删除。"))
    return redirect("archives:import_upload")


# --- Export ----------------------------------------------------------------------------------


@require_GET
def export_roster(request: HttpRequest) -> HttpResponse:
    """The roster export is a page of the export kit; the menu and old links come here with the
    list's filters, which are carried along."""
    url = reverse("exports:new", kwargs={"kind": ROSTER_KIND})
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)
