"""The books' reports, read-only: journal (序时账), ledger per account (明细账), trial balance
(试算平衡表) and budget vs spending per programme. Sums are computed in the database, one
query per report part, whatever the number of entries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import (
    PROGRAMME_ACCOUNT,
    Account,
    Book,
    Budget,
    Commitment,
    Entry,
    EntryLine,
    Payment,
    Programme,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DateRange:
    start: datetime.date
    end: datetime.date

    @classmethod
    def whole_year(cls, book: Book) -> DateRange:
        return cls(datetime.date(book.year, 1, 1), datetime.date(book.year, 12, 31))


def _signed(account: Account, debit: Decimal, credit: Decimal) -> Decimal:
    return debit - credit if account.debit_normal else credit - debit


def journal(book: Book, period: DateRange) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(book=book, date__range=(period.start, period.end))
        .prefetch_related("lines__account")
        .order_by("date", "number")
    )


@dataclass
class LedgerRow:
    entry: Entry
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass
class Ledger:
    account: Account
    opening: Decimal
    rows: list[LedgerRow] = field(default_factory=list)
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def closing(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening


def ledger(account: Account, period: DateRange) -> Ledger:
    """The account's lines in the period with a running balance on its normal side."""
    before = EntryLine.objects.filter(account=account, entry__date__lt=period.start).aggregate(
        d=Coalesce(Sum("debit"), ZERO), c=Coalesce(Sum("credit"), ZERO)
    )
    result = Ledger(account=account, opening=_signed(account, before["d"], before["c"]))
    balance = result.opening
    lines = (
        EntryLine.objects.filter(account=account, entry__date__range=(period.start, period.end))
        .select_related("entry")
        .order_by("entry__date", "entry__number", "pk")
    )
    for line in lines:
        balance += _signed(account, line.debit, line.credit)
        result.rows.append(LedgerRow(line.entry, line.debit, line.credit, balance))
        result.debit += line.debit
        result.credit += line.credit
    return result


@dataclass(frozen=True)
class TrialRow:
    account: Account
    opening_debit: Decimal
    opening_credit: Decimal
    debit: Decimal
    credit: Decimal
    closing_debit: Decimal
    closing_credit: Decimal


@dataclass
class TrialBalance:
    rows: list[TrialRow]

    def total(self, name: str) -> Decimal:
        return sum((getattr(r, name) for r in self.rows), ZERO)

    @property
    def totals(self) -> dict[str, Decimal]:
        names = ("opening_debit", "opening_credit", "debit", "credit")
        result = {n: self.total(n) for n in names}
        result["closing_debit"] = self.total("closing_debit")
        result["closing_credit"] = self.total("closing_credit")
        return result

    @property
    def balanced(self) -> bool:
        t = self.totals
        return (
            t["opening_debit"] == t["opening_credit"]
            and t["debit"] == t["credit"]
            and t["closing_debit"] == t["closing_credit"]
        )


def _sides(net: Decimal) -> tuple[Decimal, Decimal]:
    """A net debit balance (positive) on the debit side, a net credit one on the credit side."""
    return (net, ZERO) if net >= 0 else (ZERO, -net)


def trial_balance(book: Book, period: DateRange) -> TrialBalance:
    """Opening balances, movements in the period and closing balances of every account."""
    accounts = Account.objects.filter(book=book).annotate(
        od=Coalesce(Sum("lines__debit", filter=Q(lines__entry__date__lt=period.start)), ZERO),
        oc=Coalesce(Sum("lines__credit", filter=Q(lines__entry__date__lt=period.start)), ZERO),
        d=Coalesce(
            Sum("lines__debit", filter=Q(lines__entry__date__range=(period.start, period.end))),
            ZERO,
        ),
        c=Coalesce(
            Sum("lines__credit", filter=Q(lines__entry__date__range=(period.start, period.end))),
            ZERO,
        ),
    )
    rows = []
    for a in accounts.order_by("code"):
        od, oc = _sides(a.od - a.oc)
        cd, cc = _sides(a.od + a.d - a.oc - a.c)
        rows.append(TrialRow(a, od, oc, a.d, a.c, cd, cc))
    return TrialBalance(rows)


@dataclass(frozen=True)
class BudgetRow:
    programme: str
    label: str
    budget: Decimal | None
    committed: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal | None:
        if self.budget is None:
            return None
        return self.budget - self.committed - self.spent

    @property
    def used_percent(self) -> Decimal | None:
        if not self.budget:
            return None
        return ((self.committed + self.spent) * 100 / self.budget).quantize(Decimal("0.1"))


def budget_vs_spending(book: Book) -> list[BudgetRow]:
    """Per programme: the budget, what is committed (已批待发) and what was spent."""
    budgets = {b.programme: b.amount for b in Budget.objects.filter(book=book)}
    spent = dict(
        EntryLine.objects.filter(entry__book=book, account__code__in=PROGRAMME_ACCOUNT.values())
        .values_list("account__code")
        .annotate(net=Sum("debit") - Sum("credit"))
        .values_list("account__code", "net")
    )
    committed = _committed_by_programme(book)
    return [
        BudgetRow(
            programme=p.value,
            label=str(p.label),
            budget=budgets.get(p.value),
            committed=committed.get(p.value, ZERO),
            spent=spent.get(PROGRAMME_ACCOUNT[p]) or ZERO,
        )
        for p in Programme
    ]


def _committed_by_programme(book: Book) -> dict[str, Decimal]:
    """What is approved and not yet paid (已批待发), per programme."""
    return dict(
        Commitment.objects.filter(book=book, status=Commitment.Status.COMMITTED)
        .values_list("programme")
        .annotate(s=Sum("amount"))
        .values_list("programme", "s")
    )


def ledger_rows(book: Book) -> QuerySet[Payment]:
    """The 帮扶资金台帐: every payment of the book, as it was when paid (the snapshot)."""
    return (
        Payment.objects.filter(commitment__book=book)
        .select_related("commitment", "entry", "batch")
        .order_by("paid_on", "number")
    )


@dataclass(frozen=True)
class HouseholdTotal:
    household_id: int
    name: str
    archive_no: str
    count: int
    total: Decimal


def household_totals(book: Book) -> list[HouseholdTotal]:
    """Totals paid per household in the book's year, largest first."""
    totals: dict[int, HouseholdTotal] = {}
    for p in Payment.objects.filter(
        commitment__book=book, status=Payment.Status.PAID, commitment__household__isnull=False
    ).select_related("commitment"):
        hid = p.commitment.household_id
        assert hid is not None
        old = totals.get(hid)
        totals[hid] = HouseholdTotal(
            hid,
            str(p.snapshot.get("name", p.recipient_name)),
            str(p.snapshot.get("archive_no", "")),
            (old.count if old else 0) + 1,
            (old.total if old else ZERO) + p.amount,
        )
    return sorted(totals.values(), key=lambda t: (-t.total, t.name))


def ledger_headers() -> list[str]:
    """The columns of the 帮扶资金台帐."""
    from django.utils.translation import gettext as _

    return [
        _("发放日期"), _("凭证号"), _("职工编号"), _("姓名"), _("身份证号"), _("困难类别"),
        _("帮扶项目"), _("事项"), _("金额"), _("发放方式"), _("银行卡号/签领人"), _("状态"),
        _("记账凭证"),
    ]  # fmt: skip


def ledger_text_headers() -> set[str]:
    headers = ledger_headers()
    return {headers[1], headers[2], headers[4], headers[10]}


def ledger_row(p: Payment) -> tuple[Any, ...]:
    """One payment of the 台帐, as it was when paid (numbers masked in the snapshot)."""
    s = p.snapshot
    return (
        p.paid_on or "",
        p.number,
        s.get("archive_no", ""),
        s.get("name", p.recipient_name),
        s.get("id_masked", ""),
        s.get("category", ""),
        s.get("programme", ""),
        p.commitment.subject_label,
        p.amount,
        p.get_method_display(),
        s.get("card_masked", "") if p.method == Payment.Method.BANK else p.signer_name,
        p.get_status_display(),
        str(p.entry) if p.entry else "",
    )
