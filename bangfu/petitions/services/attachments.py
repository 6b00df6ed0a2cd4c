"""Material of a petition (the letter, evidence, records): checked by content, stored encrypted
(`core.files`), opened only after the petition was fetched within the user's scope; withdrawn,
never deleted. Opening the material of a restricted petition, or an ID copy, is logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core import files
from bangfu.core.access import access_log_record
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, ValidationError

from ..audit_actions import PetitionsAction
from ..models import Attachment, Petition
from ..permissions import PetitionsPermission
from .common import check, text


def _may_add(actor: Any, petition: Petition) -> None:
    check(actor, PetitionsPermission.VIEW, petition)
    if not (
        policy.unit_in_scope(actor, PetitionsPermission.REGISTER, petition.unit)
        or policy.unit_in_scope(actor, PetitionsPermission.HANDLE, petition.unit)
    ):
        policy.require_in_scope(
            actor,
            PetitionsPermission.HANDLE,
            petition.unit,
            message=_("您无权为该信访件添加材料。"),
        )


def attachment_upload(
    *, actor: Any, petition: Petition, kind: str, file: IO[bytes], name: str
) -> Attachment:
    """Store `file` as material of the petition (PDF, JPG or PNG by content, at most
    BANGFU_ATTACHMENT_MAX_MB, encrypted); audited.

    Raise NotFound / PermissionDenied outside the actor's scope, ValidationError for a wrong
    kind, type, size or an empty file, Conflict for the same file twice.
    """
    _may_add(actor, petition)
    if kind not in Attachment.Kind.values:
        raise ValidationError(_("请选择材料类型。"), field="kind")
    upload = files.check_upload(file, name)
    same = Attachment.objects.filter(
        petition=petition, sha256=upload.sha256, withdrawn=False
    ).first()
    if same is not None:
        raise Conflict(
            _("文件:同一文件已上传(%(name)s),不必重复上传。") % {"name": same.original_name}
        )
    stored = files.store_sealed(upload.data, folder="petitions")
    try:
        with transaction.atomic():
            attachment = Attachment(
                petition=petition,
                kind=kind,
                original_name=upload.name,
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
                uploaded_by=actor,
            )
            attachment.file.name = stored
            attachment.save()
            audit_record(
                actor=actor,
                action=PetitionsAction.ATTACHMENT_UPLOAD,
                obj=attachment,
                summary=_("上传信访材料:%(kind)s %(name)s")
                % {"kind": attachment.get_kind_display(), "name": upload.name},
                changes={
                    "petition": [None, petition.pk],
                    "kind": [None, kind],
                    "original_name": [None, upload.name],
                    "size": [None, upload.size],
                    "sha256": [None, upload.sha256],
                },
            )
    except BaseException:
        files.delete_stored(stored)
        raise
    return attachment


def attachment_withdraw(*, actor: Any, attachment: Attachment, reason: str) -> Attachment:
    """Mark the material withdrawn (kept, never deleted), with the reason in the audit trail.
    Raise Conflict when already withdrawn, ValidationError without a reason."""
    _may_add(actor, attachment.petition)
    reason = text(reason, "reason", _("请填写撤回原因。"))
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if locked.withdrawn:
            raise Conflict(_("该材料已撤回。"))
        locked.withdrawn = True
        locked.save(update_fields=["withdrawn", "updated_at"])
        audit_record(
            actor=actor,
            action=PetitionsAction.ATTACHMENT_WITHDRAW,
            obj=locked,
            summary=_("撤回信访材料:%(name)s(%(reason)s)")
            % {"name": locked.original_name, "reason": reason},
            changes={"withdrawn": [False, True], "reason": [None, reason]},
        )
    return locked


@dataclass(frozen=True)
class Opened:
    content: bytes
    content_type: str
    filename: str


def attachment_open(*, actor: Any, attachment: Attachment) -> Opened:
    """Return the decrypted file; log the view first when the petition is restricted or the
    file is an ID copy. Raise NotFound outside the scope or when the file is missing."""
    petition = attachment.petition
    check(actor, PetitionsPermission.VIEW, petition)
    content = files.open_sealed(attachment.file.name, sha256=attachment.sha256)
    if petition.restricted or attachment.kind == Attachment.Kind.ID_COPY:
        with transaction.atomic():
            access_log_record(
                user=actor,
                obj=petition,
                fields=[f"attachment:{attachment.pk}:{attachment.kind}"],
                purpose=_("查看信访材料:%(kind)s") % {"kind": attachment.get_kind_display()},
            )
    return Opened(
        content,
        attachment.content_type,
        files.download_name(attachment.original_name, attachment.content_type),
    )
