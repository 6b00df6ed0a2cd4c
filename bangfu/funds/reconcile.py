"""Reconciliation, read-only: the bank's statement (its lines as imported on the import kit,
`importing.BankStatementImporter`) against the books (账款相符), and the books against the
fund's own records (账账相符). Nothing is written; differences are named."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bangfu.core.money import format_money

from .models import (
    PROGRAMME_ACCOUNT,
    Account,
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
    serial: str = ""
    counterparty: str = ""


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


def stored_lines(book: Book) -> list[StatementLine]:
    """The book's imported statement lines (`models.StatementLine`), oldest first."""
    from .models import StatementLine as Stored

    return [
        StatementLine(row, date, amount, memo, balance, serial, counterparty)
        for row, date, amount, memo, balance, serial, counterparty in Stored.objects.filter(
            book=book
        )
        .order_by("date", "pk")
        .values_list("row", "date", "amount", "memo", "balance", "serial", "counterparty")
    ]


def match_statement(book: Book, lines: list[StatementLine]) -> StatementMatch:
    """账款相符 over the statement's dates. Pair each statement line with an entry on the bank
    account of the same amount and direction within a few days (nearest date first); list
    what is left on either side; the last balance of the statement against the books'."""
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
    with_balance = [line for line in lines if line.balance is not None]
    result.statement_balance = with_balance[-1].balance if with_balance else None
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
    # Each income account under its name in the book (财政拨款收入 … 其他收入), as the ledger
    # shows it: "<kind>收入" made "其他收入收入" of the last.
    names = dict(
        Account.objects.filter(book=book, code__in=INCOME_ACCOUNT.values()).values_list(
            "code", "name"
        )
    )
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
        label = names.get(code) or _("%(kind)s收入") % {"kind": kind.label}
        checks.append(Check(str(label), c - d, records))
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
