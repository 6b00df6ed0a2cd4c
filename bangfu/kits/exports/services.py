"""Exports: one service for every kind (see `registry.Exporter`).

Masked by default; full values only with the kind's reveal permission and a reason, written
once to the access log (purpose, scope, row count). Small exports are written in the request,
large ones by a background job with a progress bar. The file is written row by row to a
temporary file, then stored encrypted in chunks; it expires after BANGFU_EXPORT_KEEP_HOURS and
is emptied. Every export is one audit event.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import IO, Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.access import access_log_record
from bangfu.core.audit import audit_record
from bangfu.core.crypto import encrypt_bytes
from bangfu.core.errors import ValidationError
from bangfu.core.jobs import job_start

from . import writers
from .audit_actions import ExportsAction
from .models import Export, ExportChunk, Format, Purpose
from .registry import Exporter, exporter_for

CHUNK_BYTES = 1024 * 1024  # one encrypted chunk per MiB of file
JOB_KIND = "exports.export"

Progress = Callable[[int, int], None]
Batch = TypeVar("Batch")


def keep_for() -> timedelta:
    return timedelta(hours=int(settings.BANGFU_EXPORT_KEEP_HOURS))


def purpose_words(export: Export) -> str:
    label = Purpose(export.purpose).label if export.purpose in Purpose.values else export.purpose
    return f"{label}:{export.purpose_note}" if export.purpose_note else str(label)


def _check(
    user: Any, exporter: Exporter, *, masked: bool, purpose: str, note: str, format: str
) -> tuple[str, str]:
    """Raise PermissionDenied or ValidationError (naming the field) for an export the user may
    not make as asked; return the purpose and its note, cleaned."""
    policy.require_perm(user, exporter.permission)
    if not masked:
        policy.require_perm(user, exporter.reveal_permission)
    purpose, note = (purpose or "").strip(), (note or "").strip()
    if purpose not in Purpose.values:
        raise ValidationError(_("请选择导出用途。"), field="purpose")
    if format not in Format.values or (format == Format.PDF and not exporter.pdf):
        raise ValidationError(_("请选择导出格式。"), field="format")
    if not masked and len(note) < 2:
        raise ValidationError(_("完整导出须填写导出事由。"), field="purpose_note")
    if purpose == Purpose.OTHER and len(note) < 2:
        raise ValidationError(_("用途选择“其他”时,请写明导出事由。"), field="purpose_note")
    if len(note) > 200:
        raise ValidationError(_("导出事由不能超过 200 个字。"), field="purpose_note")
    return purpose, note


def _pdf_refusal(rows: int) -> ValidationError:
    return ValidationError(
        _(
            "PDF 仅用于打印少量数据(不超过 %(limit)d 行),本次导出约 %(rows)d 行以上。"
            "请缩小筛选范围,或改用 Excel / CSV 格式。"
        )
        % {"limit": writers.pdf_max_rows(), "rows": rows},
        field="format",
    )


def export_request(
    *,
    user: Any,
    kind: str,
    params: dict[str, Any],
    filters_text: str,
    purpose: str,
    purpose_note: str = "",
    masked: bool = True,
    format: str = Format.XLSX,
) -> Export:
    """Make an export: written now when small (status ready), else queued for a job.

    Raise PermissionDenied (no permission to export, or to export in full) or ValidationError
    (no purpose, no reason for a full export, a PDF too large); nothing is written then.
    """
    exporter = exporter_for(kind)
    purpose, purpose_note = _check(
        user, exporter, masked=masked, purpose=purpose, note=purpose_note, format=format
    )
    count = exporter.count(user=user, params=params)
    if format == Format.PDF and count > writers.pdf_max_rows():
        raise _pdf_refusal(count)
    with transaction.atomic():
        export = Export.objects.create(
            kind=kind,
            title=str(exporter.title)[:100],
            purpose=purpose,
            purpose_note=purpose_note[:200],
            scope=exporter.scope(user=user)[:255],
            filters_text=filters_text[:500],
            params=params,
            masked=masked,
            format=format,
            created_by=user,
        )
        if count <= exporter.inline_limit():
            return export_write(export=export)
        export.job = job_start(
            user=user,
            kind=JOB_KIND,
            title=_("导出%(title)s(%(count)d %(unit)s)")
            % {"title": exporter.title, "count": count, "unit": exporter.count_unit},
            task=_export_task(),
            export_id=str(export.pk),
            total=count,
        )
        export.save(update_fields=["job"])
    return export


def _export_task() -> Any:
    from .tasks import export_job

    return export_job


def _read_ahead(batches: Iterator[Batch]) -> Iterator[Batch]:
    """Yield the batches while a thread reads the next one, so that the database's time (the
    query, the rows coming over the socket) overlaps the writing of this batch instead of
    following it: on a million archives the database's share is about 50 s beside 130 s of
    writing (bench/RESULTS.md).

    Only outside a transaction: the thread has a connection of its own, which sees only what is
    committed — inside a transaction (a test's, an atomic request's) the batches are read here,
    in turn. The thread reads in the caller's language; it ends, and closes its connection,
    when the batches end, fail (the error is raised here) or are no longer wanted."""
    if transaction.get_connection().in_atomic_block:
        yield from batches
        return
    import queue
    import threading

    from django.db import connections
    from django.utils import translation

    language = translation.get_language()
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            with translation.override(language):
                for batch in batches:
                    if not offer(("batch", batch)):
                        return
            offer(("end", None))
        except BaseException as error:  # raised again in the writing thread
            offer(("error", error))
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=read, name="export-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = ready.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()


def _rows(
    batches: Iterator[list[Sequence[Any]]],
    counts: dict[str, int],
    *,
    limit: int | None,
    progress: Progress | None,
) -> Iterator[Sequence[Any]]:
    counts.setdefault("rows", 0)
    for batch in _read_ahead(batches):
        counts["rows"] += len(batch)
        if limit is not None and counts["rows"] > limit:
            raise _pdf_refusal(counts["rows"])
        yield from batch
        if progress is not None:
            progress(counts.get("items", counts["rows"]), 0)


def _store(export: Export, source: IO[bytes]) -> int:
    """Store the file in encrypted chunks; return its size."""
    source.seek(0)
    size = seq = 0
    while data := source.read(CHUNK_BYTES):
        ExportChunk.objects.create(export=export, seq=seq, data=encrypt_bytes(data))
        size += len(data)
        seq += 1
    return size


def export_write(*, export: Export, progress: Progress | None = None) -> Export:
    """Write an export's file (in the request or a job) and record it: chunks, the access-log
    entry of a full export, one audit event, in one transaction."""
    exporter = exporter_for(export.kind)
    user = export.created_by
    _check(
        user,
        exporter,
        masked=export.masked,
        purpose=export.purpose,
        note=export.purpose_note,
        format=export.format,
    )
    counts: dict[str, int] = {}
    limit = writers.pdf_max_rows() if export.format == Format.PDF else None
    batches = exporter.batches(user=user, params=export.params, masked=export.masked, counts=counts)
    notes = [
        _("范围:%(scope)s") % {"scope": export.scope},
        _("筛选条件:%(filters)s") % {"filters": export.filters_text or _("无")},
        _("导出用途:%(purpose)s") % {"purpose": purpose_words(export)},
    ]
    with tempfile.TemporaryFile(prefix="bangfu-export-") as temp:
        writers.write(
            temp,
            format=export.format,
            sheet=exporter.sheet(masked=export.masked),
            rows=_rows(batches, counts, limit=limit, progress=progress),
            name=str(exporter.title),
            notes=notes,
        )
        with transaction.atomic():
            export.size = _store(export, temp)
            now = timezone.now()
            export.rows = counts.get("rows", 0)
            export.counts = counts
            export.status = Export.Status.READY
            export.params = {}  # what was sealed for the job is no longer needed
            export.message = exporter.summary(counts)
            export.finished_at = now
            export.expires_at = now + keep_for()
            export.save()
            _record(user, exporter, export)
    return export


def _record(user: Any, exporter: Exporter, export: Export) -> None:
    if not export.masked:
        access_log_record(
            user=user, obj=export, fields=exporter.full_fields, purpose=purpose_words(export)[:255]
        )
    audit_record(
        actor=user,
        action=ExportsAction.EXPORT_CREATE,
        obj=export,
        summary=f"{export}:{export.message}",
        changes={
            "kind": export.kind,
            "masked": export.masked,
            "format": export.format,
            "rows": export.rows,
            "counts": export.counts,
            "purpose": purpose_words(export),
            "scope": export.scope,
            "filters": export.filters_text,
        },
    )


def export_fail(*, export_id: Any, message: str) -> None:
    """An export that could not be written (a job that failed or died): failed, with what
    it held emptied (its sealed parameters, any chunk)."""
    with transaction.atomic():
        ExportChunk.objects.filter(export_id=export_id).delete()
        Export.objects.filter(pk=export_id).exclude(status=Export.Status.READY).update(
            status=Export.Status.FAILED, params={}, message=message, finished_at=timezone.now()
        )


def exports_expire(*, now: datetime | None = None) -> int:
    """Empty every export kept longer than BANGFU_EXPORT_KEEP_HOURS; return how many.

    Run by `manage.py exports_expire` (cron) and before each export job; never from a page.
    One audit event for the run (the system's).
    """
    now = now or timezone.now()
    due = Export.objects.filter(status=Export.Status.READY, expires_at__lte=now)
    ids = list(due.values_list("pk", flat=True)[:10000])
    if not ids:
        return 0
    with transaction.atomic():
        ExportChunk.objects.filter(export_id__in=ids).delete()
        Export.objects.filter(pk__in=ids).update(status=Export.Status.EXPIRED, size=0)
        audit_record(
            actor=None,
            action=ExportsAction.EXPORT_EXPIRE,
            object_type="exports.export",
            summary=_("清除过期导出文件 %(count)d 个") % {"count": len(ids)},
            changes={"exports": [str(pk) for pk in ids]},
        )
    return len(ids)
