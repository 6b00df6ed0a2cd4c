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


# --- the monthly statement (月度收支报表) --------------------------------------------------------

# The accounts that hold the fund's money: the bank account and what is on its way to the
# recipients through the bank (still the fund's until the bank confirms).
FUND_ACCOUNTS = ("1001", "1101")
COMMITTED_ACCOUNT = "2101"


@dataclass(frozen=True)
class StatementLine:
    code: str
    name: str
    amount: Decimal


@dataclass
class MonthlyStatement:
    """One book's month: the fund's money at the start, income by source, spending by kind,
    the fund's money at the end, and the commitments (已批待发) at both ends — all read from the
    trial balance of the month, so the statement and the trial balance cannot disagree."""

    book: Book
    month: int
    period: DateRange
    opening: Decimal
    opening_lines: list[StatementLine]
    income: list[StatementLine]
    spending: list[StatementLine]
    closing: Decimal
    closing_lines: list[StatementLine]
    commitments_opening: Decimal
    commitments_new: Decimal
    commitments_settled: Decimal
    commitments_closing: Decimal
    trial_balanced: bool

    @property
    def income_total(self) -> Decimal:
        return sum((line.amount for line in self.income), ZERO)

    @property
    def spending_total(self) -> Decimal:
        return sum((line.amount for line in self.spending), ZERO)

    @property
    def expected_closing(self) -> Decimal:
        return self.opening + self.income_total - self.spending_total

    @property
    def difference(self) -> Decimal:
        """Closing per the books minus opening + income − spending: zero when they agree."""
        return self.closing - self.expected_closing

    @property
    def matches(self) -> bool:
        return self.trial_balanced and self.difference == ZERO

    @property
    def available(self) -> Decimal:
        """The money not yet promised: the closing balance less the commitments."""
        return self.closing - self.commitments_closing


def month_range(book: Book, month: int) -> DateRange:
    import calendar

    last = calendar.monthrange(book.year, month)[1]
    return DateRange(datetime.date(book.year, month, 1), datetime.date(book.year, month, last))


def monthly_statement(book: Book, month: int) -> MonthlyStatement:
    """The statement of `month` (1–12) of the book's year (one query: the trial balance)."""
    if not 1 <= month <= 12:
        raise ValueError(month)
    period = month_range(book, month)
    trial = trial_balance(book, period)
    rows = {r.account.code: r for r in trial.rows}

    def opening_of(r: TrialRow) -> Decimal:
        return _signed(r.account, r.opening_debit, r.opening_credit)

    def closing_of(r: TrialRow) -> Decimal:
        return _signed(r.account, r.closing_debit, r.closing_credit)

    fund = [rows[c] for c in FUND_ACCOUNTS if c in rows]
    income = [
        StatementLine(r.account.code, r.account.name, r.credit - r.debit)
        for r in trial.rows
        if r.account.kind == Account.Kind.INCOME
    ]
    spending = [
        StatementLine(r.account.code, r.account.name, r.debit - r.credit)
        for r in trial.rows
        if r.account.kind == Account.Kind.EXPENSE
    ]
    committed = rows.get(COMMITTED_ACCOUNT)
    return MonthlyStatement(
        book=book,
        month=month,
        period=period,
        opening=sum((opening_of(r) for r in fund), ZERO),
        opening_lines=[StatementLine(r.account.code, r.account.name, opening_of(r)) for r in fund],
        income=income,
        spending=spending,
        closing=sum((closing_of(r) for r in fund), ZERO),
        closing_lines=[StatementLine(r.account.code, r.account.name, closing_of(r)) for r in fund],
        commitments_opening=opening_of(committed) if committed else ZERO,
        commitments_new=committed.credit if committed else ZERO,
        commitments_settled=committed.debit if committed else ZERO,
        commitments_closing=closing_of(committed) if committed else ZERO,
        trial_balanced=trial.balanced,
    )


def monthly_statement_workbook(statement: MonthlyStatement) -> bytes:
    """The statement as one xlsx sheet: item, account, amount."""
    from django.utils.translation import gettext as _

    from bangfu.core.xlsx import SheetSpec, write_workbook

    s = statement
    rows: list[tuple[str, str, Any]] = [(_("期初专户资金余额"), "", s.opening)]
    rows += [("  " + line.name, line.code, line.amount) for line in s.opening_lines]
    rows.append((_("本月收入合计"), "", s.income_total))
    rows += [("  " + line.name, line.code, line.amount) for line in s.income]
    rows.append((_("本月支出合计"), "", s.spending_total))
    rows += [("  " + line.name, line.code, line.amount) for line in s.spending]
    rows.append((_("期末专户资金余额"), "", s.closing))
    rows += [("  " + line.name, line.code, line.amount) for line in s.closing_lines]
    rows += [
        (_("已批待发:月初"), COMMITTED_ACCOUNT, s.commitments_opening),
        (_("已批待发:本月新增"), COMMITTED_ACCOUNT, s.commitments_new),
        (_("已批待发:本月发放或释放"), COMMITTED_ACCOUNT, s.commitments_settled),
        (_("已批待发:月末"), COMMITTED_ACCOUNT, s.commitments_closing),
        (_("月末可用资金(余额 − 已批待发)"), "", s.available),
        (
            _("与试算平衡表核对"),
            "",
            _("相符") if s.matches else _("不相符,差额 %(d)s") % {"d": s.difference},
        ),
    ]
    headers = [_("项目"), _("科目编码"), _("金额(元)")]
    return write_workbook(
        [
            SheetSpec(
                title=_("月度收支报表"),
                headers=headers,
                rows=rows,
                text_columns={headers[1]},
                title_line=_("%(unit)s %(year)s 年 %(month)s 月帮扶资金收支报表")
                % {"unit": s.book.unit.name, "year": s.book.year, "month": s.month},
            )
        ]
    )
