"""Payments by bank: a batch of approved, payable items → the bank file → marked sent (借 银行代发
在途 贷 银行存款) → the bank's return file imported: each line paid (the commitment released, 借
the programme's spending 贷 在途) or failed (借 银行存款 贷 在途: the money back, freed once).
A failed item is paid again in a later batch once its card is corrected."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.policy import require_in_scope, require_perm
from bangfu.core.access import access_log_record
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.masking import mask_bank_card

from .. import bankfiles
from ..audit_actions import FundsAction
from ..models import PROGRAMME_ACCOUNT, BankBatch, Book, Commitment, Payment, Programme
from ..payable import paid as item_paid
from ..payable import reason_not_payable
from ..permissions import FundsPermission
from .books import BANK, COMMITMENT_RESERVE, COMMITTED, IN_TRANSIT, Line, post_entry
from .payments import OPEN_STATUSES, snapshot_of


def batch_create(
    *, actor: Any, book: Book, commitments: Sequence[Commitment], encoding: str = "gbk"
) -> BankBatch:
    """One bank payment per commitment; refused whole, naming the item, when one is not
    payable, already has an open payment, or its archive's card is missing or fails Luhn."""
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, book.unit)
    if not commitments:
        raise ValidationError(_("请至少选择一项发放。"), field="commitments")
    if encoding not in BankBatch.Encoding.values:
        raise ValidationError(_("请选择 CSV 编码。"), field="encoding")
    with transaction.atomic():
        Book.objects.select_for_update().get(pk=book.pk)
        count = BankBatch.objects.filter(book=book).count() + 1
        batch = BankBatch.objects.create(
            book=book,
            number=f"DF{book.year}-{book.unit_id}-{count:04d}",
            encoding=encoding,
            created_by=actor,
        )
        made = Payment.objects.filter(commitment__book=book).count()
        for commitment in (
            Commitment.objects.select_for_update(of=("self",))
            .filter(pk__in=[c.pk for c in commitments], book=book)
            .select_related("household")
            .order_by("pk")
        ):
            label = commitment.subject_label
            if commitment.status != Commitment.Status.COMMITTED:
                raise Conflict(_("“%(label)s”已发放或已释放。") % {"label": label})
            if commitment.payments.filter(status__in=OPEN_STATUSES).exists():
                raise Conflict(_("“%(label)s”已有未完成的发放。") % {"label": label})
            reason = reason_not_payable(commitment.subject_type, commitment.subject_id, actor)
            if reason:
                raise Conflict(f"“{label}”:{reason}")
            household = commitment.household
            card = (household.bank_card if household is not None else "") or ""
            card = card.replace(" ", "")
            if not card:
                raise ValidationError(
                    _("“%(label)s”的档案没有银行卡号。") % {"label": label}, field="commitments"
                )
            if not bankfiles.luhn_ok(card):
                raise ValidationError(
                    _("“%(label)s”的银行卡号 %(card)s 校验不通过,请核对后更正档案。")
                    % {"label": label, "card": mask_bank_card(card)},
                    field="commitments",
                )
            made += 1
            Payment.objects.create(
                commitment=commitment,
                batch=batch,
                number=f"FF{book.year}-{book.unit_id}-{made:05d}",
                method=Payment.Method.BANK,
                amount=commitment.amount,
                recipient_name=commitment.recipient_name,
                signer_name=commitment.recipient_name,
                snapshot=snapshot_of(commitment),
                card=card,
                created_by=actor,
            )
        if not batch.payments.exists():
            raise ValidationError(_("请至少选择一项发放。"), field="commitments")
        audit_record(
            actor=actor,
            action=FundsAction.BATCH_CREATE,
            obj=batch,
            summary=_("%(n)s 笔") % {"n": batch.payments.count()},
        )
    return batch


def batch_file(*, actor: Any, batch: BankBatch, fmt: str) -> bytes:
    """The bank file (xlsx or CSV in the batch's encoding); full card numbers, so the reading
    is written to the access log."""
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, batch.book.unit)
    payments = list(batch.payments.select_related("commitment").order_by("number"))
    rows = [
        (p.recipient_name, p.card, f"{p.amount:.2f}", p.snapshot.get("programme", ""), p.number)
        for p in payments
    ]
    access_log_record(user=actor, obj=batch, fields=["card"], purpose=str(_("生成银行代发文件")))
    if fmt == "csv":
        return bankfiles.write_csv(rows, encoding=batch.encoding)
    return bankfiles.write_xlsx(rows)


def batch_mark_sent(*, actor: Any, batch: BankBatch, sent_on: datetime.date) -> BankBatch:
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, batch.book.unit)
    with transaction.atomic():
        locked = BankBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BankBatch.Status.MADE:
            raise Conflict(_("该批次已经发送。"))
        total = sum((p.amount for p in locked.payments.all()), Decimal("0.00"))
        post_entry(
            actor=actor,
            book=locked.book,
            date=sent_on,
            memo=_("银行代发 %(n)s 送银行") % {"n": locked.number},
            lines=[Line(account=IN_TRANSIT, debit=total), Line(account=BANK, credit=total)],
            source="batch.sent",
        )
        locked.payments.update(status=Payment.Status.SENT)
        locked.status, locked.sent_on = BankBatch.Status.SENT, sent_on
        locked.save(update_fields=["status", "sent_on"])
        audit_record(actor=actor, action=FundsAction.BATCH_SEND, obj=locked)
    return locked


def return_import(
    *, actor: Any, batch: BankBatch, content: bytes, filename: str, date: datetime.date
) -> dict[str, int]:
    """Import the bank's return file in one call (the API, scripts; the pages go through the
    import kit): read, checked and written by the `funds.bank_return` importer. Every line must
    name a payment of this batch with the same amount (and name and card when the file has
    them); otherwise nothing is written and every bad line is named. `filename` is not needed
    (the content says what the file is) and kept for the callers."""
    from ..importing import return_file_import

    return return_file_import(actor=actor, batch=batch, content=content, date=date)


def return_apply(
    *, actor: Any, batch: BankBatch, lines: Sequence[Any], date: datetime.date
) -> dict[str, int]:
    """Apply checked return lines (`importing.ReturnLine`: payment, ok, reason) in one
    transaction: each payment still with the bank is paid (the commitment released, 借 the
    programme's spending 贷 在途, the item's paid callback) or failed (借 银行存款 贷 在途: the
    money back, freed once). Raise Conflict, writing nothing, when a payment is no longer with
    the bank (a second import of the same lines)."""
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, batch.book.unit)
    with transaction.atomic():
        locked = BankBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == BankBatch.Status.MADE:
            raise Conflict(_("该批次还没有发送银行,不能导入回盘。"))
        current = {
            p.pk: p
            for p in Payment.objects.select_for_update(of=("self",))
            .filter(batch=locked, pk__in=[line.payment.pk for line in lines])
            .select_related("commitment")
        }
        outcomes: list[tuple[Payment, bool, str]] = []
        for line in lines:
            payment = current.get(line.payment.pk)
            if payment is None or payment.status != Payment.Status.SENT:
                raise Conflict(
                    _("参考号“%(ref)s”已经处理过,不能重复导入。") % {"ref": line.payment.number}
                )
            outcomes.append((payment, line.ok, line.reason))
        paid = failed = 0
        for payment, ok, reason in outcomes:
            commitment = payment.commitment
            amount = payment.amount
            if ok:
                entry = post_entry(
                    actor=actor,
                    book=locked.book,
                    date=date,
                    memo=_("发放:%(label)s(%(name)s)")
                    % {"label": commitment.subject_label[:120], "name": payment.recipient_name},
                    lines=[
                        Line(account=COMMITTED, debit=amount),
                        Line(account=COMMITMENT_RESERVE, credit=amount),
                        Line(
                            account=PROGRAMME_ACCOUNT[Programme(commitment.programme)],
                            debit=amount,
                        ),
                        Line(account=IN_TRANSIT, credit=amount),
                    ],
                    source="payment.bank",
                )
                Payment.objects.filter(pk=payment.pk).update(
                    status=Payment.Status.PAID, paid_on=date, entry=entry
                )
                Commitment.objects.filter(pk=commitment.pk).update(status=Commitment.Status.PAID)
                item_paid(commitment.subject_type, commitment.subject_id, date, actor)
                paid += 1
            else:
                entry = post_entry(
                    actor=actor,
                    book=locked.book,
                    date=date,
                    memo=_("代发失败退回:%(label)s(%(name)s)")
                    % {"label": commitment.subject_label[:120], "name": payment.recipient_name},
                    lines=[
                        Line(account=BANK, debit=amount),
                        Line(account=IN_TRANSIT, credit=amount),
                    ],
                    source="payment.failed",
                )
                Payment.objects.filter(pk=payment.pk).update(
                    status=Payment.Status.FAILED,
                    entry=entry,
                    failure_reason=(reason or str(_("银行退回")))[:200],
                )
                failed += 1
        if not locked.payments.filter(status=Payment.Status.SENT).exists():
            locked.status = BankBatch.Status.RETURNED
            locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=FundsAction.BATCH_RETURN,
            obj=locked,
            summary=_("成功 %(paid)s 笔,失败 %(failed)s 笔") % {"paid": paid, "failed": failed},
        )
    return {"paid": paid, "failed": failed}


def statement_store(
    *, actor: Any, book: Book, lines: Sequence[Any], import_batch: Any = None
) -> int:
    """Store checked statement lines (`importing.ParsedLine`) of `book`'s bank account, in one
    transaction with one audit event; return how many. The importer has skipped the lines
    already stored; a 流水号 stored meanwhile is refused by the database (nothing written)."""
    from ..models import StatementLine

    require_perm(actor, FundsPermission.KEEP)
    require_in_scope(actor, FundsPermission.KEEP, book.unit)
    with transaction.atomic():
        StatementLine.objects.bulk_create(
            [
                StatementLine(
                    book=book,
                    date=line.date,
                    amount=line.amount,
                    balance=line.balance,
                    memo=line.memo,
                    counterparty=line.counterparty,
                    serial=line.serial,
                    row=line.row,
                    import_batch=import_batch,
                    created_by=actor,
                )
                for line in lines
            ],
            batch_size=1000,
        )
        audit_record(
            actor=actor,
            action=FundsAction.STATEMENT_IMPORT,
            obj=book,
            summary=_("%(n)s 行") % {"n": len(lines)},
        )
    return len(lines)
