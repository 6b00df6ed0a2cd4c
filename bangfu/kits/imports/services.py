"""The import kit's writes: upload, check, confirm, write, cancel, retry — and the one place that
decides whether a phase runs in the request or as a background job (with a progress bar).

Only these functions set a batch's status. An importer (`registry.Importer`) reads, checks and
writes its own records; the kit stores the file, the counts and the errors around it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections.abc import Generator, Iterable
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.crypto import decrypt_bytes, encrypt_bytes
from bangfu.core.errors import Conflict, NotFound, ValidationError
from bangfu.core.jobs import job_start
from bangfu.core.models import Job
from bangfu.core.text import clean_text
from bangfu.core.xlsx import CellError, Table, table_frames, table_from_frames

from . import mapping
from .models import ImportBatch, ImportBatchError, ImportChunk
from .registry import Outcome, Progress, importer_for

logger = logging.getLogger(__name__)

CHECK_KIND = "imports.check"
WRITE_KIND = "imports.write"
CHUNK_BYTES = 1024 * 1024  # the file is sealed and stored in pieces of this size
ERRORS_SHOWN = 200  # errors listed on the page; the downloadable sheet has them all
Status = ImportBatch.Status
Part = ImportChunk.Part


def max_upload_bytes() -> int:
    return int(settings.BANGFU_IMPORT_MAX_MB) * 1024 * 1024


def inline_rows() -> int:
    """Files with fewer rows are checked and written in the request; larger ones in a job."""
    return int(getattr(settings, "BANGFU_IMPORT_INLINE_ROWS", 200))


def _quiet(done: int, total: int) -> None:
    return None


# --- The file --------------------------------------------------------------------------------


def _store_content(batch: ImportBatch, content: bytes) -> None:
    ImportChunk.objects.bulk_create(
        ImportChunk(batch=batch, seq=n, data=encrypt_bytes(content[start : start + CHUNK_BYTES]))
        for n, start in enumerate(range(0, max(len(content), 1), CHUNK_BYTES))
    )


def batch_content(batch: ImportBatch) -> bytes:
    """Return the batch's file in clear; ValidationError when it is no longer kept."""
    pieces = [
        decrypt_bytes(bytes(data))
        for data in ImportChunk.objects.filter(batch=batch, part=Part.FILE)
        .order_by("seq")
        .values_list("data", flat=True)
    ]
    if not pieces:
        raise ValidationError(_("上传的文件已删除,请重新上传。"))
    return b"".join(pieces)


def _empty(batch: ImportBatch) -> None:
    ImportChunk.objects.filter(batch=batch).delete()


# --- The file's rows as read, kept for the phases after the upload ---------------------------
#
# The upload reads the whole file (the mapping page needs every word of the choice columns);
# a large file's check and write then ran as jobs that read it again — two fifths of a second
# import of 100,000 rows. The rows read are kept beside the file instead, as frames
# (`core.xlsx.table_frames`, each after its length in 4 bytes), deflated and sealed in chunks
# like the file. Each chunk's clear text starts with its batch and place, and the first frame
# names the file's digest and the mapping it was read with: chunks moved between batches,
# reordered, cut short or read with another mapping are not used — the file is read as before.

_LENGTH = 4


def _binding(batch: ImportBatch, part: str, seq: int) -> bytes:
    if part == Part.ROWS:  # as kept before other parts were
        return f"{batch.pk}:{seq}\n".encode()
    return f"{batch.pk}:{part}:{seq}\n".encode()


def _rows_stamp(batch: ImportBatch) -> bytes:
    return json.dumps([batch.sha256, batch.mapping], sort_keys=True, ensure_ascii=False).encode()


def keep_frames(batch: ImportBatch, part: str, stamp: bytes, frames: Iterable[bytes]) -> None:
    """Keep `frames` as the batch's `part` (in place of any kept before), after `stamp` (what
    they were made from, as JSON, compared by `kept_frames`): deflated and sealed in chunks,
    each bound to its batch, part and place."""
    ImportChunk.objects.filter(batch=batch, part=part).delete()
    deflate = zlib.compressobj(1)
    chunks: list[ImportChunk] = []
    pending: list[bytes] = []
    size = 0

    def seal(data: bytes) -> None:
        seq = len(chunks)
        chunks.append(
            ImportChunk(
                batch=batch,
                part=part,
                seq=seq,
                data=encrypt_bytes(_binding(batch, part, seq) + data),
            )
        )

    clear = 0  # bytes deflated since the last chunk: a chunk holds at most 16 × CHUNK_BYTES
    for frame in chain([stamp], frames):
        clear += _LENGTH + len(frame)
        pending.append(deflate.compress(len(frame).to_bytes(_LENGTH, "big")))
        pending.append(deflate.compress(frame))
        size += len(pending[-1]) + len(pending[-2])
        if clear >= 16 * CHUNK_BYTES:
            pending.append(deflate.flush(zlib.Z_SYNC_FLUSH))
            size = CHUNK_BYTES
        if size >= CHUNK_BYTES:
            seal(b"".join(pending))
            pending, size, clear = [], 0, 0
    pending.append(deflate.flush())
    seal(b"".join(pending))
    ImportChunk.objects.bulk_create(chunks)


def _store_table(batch: ImportBatch, table: Table) -> bool:
    """Keep `table` (the file read with `batch.mapping`) for the phases to come, in place of
    any kept before; False when it cannot be kept so (the phases read the file)."""
    frames = table_frames(table)
    if frames is None:
        ImportChunk.objects.filter(batch=batch, part=Part.ROWS).delete()
        return False
    keep_frames(batch, Part.ROWS, _rows_stamp(batch), frames)
    return True


def _kept_frames(batch: ImportBatch, part: str) -> Generator[bytes, None, None]:
    inflate = zlib.decompressobj()
    rest = b""
    chunks = (
        ImportChunk.objects.filter(batch=batch, part=part)
        .order_by("seq")
        .values_list("seq", "data")
    )
    for expected, (seq, data) in enumerate(chunks.iterator(chunk_size=4)):
        clear = decrypt_bytes(bytes(data))
        binding = _binding(batch, part, expected)
        if seq != expected or not clear.startswith(binding):
            raise ValueError("a chunk of another batch or place")
        rest += inflate.decompress(clear[len(binding) :])
        start = 0
        while len(rest) - start >= _LENGTH:
            length = int.from_bytes(rest[start : start + _LENGTH], "big")
            if len(rest) - start - _LENGTH < length:
                break
            yield rest[start + _LENGTH : start + _LENGTH + length]
            start += _LENGTH + length
        rest = rest[start:]
    if not inflate.eof or rest:
        raise ValueError("the kept rows end early")


def kept_frames(batch: ImportBatch, part: str, stamp: bytes) -> Generator[bytes, None, None]:
    """The frames kept as the batch's `part` after the same `stamp` (`keep_frames`), one by
    one; nothing when none are kept or they were kept after another stamp. ValueError (or
    `DecryptionError`) when the chunks are not all of this batch and part, in order, whole:
    the caller then makes what they hold again."""
    if not ImportChunk.objects.filter(batch=batch, part=part).exists():
        return
    frames = _kept_frames(batch, part)
    try:
        if json.loads(next(frames)) != json.loads(stamp):
            return
        yield from frames
    finally:
        frames.close()


def _kept_table(batch: ImportBatch) -> Table | None:
    """The batch's file as read with its mapping, when kept whole and intact; else None."""
    frames = kept_frames(batch, Part.ROWS, _rows_stamp(batch))
    try:
        first = next(frames, None)
        if first is None:
            return None
        return table_from_frames(chain([first], frames))
    except Exception:  # DecryptionError, a broken stream, frames of another kind
        logger.warning("Import batch %s: its kept rows are not usable; the file is read", batch.pk)
        return None
    finally:
        frames.close()


def batch_table(batch: ImportBatch) -> Table:
    """The batch's file as its importer reads it with the batch's mapping: the rows kept at
    the upload when they are, else the file read again. ValidationError as `batch_content`."""
    kept = _kept_table(batch)
    if kept is not None:
        return kept
    return mapping.read(
        importer_for(batch.kind), batch_content(batch), mapping.Mapping.of(batch.mapping)
    )


# --- Upload and check ------------------------------------------------------------------------


def batch_upload(
    *,
    user: Any,
    kind: str,
    content: bytes,
    source_name: str,
    context: dict[str, Any] | None = None,
) -> tuple[ImportBatch, Table]:
    """Keep an uploaded file (sealed, in chunks) for checking; return the batch and the table.

    `context` (JSON) says what the file is imported into when the page knows it (a bank
    return file: its bank batch); the importer reads it as `batch.context`.
    Raise ValidationError (field "file") when the file is too large or cannot be read.
    """
    importer = importer_for(kind)
    policy.require_perm(user, importer.permission)
    if len(content) > max_upload_bytes():
        raise ValidationError(
            _("文件超过 %(mb)d MB,请分成几个文件导入。") % {"mb": settings.BANGFU_IMPORT_MAX_MB},
            field="file",
        )
    table = importer.read(content, None)
    unit_id = getattr(user, "unit_id", None)
    layout = mapping.headers_key(table)
    known = mapping.saved(unit_id=unit_id, kind=kind, key=layout)
    chosen = (
        mapping.Mapping(dict(known.columns), dict(known.values)) if known else mapping.Mapping()
    )
    if chosen:  # the centre mapped this layout before: read it so again
        table = mapping.read(importer, content, chosen)
    batch = ImportBatch.objects.create(
        kind=kind,
        unit_id=unit_id,
        mapping=chosen.as_json(),
        headers_key=layout,
        created_by=user,
        source_name=clean_text(source_name)[:200] or "import.xlsx",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        rows=len(table.rows),
        context=dict(context or {}),
    )
    _store_content(batch, content)
    return batch, table


def batch_for_user(*, user: Any, batch_id: Any, kind: str | None = None) -> ImportBatch:
    """Return the user's own batch (of `kind`); NotFound for anyone else's or a missing one."""
    batches = ImportBatch.objects.filter(created_by_id=getattr(user, "pk", None))
    if kind is not None:
        batches = batches.filter(kind=kind)
    try:
        return batches.get(pk=batch_id)
    except (ImportBatch.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("未找到该导入记录。")) from None


def _store(batch: ImportBatch, outcome: Outcome) -> None:
    batch.rows = outcome.rows
    batch.counts = dict(outcome.counts)
    batch.skipped = [list(item) for item in outcome.skipped]
    _store_errors(batch, outcome.errors)
    if outcome.errors:
        batch.status = Status.INVALID
        _empty(batch)  # a refused file is not kept: the user fixes it and uploads again
    elif not outcome.writable:
        batch.status = Status.NOTHING
        _empty(batch)
    else:
        batch.status = Status.READY


def _store_errors(batch: ImportBatch, errors: list[CellError]) -> None:
    ImportBatchError.objects.filter(batch=batch).delete()
    ImportBatchError.objects.bulk_create(
        (
            ImportBatchError(
                batch=batch,
                seq=n,
                sheet=e.sheet[:100],
                row=e.row,
                column=e.column[:200],
                message=e.message,
            )
            for n, e in enumerate(errors)
        ),
        batch_size=1000,
    )
    batch.error_count = len(errors)


def batch_check(
    *,
    user: Any,
    batch: ImportBatch,
    table: Table | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Phase 1: check the batch's whole file and store what was found (counts, errors,
    skipped). A file that cannot be read is refused (INVALID) with the reason as its message."""
    importer = importer_for(batch.kind)
    policy.require_perm(user, importer.permission)
    # The check only reads (outside a transaction: a large one may give part of the file to a
    # helper process, `core.forked`); what it found is stored in one.
    try:
        if table is None:
            table = batch_table(batch)
        outcome = importer.check(user=user, batch=batch, table=table, progress=progress or _quiet)
    except ValidationError as exc:
        with transaction.atomic():
            batch.status = Status.INVALID
            batch.message = exc.message
            _empty(batch)
            batch.save()
        raise
    with transaction.atomic():
        _store(batch, outcome)
        batch.save()
    return batch


# --- Confirm and write -----------------------------------------------------------------------


def importer_modes(kind: str) -> list[tuple[str, str, str]]:
    """(value, label, help) of what an import of `kind` may be (the user chooses one before
    confirming); empty when the importer has a single way of writing."""
    return [
        (v, str(label), str(help_)) for v, label, help_ in getattr(importer_for(kind), "modes", ())
    ]


def batch_confirm(*, user: Any, batch: ImportBatch, mode: str = "") -> ImportBatch:
    """Take a checked batch for writing (READY → IMPORTING) as `mode`, once: a second click,
    or a second job, finds it taken. Raise ValidationError when the batch is not ready or the
    importer has modes and `mode` is none of them (nothing changes then)."""
    policy.require_perm(user, importer_for(batch.kind).permission)
    modes = [value for value, _label, _help in importer_modes(batch.kind)]
    if modes and mode not in modes:
        raise ValidationError(_("请选择导入的是哪一种数据。"), field="mode")
    if not modes:
        mode = ""
    taken = ImportBatch.objects.filter(pk=batch.pk, created_by=user, status=Status.READY).update(
        status=Status.IMPORTING, mode=mode
    )
    if not taken:
        raise ValidationError(_("该文件未通过校验或已经导入,不能再次导入。"))
    batch.status = Status.IMPORTING
    batch.mode = mode
    return batch


def batch_write(*, user: Any, batch: ImportBatch, progress: Progress | None = None) -> ImportBatch:
    """Phase 2 (after `batch_confirm`): the importer checks the file again and writes it.

    Raise ValidationError when the batch is not being imported, or when the check now finds
    problems (the database changed since): nothing is written, the batch shows the new errors.
    """
    if batch.status != Status.IMPORTING:
        raise ValidationError(_("该文件未通过校验或已经导入,不能再次导入。"))
    importer = importer_for(batch.kind)
    try:
        table = batch_table(batch)
        outcome = importer.write(user=user, batch=batch, table=table, progress=progress or _quiet)
    except ValidationError as exc:
        with transaction.atomic():
            batch.status = Status.INVALID
            batch.message = exc.message
            _store_errors(batch, [])
            _empty(batch)
            batch.save()
        raise
    if outcome.errors or not outcome.writable:
        with transaction.atomic():
            _store(batch, outcome)
            batch.save()
        if outcome.errors:
            raise ValidationError(
                _("重新校验时发现 %(count)d 处错误(数据库在确认前有变化),没有导入任何数据。")
                % {"count": len(outcome.errors)}
            )
        return batch
    with transaction.atomic():
        batch.status = Status.IMPORTED
        batch.counts = dict(outcome.counts)
        batch.skipped = [list(item) for item in outcome.skipped]
        batch.imported_at = timezone.now()
        _empty(batch)
        batch.save()
    return batch


def batch_cancel(*, user: Any, batch: ImportBatch) -> ImportBatch:
    """Drop a file the user does not want to import (or one whose job died)."""
    if batch.status in (Status.MAPPING, Status.READY, Status.CHECKING, Status.FAILED):
        with transaction.atomic():
            batch.status = Status.CANCELLED
            batch.message = ""  # a died job's message no longer applies: the page says 已取消
            _empty(batch)
            batch.save(update_fields=["status", "message"])
    return batch


# A batch waits for the user in these states, its file kept (sealed) until then.
WAITING = (Status.MAPPING, Status.READY, Status.FAILED)


def keep_days() -> int:
    return int(getattr(settings, "BANGFU_IMPORT_KEEP_DAYS", 7))


def imports_expire(*, now: datetime | None = None) -> int:
    """Cancel the batches left waiting (column mapping, confirmation, a retry after a died job)
    for more than BANGFU_IMPORT_KEEP_DAYS since their upload, and delete their files (a
    roster holds ID numbers: it is not kept for an import nobody finishes); return how many.

    Run by `manage.py imports_expire` (cron, daily); never from a page. A batch being checked
    or written is left alone (its job ends it)."""
    now = now or timezone.now()
    days = keep_days()
    due = ImportBatch.objects.filter(status__in=WAITING, created_at__lte=now - timedelta(days=days))
    with transaction.atomic():
        # Locked until the end: a batch confirmed meanwhile (READY → IMPORTING by
        # `batch_confirm`'s conditional UPDATE) is either not found here or found still READY
        # and then cancelled before the confirmation sees it — never left importing without
        # its file.
        ids = list(due.select_for_update().values_list("pk", flat=True)[:10000])
        if not ids:
            return 0
        ImportChunk.objects.filter(batch_id__in=ids).delete()
        ImportBatch.objects.filter(pk__in=ids).update(
            status=Status.CANCELLED,
            message=_("上传后超过 %(days)d 天没有完成导入,已自动取消,上传的文件已删除。")
            % {"days": days},
        )
    logger.info("Import batches left waiting cancelled and their files deleted: %d", len(ids))
    return len(ids)


def batch_job_died(*, job: Job) -> list[ImportBatch]:
    """The worker died while checking or writing: nothing was written (a write is one
    transaction). The batch fails with the job's message and keeps its file, so that the user
    can retry the phase that died — or cancel, which deletes the file."""
    from django.db.models import Q

    batches = list(
        ImportBatch.objects.filter(Q(check_job=job) | Q(import_job=job)).exclude(
            status__in=ImportBatch.FINISHED
        )
    )
    for batch in batches:
        batch.status = Status.FAILED
        batch.message = job.message
        batch.save(update_fields=["status", "message"])
    return batches


# --- Inline or background --------------------------------------------------------------------


def batch_start_check(
    *,
    user: Any,
    kind: str,
    content: bytes,
    source_name: str,
    context: dict[str, Any] | None = None,
) -> tuple[ImportBatch, Job | None]:
    """Upload and check: in the request for a small file, else as a job (returned). A sheet
    with a header or a choice the importer does not know waits for the user's mapping
    (MAPPING, `batch_map`) instead, unless the centre's saved mapping for its headers covers
    them."""
    from .tasks import check_job

    with transaction.atomic():
        batch, table = batch_upload(
            user=user, kind=kind, content=content, source_name=source_name, context=context
        )
        if mapping.needs_review(importer_for(kind), table):
            # Headers or words the importer does not know: the user maps them first.
            batch.status = Status.MAPPING
            batch.save(update_fields=["status"])
            return batch, None
        if len(table.rows) < inline_rows():
            batch_check(user=user, batch=batch, table=table)
            return batch, None
        _store_table(batch, table)  # the job checks these rows, not the file read again
        return batch, _start(user, batch, CHECK_KIND, check_job)


def batch_map(
    *, user: Any, batch: ImportBatch, chosen: mapping.Mapping, table: Table | None = None
) -> Job | None:
    """Take the user's column and value mapping for a batch waiting for it, keep it for the
    centre's next sheet with these headers, and check the file with it: in the request for a
    small file, else as a job (returned). Raise Conflict when the batch is not waiting."""
    from .tasks import check_job

    importer = importer_for(batch.kind)
    policy.require_perm(user, importer.permission)
    if batch.status != Status.MAPPING:
        raise Conflict(_("该文件已校验或已取消,不能再修改列对应。"))
    with transaction.atomic():
        if table is None:
            table = importer.read(batch_content(batch), chosen.columns or None)
            mapping.apply_values(table, chosen)
        mapping.save(user=user, unit_id=batch.unit_id, kind=batch.kind, table=table, mapping=chosen)
        batch.mapping = chosen.as_json()
        batch.status = Status.CHECKING
        batch.save(update_fields=["mapping", "status"])
        if batch.rows >= inline_rows():
            _store_table(batch, table)  # read with the mapping just chosen
            return _start(user, batch, CHECK_KIND, check_job)
        batch_check(user=user, batch=batch, table=table)
    return None


def _start(user: Any, batch: ImportBatch, kind: str, task: Any) -> Job:
    if kind == CHECK_KIND:
        title = _("校验导入文件“%(name)s”") % {"name": batch.source_name}
    else:
        title = _("导入“%(name)s”") % {"name": batch.source_name}
    job = job_start(user=user, kind=kind, title=title, task=task, batch_id=str(batch.pk))
    if kind == CHECK_KIND:
        batch.check_job = job
        batch.save(update_fields=["check_job"])
    else:
        batch.import_job = job
        batch.save(update_fields=["import_job"])
    return job


def batch_start_write(*, user: Any, batch: ImportBatch, mode: str = "") -> Job | None:
    """Confirm (as `mode`) and write: in the request for a small file, else as a job."""
    from .tasks import write_job

    batch_confirm(user=user, batch=batch, mode=mode)
    if batch.rows < inline_rows():
        batch_write(user=user, batch=batch)
        return None
    with transaction.atomic():
        return _start(user, batch, WRITE_KIND, write_job)


def batch_retry(*, user: Any, batch: ImportBatch) -> Job | None:
    """Run again the phase whose job died (the file is still kept)."""
    from .tasks import check_job, write_job

    policy.require_perm(user, importer_for(batch.kind).permission)
    if batch.status != Status.FAILED or not batch.has_content:
        raise Conflict(_("只有后台任务中断、文件仍保留的导入可以重试。"))
    writing = batch.import_job_id is not None
    with transaction.atomic():
        batch.status = Status.IMPORTING if writing else Status.CHECKING
        batch.message = ""
        batch.save(update_fields=["status", "message"])
        if batch.rows >= inline_rows():
            if writing:
                return _start(user, batch, WRITE_KIND, write_job)
            return _start(user, batch, CHECK_KIND, check_job)
    if writing:
        batch_write(user=user, batch=batch)
    else:
        batch_check(user=user, batch=batch)
    return None


def batch_errors(batch: ImportBatch) -> list[CellError]:
    return [
        CellError(e.sheet, e.row, e.column, e.message)
        for e in ImportBatchError.objects.filter(batch=batch).order_by("seq")
    ]
