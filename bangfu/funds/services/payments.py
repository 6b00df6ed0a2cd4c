"""Payments in person: one 发放凭证 per recipient, signed by the archived head or a recorded
member (never staff, never one slip for several people), the signed scan attached before the
payment counts. Paying posts one entry: 借 已批待发 贷 承诺占用 (the commitment released) and
借 the programme's spending 贷 银行存款. A second click on "pay" pays nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bangfu.accounts.policy import require_in_scope, require_perm
from bangfu.core.access import access_log_record
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, NotFound, ValidationError
from bangfu.core.masking import mask_bank_card, mask_id_number

from ..audit_actions import FundsAction
from ..models import PROGRAMME_ACCOUNT, Commitment, Payment, Programme
from ..payable import paid, reason_not_payable
from ..permissions import FundsPermission
from .books import BANK, COMMITMENT_RESERVE, COMMITTED, Line, post_entry

OPEN_STATUSES = [Payment.Status.PREPARED, Payment.Status.SENT, Payment.Status.PAID]
SCAN_TYPES = {"application/pdf", "image/jpeg", "image/png"}
SCAN_MAX_BYTES = 10 * 1024 * 1024


def _signer(commitment: Commitment, signer: str) -> tuple[str, str]:
    """(name, relation) of the head ("head") or a recorded member ("member:<pk>")."""
    household = commitment.household
    if household is None:
        raise ValidationError(_("该事项没有关联困难职工档案,不能现场发放。"), field="signer")
    if signer == "head":
        return household.name, str(_("户主本人"))
    if signer.startswith("member:") and signer[7:].isdigit():
        member = household.members.filter(pk=int(signer[7:])).first()
        if member is not None:
            return member.name, member.get_relation_display()
    raise ValidationError(_("签领人只能是档案中的户主或登记的家庭成员。"), field="signer")


def snapshot_of(commitment: Commitment) -> dict[str, Any]:
    """What the payment was made on, as it was: later edits of the archive never change it."""
    household = commitment.household
    data: dict[str, Any] = {
        "subject": commitment.subject_label,
        "programme": str(Programme(commitment.programme).label),
        "amount": str(commitment.amount),
    }
    if household is not None:
        data.update(
            {
                "household_id": household.pk,
                "archive_no": household.archive_no,
                "name": household.name,
                "id_masked": mask_id_number(household.id_number),
                "category": household.get_category_display(),
                "unit": household.unit.name,
                "card_masked": mask_bank_card(household.bank_card) if household.bank_card else "",
                "bank_name": household.bank_name,
            }
        )
    return data


def payment_prepare(
    *, actor: Any, commitment: Commitment, signer: str, method: str = Payment.Method.IN_PERSON
) -> Payment:
    """Make the 发放凭证 of one commitment, to be printed and signed."""
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, commitment.book.unit)
    name, relation = _signer(commitment, signer)
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.status != Commitment.Status.COMMITTED:
            raise Conflict(_("该事项已发放或已释放,不能再制发放凭证。"))
        if locked.payments.filter(
            status__in=[Payment.Status.PREPARED, Payment.Status.PAID]
        ).exists():
            raise Conflict(_("该事项已有发放凭证,不能重复制单。"))
        reason = reason_not_payable(locked.subject_type, locked.subject_id, actor)
        if reason:
            raise Conflict(reason)
        year = locked.book.year
        count = Payment.objects.filter(commitment__book=locked.book).count() + 1
        household = locked.household
        payment = Payment.objects.create(
            commitment=locked,
            number=f"FF{year}-{locked.book.unit_id}-{count:05d}",
            method=method,
            amount=locked.amount,
            recipient_name=locked.recipient_name,
            signer_name=name,
            signer_relation=relation,
            snapshot=snapshot_of(locked),
            card=(household.bank_card if household is not None else "") or "",
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=FundsAction.PAYMENT_PREPARE,
            obj=payment,
            summary=f"{locked.subject_label} {locked.amount} 签领人 {name}",
        )
    return payment


def payment_attach_scan(*, actor: Any, payment: Payment, file: UploadedFile) -> Payment:
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, payment.commitment.book.unit)
    content_type = getattr(file, "content_type", "") or ""
    if content_type not in SCAN_TYPES:
        raise ValidationError(_("扫描件只能是 PDF、JPG 或 PNG 文件。"), field="scan")
    if (file.size or 0) > SCAN_MAX_BYTES:
        raise ValidationError(_("扫描件不能超过 10 MB。"), field="scan")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != Payment.Status.PREPARED:
            raise Conflict(_("只有待签字的发放凭证可以上传扫描件。"))
        locked.scan.save(f"{locked.number}.{content_type.split('/')[-1]}", file, save=False)
        locked.save(update_fields=["scan"])
        audit_record(actor=actor, action=FundsAction.PAYMENT_ATTACH, obj=locked)
    return locked


def payment_scan_open(*, actor: Any, payment: Payment) -> bytes:
    """The signed scan's bytes, for whoever may read the payment (the caller fetched it in
    scope); the opening is written to the access log first."""
    if not payment.scan:
        raise NotFound(_("该发放凭证还没有上传签字扫描件。"))
    try:
        with payment.scan.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise NotFound(_("签字扫描件文件已不存在,请联系系统管理员。")) from None
    access_log_record(
        user=actor,
        obj=payment,
        fields=["scan"],
        purpose=str(_("查看签字发放凭证扫描件")),
    )
    return content


def payment_confirm(*, actor: Any, payment: Payment, paid_on: datetime.date) -> Payment:
    """Count the payment: the signed scan must be attached. Paid once only."""
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, payment.commitment.book.unit)
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("commitment__book")
            .get(pk=payment.pk)
        )
        if locked.status == Payment.Status.PAID:
            raise Conflict(_("该笔已经发放,不会重复发放。"))
        if locked.status != Payment.Status.PREPARED:
            raise Conflict(_("该发放凭证已取消或失败,不能发放。"))
        if locked.method == Payment.Method.IN_PERSON and not locked.scan:
            raise ValidationError(_("请先上传领款人签字的发放凭证扫描件。"), field="scan")
        commitment = locked.commitment
        reason = reason_not_payable(commitment.subject_type, commitment.subject_id, actor)
        if reason:
            raise Conflict(reason)
        amount = locked.amount
        entry = post_entry(
            actor=actor,
            book=commitment.book,
            date=paid_on,
            memo=_("发放:%(label)s(%(name)s)")
            % {"label": commitment.subject_label[:120], "name": locked.recipient_name},
            lines=[
                Line(account=COMMITTED, debit=amount),
                Line(account=COMMITMENT_RESERVE, credit=amount),
                Line(account=PROGRAMME_ACCOUNT[Programme(commitment.programme)], debit=amount),
                Line(account=BANK, credit=amount),
            ],
            source="payment",
        )
        locked.status = Payment.Status.PAID
        locked.paid_on = paid_on
        locked.entry = entry
        try:
            locked.save(update_fields=["status", "paid_on", "entry"])
        except IntegrityError as exc:  # pragma: no cover - the row lock makes this unreachable
            raise Conflict(_("该笔已经发放,不会重复发放。")) from exc
        Commitment.objects.filter(pk=commitment.pk).update(status=Commitment.Status.PAID)
        paid(commitment.subject_type, commitment.subject_id, paid_on, actor)
        audit_record(
            actor=actor,
            action=FundsAction.PAYMENT_CONFIRM,
            obj=locked,
            summary=f"{commitment.subject_label} {amount} {entry}",
        )
    return locked
