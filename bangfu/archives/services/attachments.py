"""Attachments of an archive: upload (checked by content, encrypted at rest), open, withdraw.

Files are sealed with the field keys (`core.crypto.encrypt_bytes`) and stored under MEDIA_ROOT
with a random name; no URL serves MEDIA_ROOT, so the only way to a file is `attachment_open`,
which the views call after fetching the attachment within the user's scope. An attachment is
never deleted: withdrawing it keeps the file and the row, marked and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core import files
from bangfu.core.access import access_log_record
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.files import max_bytes as max_bytes
from bangfu.core.files import sniff_content_type as sniff_content_type
from bangfu.core.text import clean_text

from ..audit_actions import ArchivesAction
from ..models import Attachment, Household
from ..permissions import ArchivesPermission

if TYPE_CHECKING:
    from bangfu.accounts.models import User

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
    upload = files.check_upload(file, name)
    data, content_type, digest, original_name = (
        upload.data,
        upload.content_type,
        upload.sha256,
        upload.name,
    )
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
    stored = files.store_sealed(data, folder="archives")
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
        files.delete_stored(stored)
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
    return files.download_name(attachment.original_name, attachment.content_type)


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
    content = files.open_sealed(attachment.file.name, sha256=attachment.sha256)
    if attachment.kind in SENSITIVE_KINDS:
        with transaction.atomic():
            access_log_record(
                user=user,
                obj=attachment.household,
                fields=[f"attachment:{attachment.pk}:{attachment.kind}"],
                purpose=_("查看附件:%(kind)s") % {"kind": attachment.get_kind_display()},
            )
    return OpenedAttachment(content, attachment.content_type, download_name(attachment))
