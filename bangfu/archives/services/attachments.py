"""Attachments of an archive: upload (checked by content, encrypted at rest), open, withdraw.

Files are sealed with the field keys (`core.crypto.encrypt_bytes`) and stored under MEDIA_ROOT
with a random name; no URL serves MEDIA_ROOT, so the only way to a file is `attachment_open`,
which the views call after fetching the attachment within the user's scope. An attachment is
never deleted: withdrawing it keeps the file and the row, marked and audited.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.access import access_log_record
from bangfu.core.audit import audit_record
from bangfu.core.crypto import decrypt_bytes, encrypt_bytes
from bangfu.core.errors import Conflict, NotFound, ValidationError
from bangfu.core.masking import mask_numbers_in_text
from bangfu.core.text import clean_text

from ..audit_actions import ArchivesAction
from ..models import Attachment, Household
from ..permissions import ArchivesPermission

if TYPE_CHECKING:
    from bangfu.accounts.models import User

# Content types recognised by their first bytes, never by the file's name.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSIONS = {content_type: ext for _sig, content_type, ext in SIGNATURES}

# Viewing one of these in full is written to the access log, like revealing an ID.
SENSITIVE_KINDS = frozenset(
    {
        Attachment.Kind.ID_COPY,
        Attachment.Kind.HUKOU,
        Attachment.Kind.DIAGNOSIS,
        Attachment.Kind.DISABILITY_CERTIFICATE,
        Attachment.Kind.BANK_CARD_COPY,
    }
)

_CHUNK = 64 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "BANGFU_ATTACHMENT_MAX_MB", 10)) * 1024 * 1024


def sniff_content_type(head: bytes) -> str | None:
    """Return the content type that the file's first bytes show, or None for anything else."""
    for signature, content_type, _ext in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def _read_limited(file: IO[bytes], limit: int) -> bytes:
    """Read at most `limit` + 1 bytes, so an oversized upload is detected without reading it all."""
    if hasattr(file, "seek"):
        file.seek(0)
    chunks, total = [], 0
    while total <= limit:
        chunk = file.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _clean_name(name: str) -> str:
    # Keep only the last path component a browser may send, without control characters.
    base = os.path.basename(str(name or "").replace("\\", "/"))
    base = clean_text("".join(ch for ch in base if ch.isprintable()))
    # Scans are often saved under the number they show ("身份证430302….jpg"); the name is
    # stored, listed and audited in the clear, so such numbers are masked.
    base = mask_numbers_in_text(base)
    return base[-200:] or "file"


def attachment_upload(
    *, user: User, household: Household, kind: str, file: IO[bytes], name: str
) -> Attachment:
    """Store `file` as an attachment of the archive: checked by content (PDF, JPG or PNG),
    at most BANGFU_ATTACHMENT_MAX_MB, encrypted, under a random name; audited.

    Raise PermissionDenied outside the user's filing scope, Conflict for a closed archive,
    ValidationError (on `kind` or `file`) for a wrong type, size or empty file.
    """
    policy.require_in_scope(
        user, ArchivesPermission.FILE, household.unit, message=_("您无权为该档案上传附件。")
    )
    if household.status == Household.Status.CLOSED:
        raise Conflict(_("已撤档的档案不能再上传附件。"))
    if kind not in Attachment.Kind.values:
        raise ValidationError(_("请选择材料类型。"), field="kind")
    limit = max_bytes()
    data = _read_limited(file, limit)
    if not data:
        raise ValidationError(_("文件:上传的文件是空的。"), field="file")
    if len(data) > limit:
        raise ValidationError(
            _("文件:不能超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)}, field="file"
        )
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise ValidationError(
            _("文件:只能上传 PDF、JPG 或 PNG 文件(按文件内容识别,与扩展名无关)。"),
            field="file",
        )
    original_name = _clean_name(name)
    digest = hashlib.sha256(data).hexdigest()
    same = (
        Attachment.objects.filter(household=household, kind=kind, sha256=digest, withdrawn=False)
        .only("original_name")
        .first()
    )
    if same is not None:
        # The same file again (a second click, or uploaded twice by mistake): keep one.
        raise Conflict(
            _("文件:同一文件已作为“%(kind)s”上传(%(name)s),不必重复上传。")
            % {"kind": Attachment.Kind(kind).label, "name": same.original_name}
        )
    now = timezone.localtime()
    stored = default_storage.save(
        f"archives/{now:%Y/%m}/{secrets.token_hex(16)}.bin", ContentFile(encrypt_bytes(data))
    )
    try:
        with transaction.atomic():
            attachment = Attachment(
                household=household,
                kind=kind,
                original_name=original_name,
                content_type=content_type,
                size=len(data),
                sha256=digest,
                uploaded_by=user,
            )
            attachment.file.name = stored
            attachment.save()
            audit_record(
                actor=user,
                action=ArchivesAction.ATTACHMENT_UPLOAD,
                obj=attachment,
                summary=_("上传附件:%(kind)s %(name)s")
                % {"kind": attachment.get_kind_display(), "name": original_name},
                changes={
                    "household": [None, household.pk],
                    "kind": [None, kind],
                    "original_name": [None, original_name],
                    "content_type": [None, content_type],
                    "size": [None, len(data)],
                    "sha256": [None, attachment.sha256],
                },
            )
    except BaseException:
        # The row was not written: do not leave an orphan file behind.
        default_storage.delete(stored)
        raise
    return attachment


def attachment_withdraw(*, user: User, attachment: Attachment, reason: str) -> Attachment:
    """Mark the attachment withdrawn (kept, never deleted), with the reason in the audit trail.

    Raise PermissionDenied outside the filing scope, ValidationError without a reason,
    Conflict when it is already withdrawn.
    """
    policy.require_in_scope(
        user,
        ArchivesPermission.FILE,
        attachment.household.unit,
        message=_("您无权撤回该档案的附件。"),
    )
    reason = clean_text(reason)
    if len(reason) < 2:
        raise ValidationError(_("请填写撤回原因。"), field="reason")
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if locked.withdrawn:
            raise Conflict(_("该附件已撤回。"))
        locked.withdrawn = True
        locked.save(update_fields=["withdrawn", "updated_at"])
        audit_record(
            actor=user,
            action=ArchivesAction.ATTACHMENT_WITHDRAW,
            obj=locked,
            summary=_("撤回附件:%(kind)s %(name)s(%(reason)s)")
            % {"kind": locked.get_kind_display(), "name": locked.original_name, "reason": reason},
            changes={"withdrawn": [False, True], "reason": [None, reason]},
        )
    return locked


@dataclass(frozen=True)
class OpenedAttachment:
    content: bytes
    content_type: str
    filename: str


def download_name(attachment: Attachment) -> str:
    """Return the original name, with the extension that matches the content when it differs
    (a PNG uploaded as `scan.pdf` downloads as `scan.png`)."""
    ext = EXTENSIONS.get(attachment.content_type, "bin")
    stem, dot, current = attachment.original_name.rpartition(".")
    if dot and current.lower() in {ext, "jpeg" if ext == "jpg" else ext}:
        return attachment.original_name
    return f"{stem if dot else attachment.original_name}.{ext}"


def attachment_open(*, user: User, attachment: Attachment) -> OpenedAttachment:
    """Return the decrypted file; for sensitive kinds (ID copy, 户口簿, diagnosis, disability
    certificate, bank card copy) write an access-log entry first.

    Raise PermissionDenied outside the user's viewing scope, NotFound when the stored file is
    missing, and Conflict when the stored bytes do not match their recorded checksum.
    """
    policy.require_in_scope(
        user,
        ArchivesPermission.VIEW_ATTACHMENTS,
        attachment.household.unit,
        message=_("您无权查看该附件。"),
    )
    try:
        with default_storage.open(attachment.file.name, "rb") as handle:
            sealed = handle.read()
    except (FileNotFoundError, OSError):
        raise NotFound(_("附件文件不存在。")) from None
    content = decrypt_bytes(sealed)
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise Conflict(_("附件文件校验失败,请联系系统管理员。"))
    if attachment.kind in SENSITIVE_KINDS:
        with transaction.atomic():
            access_log_record(
                user=user,
                obj=attachment.household,
                fields=[f"attachment:{attachment.pk}:{attachment.kind}"],
                purpose=_("查看附件:%(kind)s") % {"kind": attachment.get_kind_display()},
            )
    return OpenedAttachment(content, attachment.content_type, download_name(attachment))
