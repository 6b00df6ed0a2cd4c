"""The export pages, one set for every kind: choose (the context's list filters) → confirm
(purpose, masked or full, format) → progress (a job) → download; and the list of my exports."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts import policy
from bangfu.core.formkit import action_response

from . import selectors, services, writers
from .forms import ExportForm
from .models import Export, Format
from .registry import exporter_for


@require_http_methods(["GET", "POST"])
def export_new(request: HttpRequest, kind: str) -> HttpResponse:
    exporter = exporter_for(kind)
    user = request.user
    policy.require_perm(user, exporter.permission)
    selection = exporter.select(user=user, data=request.GET)
    form = ExportForm(
        request.POST or None,
        can_reveal=bool(exporter.reveal_permission)
        and policy.has_perm(user, exporter.reveal_permission),
        pdf=exporter.pdf,
    )

    def run() -> Export:
        data = form.cleaned_data
        return services.export_request(
            user=user,
            kind=kind,
            params=selection.params,
            filters_text=selection.words,
            purpose=data["purpose"],
            purpose_note=data["purpose_note"],
            masked=data["values"] != "full",
            format=data["format"],
        )

    def success_url(export: Export) -> str:
        if export.status == Export.Status.READY:  # small: the file at once
            return reverse("exports:download", kwargs={"export_id": export.pk})
        return reverse("exports:detail", kwargs={"export_id": export.pk})

    return action_response(
        request,
        form=form,
        run=run,
        success_url=success_url,
        template="exports/new.html",
        context={
            "exporter": exporter,
            "kind": kind,
            "selection": selection,
            "scope": exporter.scope(user=user),
            "count": exporter.count(user=user, params=selection.params),
            "inline_limit": exporter.inline_limit(),
            "pdf_max_rows": writers.pdf_max_rows(),
        },
    )


@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exports/list.html",
        {"exports": selectors.my_exports(user=request.user), "now": timezone.now()},
    )


@require_GET
def export_detail(request: HttpRequest, export_id: Any) -> HttpResponse:
    export = selectors.export_for_user(user=request.user, export_id=export_id)
    return render(
        request,
        "exports/detail.html",
        {
            "export": export,
            "job": export.job,
            "downloadable": selectors.is_downloadable(export),
            "purpose": services.purpose_words(export),
        },
    )


def filename(export: Export) -> str:
    kind = _("打码") if export.masked else _("完整")
    day = timezone.localtime(export.created_at).strftime("%Y%m%d")
    return f"{export.title}-{day}-{kind}.{writers.EXTENSIONS[Format(export.format)]}"


@require_GET
def export_download(request: HttpRequest, export_id: Any) -> StreamingHttpResponse:
    export = selectors.export_for_user(user=request.user, export_id=export_id)
    chunks = selectors.export_file(user=request.user, export=export)
    response = StreamingHttpResponse(
        chunks, content_type=writers.CONTENT_TYPES[Format(export.format)]
    )
    response["Content-Disposition"] = content_disposition_header(True, filename(export)) or ""
    response["Content-Length"] = str(export.size)
    response["Cache-Control"] = "no-store"
    return response
