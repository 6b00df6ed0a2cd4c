"""Money in: allocations, grants, donations (with a numbered 捐赠收据), interest, other income.
Each is one transaction: the income, its entry (借 银行存款 贷 the income account), for a
donation its receipt number (the next one of the book, under the book's row lock: no gaps),
and one audit event."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bangfu.accounts.policy import require_in_scope, require_perm
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.money import to_money

from ..audit_actions import FundsAction
from ..models import Book, DonationReceipt, Entry, Income
from ..permissions import FundsPermission
from .books import BANK, Line, post_entry

INCOME_ACCOUNT = {
    Income.Kind.ALLOCATION: "4001",
    Income.Kind.GRANT: "4002",
    Income.Kind.DONATION: "4003",
    Income.Kind.INTEREST: "4004",
    Income.Kind.OTHER: "4009",
}


def income_record(
    *,
    actor: Any,
    book: Book,
    kind: str,
    amount: Any,
    date: datetime.date,
    payer: str,
    channel: str = Income.Channel.TRANSFER,
    purpose: str = "",
    note: str = "",
) -> Income:
    require_perm(actor, FundsPermission.KEEP)
    require_in_scope(actor, FundsPermission.KEEP, book.unit)
    if kind not in Income.Kind.values:
        raise ValidationError(_("请选择收入类别。"), field="kind")
    if channel not in Income.Channel.values:
        raise ValidationError(_("请选择到账方式。"), field="channel")
    money = to_money(amount, field="amount", label=_("金额"))
    if money <= 0:
        raise ValidationError(_("金额必须大于零。"), field="amount")
    payer = (payer or "").strip()
    if not payer:
        who = _("捐赠人") if kind == Income.Kind.DONATION else _("来源单位")
        raise ValidationError(_("请填写%(label)s。") % {"label": who}, field="payer")
    label = str(Income.Kind(kind).label)
    with transaction.atomic():
        entry = post_entry(
            actor=actor,
            book=book,
            date=date,
            memo=f"{label}:{payer}"[:200],
            lines=[
                Line(account=BANK, debit=money),
                Line(account=INCOME_ACCOUNT[Income.Kind(kind)], credit=money),
            ],
            source=f"income.{kind}",
        )
        income = Income.objects.create(
            book=book,
            kind=kind,
            amount=money,
            date=date,
            payer=payer[:100],
            channel=channel,
            purpose=(purpose or "").strip()[:200],
            note=(note or "").strip()[:200],
            entry=entry,
        )
        summary = f"{label} {money} {entry}"
        if kind == Income.Kind.DONATION:
            # post_entry holds the book's row lock: the next number is ours until commit.
            top = DonationReceipt.objects.filter(book=book).aggregate(top=Max("number"))["top"]
            receipt = DonationReceipt.objects.create(
                book=book, number=(top or 0) + 1, income=income, issued_on=date
            )
            summary += f" 收据 {receipt.display_number}"
        audit_record(actor=actor, action=FundsAction.INCOME_RECORD, obj=income, summary=summary)
    return income


def receipt_void(
    *, actor: Any, receipt: DonationReceipt, date: datetime.date, reason: str
) -> DonationReceipt:
    """Void a donation receipt: it keeps its number, marked void; the donation's entry is
    reversed in the same transaction."""
    require_perm(actor, FundsPermission.KEEP)
    require_in_scope(actor, FundsPermission.KEEP, receipt.book.unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写作废原因。"), field="reason")
    with transaction.atomic():
        locked = DonationReceipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.void:
            raise Conflict(_("该收据已经作废。"))
        entry = locked.income.entry
        if Entry.objects.filter(reverses=entry).exists():
            raise Conflict(_("该收据对应的凭证已经冲销过。"))
        lines = [
            Line(account=line.account.code, debit=line.credit, credit=line.debit)
            for line in entry.lines.select_related("account")
        ]
        post_entry(
            actor=actor,
            book=locked.book,
            date=date,
            memo=_("冲销 %(entry)s:作废收据 %(number)s")
            % {"entry": entry, "number": locked.display_number},
            lines=lines,
            source="reversal",
            reverses=entry,
        )
        DonationReceipt.objects.filter(pk=locked.pk).update(void=True, void_reason=reason[:200])
        locked.refresh_from_db()
        audit_record(
            actor=actor,
            action=FundsAction.RECEIPT_VOID,
            obj=locked,
            object_repr=locked.display_number,
            summary=reason[:200],
        )
    return locked
