"""Reconciliation, read-only: a bank statement against the books (账款相符), and the books
against the fund's own records (账账相符). Nothing is written; differences are named."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bangfu.core.errors import ValidationError
from bangfu.core.money import format_money, to_money

from . import bankfiles
from .models import (
    PROGRAMME_ACCOUNT,
    Book,
    Commitment,
    Entry,
    EntryLine,
    Income,
    Payment,
    Programme,
)
from .services.books import BANK, COMMITTED

ZERO = Decimal("0.00")
DAYS = 3  # a bank may book a day or two after us


@dataclass(frozen=True)
class StatementLine:
    line: int
    date: datetime.date
    amount: Decimal  # positive: money in; negative: money out
    memo: str
    balance: Decimal | None


@dataclass(frozen=True)
class BookLine:
    entry_id: int
    number: int
    date: datetime.date
    amount: Decimal
    memo: str


@dataclass
class StatementMatch:
    matched: list[tuple[StatementLine, BookLine]] = field(default_factory=list)
    only_in_statement: list[StatementLine] = field(default_factory=list)
    only_in_books: list[BookLine] = field(default_factory=list)
    statement_balance: Decimal | None = None
    books_balance: Decimal = ZERO
    end: datetime.date | None = None

    @property
    def difference(self) -> Decimal | None:
        if self.statement_balance is None:
            return None
        return self.statement_balance - self.books_balance


def _date(text: str, where: str) -> datetime.date:
    cleaned = text.strip().split(" ")[0].replace("/", "-").replace(".", "-")
    if len(cleaned) == 8 and cleaned.isdigit():
        cleaned = f"{cleaned[:4]}-{cleaned[4:6]}-{cleaned[6:]}"
    try:
        return datetime.date.fromisoformat(cleaned)
    except ValueError as exc:
        raise ValidationError(
            _("%(where)s:日期“%(value)s”无法识别。") % {"where": where, "value": text[:20]},
            field="file",
        ) from exc


def read_statement(content: bytes, filename: str) -> list[StatementLine]:
    rows = bankfiles.read_rows(content, filename, required=("date",))
    lines = []
    for row in rows:
        where = _("第 %(line)s 行") % {"line": row.line}
        v = row.values
        if "inflow" in v or "outflow" in v:
            inflow = to_money(v.get("inflow") or "0", field="file", label=where)
            outflow = to_money(v.get("outflow") or "0", field="file", label=where)
            amount = inflow - outflow
        elif "amount" in v:
            amount = to_money(v["amount"], field="file", label=where)
        else:
            raise ValidationError(_("对账单中找不到金额列(收入/支出或金额)。"), field="file")
        balance = to_money(v["balance"], field="file", label=where) if v.get("balance") else None
        lines.append(
            StatementLine(row.line, _date(v["date"], where), amount, v.get("memo", ""), balance)
        )
    if not lines:
        raise ValidationError(_("对账单中没有数据行。"), field="file")
    return lines


def match_statement(book: Book, lines: list[StatementLine]) -> StatementMatch:
    """Pair each statement line with an entry on the bank account of the same amount and
    direction within a few days (nearest date first); list what is left on either side."""
    start = min(line.date for line in lines) - datetime.timedelta(days=DAYS)
    end = max(line.date for line in lines)
    books = [
        BookLine(entry_id, number, date, debit - credit, memo)
        for entry_id, number, date, debit, credit, memo in EntryLine.objects.filter(
            entry__book=book, account__code=BANK, entry__date__range=(start, end)
        )
        .order_by("entry__date", "entry__number")
        .values_list("entry_id", "entry__number", "entry__date", "debit", "credit", "entry__memo")
    ]
    result = StatementMatch(end=end)
    free = list(books)
    for line in sorted(lines, key=lambda x: (x.date, x.line)):
        candidates = [
            b for b in free if b.amount == line.amount and abs((b.date - line.date).days) <= DAYS
        ]
        if candidates:
            best = min(candidates, key=lambda b: (abs((b.date - line.date).days), b.number))
            free.remove(best)
            result.matched.append((line, best))
        else:
            result.only_in_statement.append(line)
    window_start = min(line.date for line in lines)
    result.only_in_books = [b for b in free if b.date >= window_start]
    last = max(lines, key=lambda x: (x.date, x.line))
    result.statement_balance = last.balance
    sums = EntryLine.objects.filter(
        entry__book=book, account__code=BANK, entry__date__lte=end
    ).aggregate(d=Coalesce(Sum("debit"), ZERO), c=Coalesce(Sum("credit"), ZERO))
    result.books_balance = sums["d"] - sums["c"]
    return result


@dataclass(frozen=True)
class Check:
    label: str
    books: Decimal
    records: Decimal

    @property
    def difference(self) -> Decimal:
        return self.books - self.records

    @property
    def ok(self) -> bool:
        return self.difference == 0

    @property
    def words(self) -> str:
        if self.ok:
            return str(_("相符"))
        return _("相差 %(d)s 元") % {"d": format_money(self.difference)}


def _account(book: Book, code: str) -> tuple[Decimal, Decimal]:
    sums = EntryLine.objects.filter(entry__book=book, account__code=code).aggregate(
        d=Coalesce(Sum("debit"), ZERO), c=Coalesce(Sum("credit"), ZERO)
    )
    return sums["d"], sums["c"]


def books_vs_records(book: Book) -> list[Check]:
    """账账相符: each account against the fund's own records of the same money."""
    from .services.income import INCOME_ACCOUNT

    checks = []
    for kind, code in INCOME_ACCOUNT.items():
        d, c = _account(book, code)
        records = (
            Income.objects.filter(book=book, kind=kind)
            .exclude(
                entry_id__in=Entry.objects.filter(book=book, reverses__isnull=False).values(
                    "reverses_id"
                )
            )
            .aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
        )
        checks.append(Check(str(_("%(kind)s收入") % {"kind": kind.label}), c - d, records))
    d, c = _account(book, COMMITTED)
    committed = Commitment.objects.filter(book=book, status=Commitment.Status.COMMITTED).aggregate(
        s=Coalesce(Sum("amount"), ZERO)
    )["s"]
    checks.append(Check(str(_("已批待发")), c - d, committed))
    for programme in Programme:
        d, c = _account(book, PROGRAMME_ACCOUNT[programme])
        paid = Payment.objects.filter(
            commitment__book=book, commitment__programme=programme, status=Payment.Status.PAID
        ).aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
        checks.append(Check(str(_("%(p)s支出") % {"p": programme.label}), d - c, paid))
    return checks
