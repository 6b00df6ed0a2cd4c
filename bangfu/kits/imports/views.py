"""The import kit's pages: upload → check result (errors downloadable as a sheet) → confirm or
cancel → done; retry after a dead job. A context includes them with `import_urls(kind)` in its
own URL namespace (names `import_upload`, `import_batch`, …, declared in its permissions)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.core.errors import DomainError, ValidationError
from bangfu.core.masking import mask_numbers_in_text
from bangfu.core.xlsx import Table, errors_workbook, shown_value

from . import mapping, services
from .forms import UploadForm
from .models import ImportBatch
from .registry import Importer, importer_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAMES = ("upload", "template", "batch", "mapping", "errors", "confirm", "cancel", "retry")


def _xlsx(content: bytes, filename: str) -> FileResponse:
    response = FileResponse(BytesIO(content), as_attachment=True, filename=filename)
    response["Content-Type"] = XLSX
    response["Cache-Control"] = "no-store"
    return response


def _urls(importer: Importer) -> dict[str, str]:
    return {name: f"{importer.url_namespace}:import_{name}" for name in NAMES}


def _batch(request: HttpRequest, kind: str, batch_id: Any) -> ImportBatch:
    return services.batch_for_user(user=request.user, batch_id=batch_id, kind=kind)


def _to_batch(importer: Importer, batch: ImportBatch) -> HttpResponse:
    return redirect(f"{importer.url_namespace}:import_batch", batch_id=batch.pk)


def start_upload(
    request: HttpRequest, kind: str, file: Any, *, context: dict[str, Any] | None = None
) -> HttpResponse:
    """Store and check an uploaded `file` of `kind` (with the context's `context`, e.g. which
    bank batch) and answer where the user goes next: the job's progress, the column mapping,
    or the batch's result. Raise `ValidationError` (field "file") when the file is refused;
    the caller's upload form shows it. Also used by contexts' own upload pages."""
    importer = importer_for(kind)
    batch, job = services.batch_start_check(
        user=request.user,
        kind=kind,
        content=file.read(),
        source_name=file.name or "",
        context=context,
    )
    if job is not None:
        return redirect("workbench:job_detail", job_id=job.pk)
    if batch.status == ImportBatch.Status.MAPPING:
        return redirect(f"{importer.url_namespace}:import_mapping", batch_id=batch.pk)
    return _to_batch(importer, batch)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    importer = importer_for(kind)
    form = UploadForm(request.POST or None, request.FILES or None, label=str(importer.label))
    if request.method == "POST" and form.is_valid():
        try:
            return start_upload(request, kind, form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc.message)
    recent = ImportBatch.objects.filter(created_by_id=request.user.pk, kind=kind)[:10]
    return render(
        request,
        "imports/upload.html",
        {
            "importer": importer,
            "form": form,
            "recent": recent,
            "urls": _urls(importer),
            "has_template": importer.template() is not None,
            "max_mb": services.max_upload_bytes() // 1024 // 1024,
        },
    )


@require_GET
def template(request: HttpRequest, kind: str) -> FileResponse:
    importer = importer_for(kind)
    content = importer.template()
    if content is None:
        raise Http404
    return _xlsx(content, _("%(label)s导入模板.xlsx") % {"label": importer.label})


def _counts(importer: Importer, batch: ImportBatch) -> list[tuple[str, str, int]]:
    done = batch.status == ImportBatch.Status.IMPORTED
    return [
        (key, str(after if done else before), int(batch.counts.get(key, 0)))
        for key, before, after in importer.count_labels
    ]


@require_GET
def batch(request: HttpRequest, kind: str, batch_id: Any) -> HttpResponse:
    importer = importer_for(kind)
    item = _batch(request, kind, batch_id)
    errors = [
        [e.sheet, e.row, e.column, e.message]
        for e in item.error_rows.order_by("seq")[: services.ERRORS_SHOWN]
    ]
    summary = ""
    if item.status in (
        ImportBatch.Status.INVALID,
        ImportBatch.Status.READY,
        ImportBatch.Status.NOTHING,
        ImportBatch.Status.IMPORTED,
    ):
        summary = item.message or importer.summary(item)
    elif item.status == ImportBatch.Status.FAILED:
        summary = item.message
    elif item.status == ImportBatch.Status.MAPPING:
        summary = _("文件中有系统认不出的列或取值:请先核对列和取值,再校验。")
    elif item.status == ImportBatch.Status.CANCELLED:
        # Cancelled by the user, or left waiting and cancelled by `imports_expire` (its reason).
        summary = item.message or _("已取消,没有导入任何数据,上传的文件已删除。")
    return render(
        request,
        "imports/batch.html",
        {
            "importer": importer,
            "batch": item,
            "counts": _counts(importer, item),
            "errors": errors,
            "errors_hidden": max(0, item.error_count - len(errors)),
            "skipped": item.skipped[: services.ERRORS_SHOWN],
            "summary": summary,
            "job": item.import_job or item.check_job,
            "can_retry": item.status == ImportBatch.Status.FAILED and item.has_content,
            "modes": services.importer_modes(kind),
            "mode_label": {v: label for v, label, _h in services.importer_modes(kind)}.get(
                item.mode, ""
            ),
            "urls": _urls(importer),
        },
    )


@require_GET
def errors(request: HttpRequest, kind: str, batch_id: Any) -> FileResponse:
    item = _batch(request, kind, batch_id)
    content = errors_workbook(services.batch_errors(item), source_name=item.source_name)
    stem = item.source_name.rsplit(".", 1)[0]
    return _xlsx(content, _("%(name)s-错误清单.xlsx") % {"name": stem})


@require_POST
def confirm(request: HttpRequest, kind: str, batch_id: Any) -> HttpResponse:
    importer = importer_for(kind)
    item = _batch(request, kind, batch_id)
    try:
        job = services.batch_start_write(
            user=request.user, batch=item, mode=request.POST.get("mode", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _to_batch(importer, item)
    if job is not None:
        return redirect("workbench:job_detail", job_id=job.pk)
    messages.success(request, importer.summary(item))
    return _to_batch(importer, item)


@require_POST
def cancel(request: HttpRequest, kind: str, batch_id: Any) -> HttpResponse:
    importer = importer_for(kind)
    item = _batch(request, kind, batch_id)
    services.batch_cancel(user=request.user, batch=item)
    messages.info(request, _("已取消导入,上传的文件已删除。"))
    return redirect(f"{importer.url_namespace}:import_upload")


@require_POST
def retry(request: HttpRequest, kind: str, batch_id: Any) -> HttpResponse:
    importer = importer_for(kind)
    item = _batch(request, kind, batch_id)
    try:
        job = services.batch_retry(user=request.user, batch=item)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _to_batch(importer, item)
    if job is not None:
        return redirect("workbench:job_detail", job_id=job.pk)
    return _to_batch(importer, item)


PREVIEW_ROWS = 5


def _posted_mapping(
    request: HttpRequest, importer: Importer, table: Table
) -> tuple[mapping.Mapping, list[str]]:
    """Return the mapping the form posted and what is wrong with it (nothing is trusted: a
    field or a choice that is not the importer's is refused)."""
    fields = dict(importer.fields())
    choices = importer.choice_columns()
    problems: list[str] = []
    columns: dict[str, str] = {}
    used: dict[str, str] = {}
    for letter, title, _key in table.headers:
        key = request.POST.get(f"col-{letter}", "")
        if key and key not in fields:
            problems.append(_("“%(title)s”列的对应字段无效。") % {"title": title})
            continue
        if key and key in used:
            problems.append(
                _("“%(field)s”对应了两列(“%(first)s”和“%(second)s”),请只保留一列。")
                % {"field": fields[key], "first": used[key], "second": title}
            )
            continue
        if key:
            used[key] = title
        columns[title] = key
    values: dict[str, dict[str, str]] = {}
    for n in range(int(request.POST.get("values", "0") or 0)):
        key = request.POST.get(f"valkey-{n}", "")
        compared = request.POST.get(f"valcmp-{n}", "")
        label = request.POST.get(f"val-{n}", "")
        if not label or key not in choices or not compared:
            continue
        if label not in choices[key]:
            problems.append(_("“%(value)s”的对应取值无效。") % {"value": compared})
            continue
        values.setdefault(key, {})[compared] = label
    return mapping.Mapping(columns, values), problems


def _mapping_context(
    importer: Importer, item: ImportBatch, table: Table, chosen: mapping.Mapping
) -> dict[str, Any]:
    fields = list(importer.fields())
    titles = dict(fields)
    shown = [(letter, title, key) for letter, title, key in table.headers if key]
    preview = [
        (row.number, [_cell(row.values.get(key)) for _letter, _title, key in shown])
        for row in table.rows[:PREVIEW_ROWS]
    ]
    unmatched = mapping.unmatched_values(importer, table)
    chosen_values = chosen.values
    return {
        "importer": importer,
        "batch": item,
        "urls": _urls(importer),
        "fields": fields,
        "columns": [
            (letter, title, key or "", [_cell(v) for v in table.samples.get(letter, [])])
            for letter, title, key in table.headers
        ],
        "ignored": table.ignored_titles,
        "dropped": table.dropped_titles,
        "missing": table.missing_required,
        "preview_header": [(title, titles.get(key or "", "")) for _l, title, key in shown],
        "preview": preview,
        "unmatched": [
            (n, value, chosen_values.get(value.key, {}).get(value.compared, ""))
            for n, value in enumerate(unmatched)
        ],
        "saved": False,
    }


def _cell(value: Any) -> str:
    """A cell as shown on the mapping page: ID, mobile and card numbers masked."""
    return mask_numbers_in_text(shown_value(value))


@require_http_methods(["GET", "POST"])
def mapping_page(request: HttpRequest, kind: str, batch_id: Any) -> HttpResponse:
    """Every column of the sheet beside its field, the words no choice matched, and a preview
    of the first rows as they will be read; 预览 shows a changed mapping, 保存并校验 keeps it
    (for this centre's next sheet with these headers) and checks the file with it."""
    importer = importer_for(kind)
    item = _batch(request, kind, batch_id)
    if item.status != ImportBatch.Status.MAPPING:
        return _to_batch(importer, item)
    content = services.batch_content(item)
    problems: list[str] = []
    if request.method == "POST":
        base = importer.read(content, None)
        chosen, problems = _posted_mapping(request, importer, base)
    else:
        chosen = mapping.Mapping.of(item.mapping)
    table = mapping.read(importer, content, chosen)
    if request.method == "POST" and not problems and request.POST.get("action") == "check":
        try:
            job = services.batch_map(user=request.user, batch=item, chosen=chosen, table=table)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _to_batch(importer, item)
        if job is not None:
            return redirect("workbench:job_detail", job_id=job.pk)
        return _to_batch(importer, item)
    context = _mapping_context(importer, item, table, chosen)
    context["problems"] = problems
    # The centre's saved mapping for these headers, offered (an empty one is no saved mapping).
    context["saved"] = request.method == "GET" and bool(mapping.Mapping.of(item.mapping))
    return render(request, "imports/mapping.html", context, status=400 if problems else 200)


def import_urls(kind: str, prefix: str = "import/") -> list[URLPattern]:
    """The kit's pages for `kind`, to include in a context's URL conf (its namespace)."""
    extra = {"kind": kind}
    return [
        path(prefix, upload, extra, name="import_upload"),
        path(f"{prefix}template.xlsx", template, extra, name="import_template"),
        path(f"{prefix}<uuid:batch_id>/", batch, extra, name="import_batch"),
        path(f"{prefix}<uuid:batch_id>/mapping/", mapping_page, extra, name="import_mapping"),
        path(f"{prefix}<uuid:batch_id>/errors.xlsx", errors, extra, name="import_errors"),
        path(f"{prefix}<uuid:batch_id>/confirm/", confirm, extra, name="import_confirm"),
        path(f"{prefix}<uuid:batch_id>/cancel/", cancel, extra, name="import_cancel"),
        path(f"{prefix}<uuid:batch_id>/retry/", retry, extra, name="import_retry"),
    ]
