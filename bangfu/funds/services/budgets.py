"""Budgets: each programme-year (a programme in a book) has one; setting it again records the
new amount with its reason, the old one kept in the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.policy import require_in_scope, require_perm
from bangfu.core.audit import audit_record, diff
from bangfu.core.errors import ValidationError
from bangfu.core.money import to_money

from ..audit_actions import FundsAction
from ..models import Book, Budget, Programme
from ..permissions import FundsPermission


def budget_set(*, actor: Any, book: Book, programme: str, amount: Any, note: str = "") -> Budget:
    require_perm(actor, FundsPermission.BUDGET)
    require_in_scope(actor, FundsPermission.BUDGET, book.unit)
    if programme not in Programme.values:
        raise ValidationError(_("请选择帮扶项目。"), field="programme")
    money = to_money(amount, field="amount", label=_("预算金额"))
    if money < 0:
        raise ValidationError(_("预算金额不能为负数。"), field="amount")
    note = (note or "").strip()[:200]
    with transaction.atomic():
        Book.objects.select_for_update().get(pk=book.pk)
        budget = Budget.objects.filter(book=book, programme=programme).first()
        before = {"amount": budget.amount, "note": budget.note} if budget else None
        if budget is None:
            budget = Budget.objects.create(book=book, programme=programme, amount=money, note=note)
        else:
            budget.amount, budget.note = money, note
            budget.save(update_fields=["amount", "note", "updated_at"])
        audit_record(
            actor=actor,
            action=FundsAction.BUDGET_SET,
            obj=budget,
            changes=diff(before, {"amount": money, "note": note}),
        )
    return budget
