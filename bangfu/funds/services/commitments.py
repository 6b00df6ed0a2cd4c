"""Commitments (已批待发): approving an item commits its amount in the same transaction,
refused when the money available (bank balance − commitments) or the programme's budget is
short. The book's row lock serializes commitments of one book, so parallel approvals never
over-commit (PostgreSQL: SELECT … FOR UPDATE; SQLite: one writer at a time anyway)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.money import format_money, to_money

from ..models import PROGRAMME_ACCOUNT, Book, Budget, Commitment, EntryLine, Programme
from .books import BANK, COMMITMENT_RESERVE, COMMITTED, Line, post_entry

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Room:
    """What is left to commit: in the account and in the programme's budget."""

    available: Decimal  # bank balance − what is committed
    budget_left: Decimal | None  # budget − committed − spent for the programme; None: no budget


def _balance(book: Book, code: str) -> Decimal:
    sums = EntryLine.objects.filter(entry__book=book, account__code=code).aggregate(
        d=Coalesce(Sum("debit"), ZERO), c=Coalesce(Sum("credit"), ZERO)
    )
    return sums["d"] - sums["c"]


def room(book: Book, programme: str) -> Room:
    bank = _balance(book, BANK)
    committed = -_balance(book, COMMITTED)
    budget = Budget.objects.filter(book=book, programme=programme).first()
    if budget is None:
        return Room(bank - committed, None)
    programme_committed = Commitment.objects.filter(
        book=book, programme=programme, status=Commitment.Status.COMMITTED
    ).aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
    spent = _balance(book, PROGRAMME_ACCOUNT[Programme(programme)])
    return Room(bank - committed, budget.amount - programme_committed - spent)


def book_for(unit: Any, date: datetime.date) -> Book:
    """The book of the centre at or above `unit` for the year of `date`."""
    path_ids = [int(x) for x in str(unit.path).strip("/").split("/") if x]
    book = (
        Book.objects.filter(unit_id__in=path_ids, year=date.year)
        .select_related("unit")
        .order_by("-unit__path")
        .first()
    )
    if book is None:
        raise Conflict(
            _("%(year)s 年度的帮扶资金专户账簿还没有建立,不能批准发放。") % {"year": date.year}
        )
    return book


def commitment_make(
    *,
    actor: Any,
    book: Book,
    programme: str,
    amount: Any,
    date: datetime.date,
    subject_type: str,
    subject_id: int,
    subject_label: str,
    recipient_name: str,
    household: Any = None,
) -> Commitment:
    """Commit `amount` for one item inside the caller's transaction (the approval's), which
    writes the audit event. Refuse, changing nothing, when the item already has money
    committed, or the account's money available or the programme's budget is short."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("commitment_make must run inside the approval's transaction.")
    if programme not in Programme.values:
        raise ValidationError(_("请选择帮扶项目。"), field="programme")
    money = to_money(amount, field="amount")
    if money <= 0:
        raise ValidationError(_("金额必须大于零。"), field="amount")
    with transaction.atomic():
        Book.objects.select_for_update().get(pk=book.pk)
        if Commitment.objects.filter(subject_type=subject_type, subject_id=subject_id).exists():
            raise Conflict(_("该事项已经承诺过资金,不能重复。"))
        left = room(book, programme)
        if left.available < money:
            raise Conflict(
                _("专户可用资金不足:可用 %(left)s 元(余额减已批待发),本次需 %(need)s 元。")
                % {"left": format_money(left.available), "need": format_money(money)}
            )
        if left.budget_left is not None and left.budget_left < money:
            raise Conflict(
                _("%(programme)s预算不足:剩余 %(left)s 元,本次需 %(need)s 元。")
                % {
                    "programme": Programme(programme).label,
                    "left": format_money(left.budget_left),
                    "need": format_money(money),
                }
            )
        entry = post_entry(
            actor=actor,
            book=book,
            date=date,
            memo=_("已批待发:%(label)s") % {"label": subject_label[:150]},
            lines=[
                Line(account=COMMITMENT_RESERVE, debit=money),
                Line(account=COMMITTED, credit=money),
            ],
            source=f"commit.{subject_type}"[:60],
        )
        return Commitment.objects.create(
            book=book,
            programme=programme,
            amount=money,
            subject_type=subject_type,
            subject_id=subject_id,
            subject_label=subject_label[:200],
            household=household,
            recipient_name=recipient_name[:50],
            entry=entry,
        )
