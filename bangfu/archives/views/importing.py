"""Pages of the roster export. The roster import's pages are the import kit's
(`bangfu.kits.imports.views.import_urls`, included in `archives.urls.importing`).

Small exports are written in the request; larger ones run as background jobs whose page shows a
progress bar and links back here. Views stay thin: the services do the work.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.accounts import policy
from bangfu.core.errors import Conflict, NotFound, ValidationError
from bangfu.core.jobs import job_start

from ..forms.browse import HouseholdFilterForm
from ..forms.importing import ExportFullForm
from ..models import Household
from ..permissions import ArchivesPermission
from ..selectors.browse import HouseholdFilters, station_choices
from ..services import exporting, importing
from ..tasks import EXPORT_KIND, export_roster_job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> FileResponse:
    from io import BytesIO

    response = FileResponse(BytesIO(content), as_attachment=True, filename=filename)
    response["Content-Type"] = XLSX
    response["Cache-Control"] = "no-store"
    return response


# --- Export ----------------------------------------------------------------------------------


ALL_STATUSES = "all"


def _filters(request: HttpRequest) -> tuple[HouseholdFilters, str]:
    """Return the list's filters from the query string (invalid ones are ignored, as on the
    list page) and the query string to carry them on.

    The status is the export's own (issue 11): 在档 unless the query asks for another status
    or for all of them (`status=all`): a roster is of the archives being helped, not of the
    applications, refusals and closed archives the list shows beside them.
    """
    data = request.GET.copy()
    status = data.pop("status", [""])[-1]
    if status not in Household.Status.values and status != ALL_STATUSES:
        status = Household.Status.ACTIVE
    form = HouseholdFilterForm(data or None, units=station_choices(user=request.user))
    filters = form.filters() if data and form.is_valid() else HouseholdFilters()
    filters = replace(filters, status="" if status == ALL_STATUSES else status)
    carried = {k: v for k, v in data.items() if v} if data and form.is_valid() else {}
    return filters, urlencode({**carried, "status": status}, doseq=False)


def _confirm_context(request: HttpRequest, filters: HouseholdFilters, query: str) -> dict[str, Any]:
    count = exporting.roster_count(user=request.user, filters=filters)
    return {
        "count": count,
        "query": query,
        "status": filters.status or ALL_STATUSES,
        "statuses": [
            *Household.Status.choices,
            (ALL_STATUSES, _("全部状态")),
        ],
        "hidden": [(k, v) for k, v in request.GET.items() if k != "status" and v],
    }


def _export_filename(masked: bool) -> str:
    kind = _("打码") if masked else _("完整")
    return _("困难职工花名册-%(date)s-%(kind)s.xlsx") % {
        "date": timezone.localdate().strftime("%Y%m%d"),
        "kind": kind,
    }


def _export(
    request: HttpRequest, filters: HouseholdFilters, *, masked: bool, purpose: str = ""
) -> HttpResponseBase:
    count = exporting.roster_count(user=request.user, filters=filters)
    if count <= exporting.inline_households():
        _record, content = exporting.roster_export(
            user=request.user, filters=filters, masked=masked, purpose=purpose
        )
        return _xlsx(content, _export_filename(masked))
    with transaction.atomic():
        export = exporting.roster_export_start(
            user=request.user, filters=filters, masked=masked, purpose=purpose
        )
        job = job_start(
            user=request.user,
            kind=EXPORT_KIND,
            title=_("导出花名册(%(count)d 户)") % {"count": count},
            task=export_roster_job,
            export_id=str(export.pk),
        )
        export.job = job
        export.save(update_fields=["job"])
    return redirect("workbench:job_detail", job_id=job.pk)


@require_http_methods(["GET", "POST"])
def export_roster(request: HttpRequest) -> HttpResponseBase:
    """Masked roster of the archives in the list (with its filters): GET asks to confirm, the
    POST exports (small ones at once, larger ones as a job). An export is recorded in the
    audit trail, so a plain link (or a page elsewhere linking here) must not make one."""
    filters, query = _filters(request)
    if request.method == "GET":
        return render(
            request,
            "archives/importing/export_confirm.html",
            {**_confirm_context(request, filters, query), "full": False, "form": None},
        )
    return _export(request, filters, masked=True)


@require_http_methods(["GET", "POST"])
def export_roster_full(request: HttpRequest) -> HttpResponseBase:
    """Full roster (IDs, phones, bank cards in full): needs archives.reveal and a reason."""
    policy.require_perm(request.user, ArchivesPermission.EXPORT)
    filters, query = _filters(request)
    form = ExportFullForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            return _export(request, filters, masked=False, purpose=form.cleaned_data["purpose"])
        except ValidationError as exc:
            form.add_error("purpose", exc.message)
    return render(
        request,
        "archives/importing/export_confirm.html",
        {**_confirm_context(request, filters, query), "full": True, "form": form},
    )


@require_GET
def export_download(request: HttpRequest, export_id: Any) -> FileResponse:
    try:
        export = exporting.export_for_user(user=request.user, export_id=export_id)
        content = exporting.export_content(export)
    except NotFound:
        raise Http404 from None
    return _xlsx(content, _export_filename(export.masked))


@require_POST
def household_import_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an imported archive's missing national-form data as completed."""
    household = policy.scoped_get(
        Household.objects.filter(policy.scope_q(request.user, ArchivesPermission.VIEW)),
        pk,
        message=_("未找到该档案。"),
    )
    try:
        importing.imported_archive_complete(actor=request.user, household=household)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认导入档案的资料补全。"))
    return redirect("archives:household_detail", pk=household.pk)
