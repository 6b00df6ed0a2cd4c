"""Writes of the books: open a book, post an entry (balanced, into an open month, chained),
reverse one, close a month. Every public write is one transaction with one audit event;
`post_entry` is the building block other services call inside their own transaction."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.policy import require_in_scope, require_perm
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.money import format_money, to_money
from bangfu.network.models import OrgUnit

from ..audit_actions import FundsAction
from ..chain import GENESIS_HASH, entry_hash
from ..models import Account, Book, DonationReceipt, Entry, EntryLine, Period
from ..permissions import FundsPermission

# The chart of accounts every book starts with (code, name, kind).
CHART: tuple[tuple[str, str, str], ...] = (
    ("1001", "银行存款(帮扶资金专户)", Account.Kind.ASSET),
    ("1101", "银行代发在途", Account.Kind.ASSET),
    ("2101", "已批待发", Account.Kind.LIABILITY),
    ("3101", "承诺占用", Account.Kind.NET),
    ("4001", "财政拨款收入", Account.Kind.INCOME),
    ("4002", "上级补助收入", Account.Kind.INCOME),
    ("4003", "捐赠收入", Account.Kind.INCOME),
    ("4004", "利息收入", Account.Kind.INCOME),
    ("4009", "其他收入", Account.Kind.INCOME),
    ("5001", "生活救助支出", Account.Kind.EXPENSE),
    ("5002", "医疗救助支出", Account.Kind.EXPENSE),
    ("5003", "助学支出", Account.Kind.EXPENSE),
    ("5004", "就业帮扶支出", Account.Kind.EXPENSE),
    ("5009", "其他帮扶支出", Account.Kind.EXPENSE),
)
BANK = "1001"
IN_TRANSIT = "1101"
COMMITTED = "2101"
COMMITMENT_RESERVE = "3101"


@dataclass(frozen=True)
class Line:
    account: str  # the account's code
    debit: Decimal = Decimal("0.00")
    credit: Decimal = Decimal("0.00")


def book_open(*, actor: Any, unit: OrgUnit, year: int, bank_name: str = "") -> Book:
    """Open a centre's book for a year with the standard chart of accounts."""
    require_perm(actor, FundsPermission.KEEP)
    require_in_scope(actor, FundsPermission.KEEP, unit)
    if unit.kind != OrgUnit.Kind.CENTER:
        raise ValidationError(_("只有帮扶中心设专户账簿。"), field="unit")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("年度不正确。"), field="year")
    with transaction.atomic():
        if Book.objects.filter(unit=unit, year=year).exists():
            raise Conflict(
                _("%(unit)s %(year)s 年度的账簿已经建立。") % {"unit": unit.name, "year": year}
            )
        book = Book.objects.create(unit=unit, year=year, bank_name=bank_name.strip()[:100])
        Account.objects.bulk_create(
            [Account(book=book, code=c, name=n, kind=k) for c, n, k in CHART]
        )
        audit_record(actor=actor, action=FundsAction.BOOK_OPEN, obj=book)
    return book


def _closed(book: Book, date: datetime.date) -> bool:
    return Period.objects.filter(book=book, month=date.month).exists()


def post_entry(
    *,
    actor: Any,
    book: Book,
    date: datetime.date,
    memo: str,
    lines: Sequence[Line],
    source: str = "",
    reverses: Entry | None = None,
) -> Entry:
    """Post a balanced entry in the caller's transaction, after the book's last one.

    Locks the book row (the chain's head and the entry numbers follow it), refuses an
    unbalanced entry, a line with both or neither side, an unknown account, a date outside
    the book's year or in a closed month. Writes no audit event: the caller does.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_entry must run inside the transaction of its change.")
    memo = (memo or "").strip()
    if not memo:
        raise ValidationError(_("请填写摘要。"), field="memo")
    if date.year != book.year:
        raise ValidationError(
            _("记账日期 %(date)s 不在 %(year)s 年度内。") % {"date": date, "year": book.year},
            field="date",
        )
    if len(lines) < 2:
        raise ValidationError(_("一张凭证至少要有两条分录。"), field="lines")
    locked = Book.objects.select_for_update().get(pk=book.pk)
    accounts = {a.code: a for a in Account.objects.filter(book=book)}
    missing = [(c, n, k) for c, n, k in CHART if c not in accounts]
    if missing:  # a book opened before the chart grew gets the new standard accounts
        for code, name, kind in missing:
            accounts[code] = Account.objects.create(book=book, code=code, name=name, kind=kind)
    debit_total = credit_total = Decimal("0.00")
    rows = []
    for n, line in enumerate(lines, start=1):
        debit = to_money(line.debit, field="lines", label=_("借方金额"))
        credit = to_money(line.credit, field="lines", label=_("贷方金额"))
        if (debit > 0) == (credit > 0) or debit < 0 or credit < 0:
            raise ValidationError(
                _("第 %(n)s 条分录:借方、贷方只能填一方,且金额大于零。") % {"n": n},
                field="lines",
            )
        account = accounts.get(line.account)
        if account is None:
            raise ValidationError(
                _("第 %(n)s 条分录:没有科目 %(code)s。") % {"n": n, "code": line.account},
                field="lines",
            )
        debit_total += debit
        credit_total += credit
        rows.append((account, debit, credit))
    if debit_total != credit_total:
        raise ValidationError(
            _("借贷不平衡:借方合计 %(d)s,贷方合计 %(c)s。")
            % {"d": format_money(debit_total), "c": format_money(credit_total)},
            field="lines",
        )
    if _closed(locked, date):
        raise ValidationError(
            _("%(month)s 月已结账,不能再记入该月的凭证。") % {"month": date.month}, field="date"
        )
    head = (
        Entry.objects.filter(book=locked).order_by("-number").values_list("number", "hash").first()
    )
    number, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    name = ""
    if getattr(actor, "pk", None):
        name = getattr(actor, "display_name", "") or actor.get_username()
    entry = Entry(
        book=locked,
        number=number,
        date=date,
        memo=memo[:200],
        source=source[:60],
        reverses=reverses,
        created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
        created_by_name=(name or "系统")[:150],
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry, [(a.code, d, c) for a, d, c in rows])
    entry.save()
    EntryLine.objects.bulk_create(
        [EntryLine(entry=entry, account=a, debit=d, credit=c) for a, d, c in rows]
    )
    return entry


def entry_reverse(*, actor: Any, entry: Entry, date: datetime.date, reason: str) -> Entry:
    """Correct a posted entry by a reversal entry that swaps debits and credits."""
    require_perm(actor, FundsPermission.KEEP)
    require_in_scope(actor, FundsPermission.KEEP, entry.book.unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写冲销原因。"), field="reason")
    with transaction.atomic():
        if entry.reverses_id is not None:
            raise Conflict(_("冲销凭证本身不能再冲销。"))
        if Entry.objects.filter(reverses=entry).exists():
            raise Conflict(_("该凭证已经冲销过。"))
        if DonationReceipt.objects.filter(income__entry=entry).exists():
            raise Conflict(_("这是开过收据的捐赠:请作废收据,凭证随之冲销。"))
        lines = [
            Line(account=line.account.code, debit=line.credit, credit=line.debit)
            for line in entry.lines.select_related("account")
        ]
        reversal = post_entry(
            actor=actor,
            book=entry.book,
            date=date,
            memo=_("冲销 %(entry)s:%(reason)s") % {"entry": entry, "reason": reason},
            lines=lines,
            source="reversal",
            reverses=entry,
        )
        audit_record(
            actor=actor,
            action=FundsAction.ENTRY_REVERSE,
            obj=reversal,
            summary=f"{entry} → {reversal}",
        )
    return reversal


def period_close(*, actor: Any, book: Book, month: int) -> Period:
    """Close a month: from now on no entry may be dated in it."""
    require_perm(actor, FundsPermission.CLOSE)
    require_in_scope(actor, FundsPermission.CLOSE, book.unit)
    if not 1 <= int(month) <= 12:
        raise ValidationError(_("月份应在 1 到 12 之间。"), field="month")
    with transaction.atomic():
        locked = Book.objects.select_for_update().get(pk=book.pk)
        if Period.objects.filter(book=locked, month=month).exists():
            raise Conflict(_("%(month)s 月已经结账。") % {"month": month})
        period = Period.objects.create(
            book=locked, month=month, closed_at=timezone.now(), closed_by=actor
        )
        audit_record(
            actor=actor,
            action=FundsAction.PERIOD_CLOSE,
            obj=period,
            object_repr=f"{locked} {month}月",
        )
    return period
