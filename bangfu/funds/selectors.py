"""Reads of the books, always scoped to the user (funds.view on the book's centre)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from bangfu.accounts.policy import scope_q, scoped_get

from .models import (
    Account,
    BankBatch,
    Book,
    Commitment,
    DonationReceipt,
    Entry,
    Income,
    Payment,
    Sample,
    SampleCheck,
)
from .payable import ASSISTANCE_APPLICATION
from .permissions import FundsPermission

ZERO = Decimal("0.00")


def books(user: Any) -> QuerySet[Book]:
    return (
        Book.objects.filter(scope_q(user, FundsPermission.VIEW))
        .select_related("unit")
        .order_by("-year", "unit__name")
    )


def book_get(user: Any, pk: Any) -> Book:
    return scoped_get(books(user), pk)


def entry_get(user: Any, pk: Any) -> Entry:
    return scoped_get(
        Entry.objects.filter(scope_q(user, FundsPermission.VIEW, field="book__unit"))
        .select_related("book__unit", "reverses")
        .prefetch_related("lines__account"),
        pk,
    )


def receipt_get(user: Any, pk: Any) -> DonationReceipt:
    return scoped_get(
        DonationReceipt.objects.filter(
            scope_q(user, FundsPermission.VIEW, field="book__unit")
        ).select_related("book__unit", "income"),
        pk,
    )


@dataclass(frozen=True)
class Balance:
    account: Account
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """The balance on the account's normal side."""
        if self.account.debit_normal:
            return self.debit - self.credit
        return self.credit - self.debit


def balances(book: Book) -> list[Balance]:
    """Every account of the book with its debit and credit totals: one query."""
    rows = Account.objects.filter(book=book).annotate(
        d=Coalesce(Sum("lines__debit"), ZERO), c=Coalesce(Sum("lines__credit"), ZERO)
    )
    return [Balance(a, a.d, a.c) for a in rows.order_by("code")]


def entries(book: Book) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(book=book)
        .select_related("reverses")
        .prefetch_related("lines__account")
        .order_by("-number")
    )


def incomes(book: Book) -> QuerySet[Income]:
    return (
        Income.objects.filter(book=book).select_related("entry", "receipt").order_by("-date", "-pk")
    )


def receipts(book: Book) -> QuerySet[DonationReceipt]:
    return DonationReceipt.objects.filter(book=book).select_related("income").order_by("number")


def closed_months(book: Book) -> list[int]:
    return list(book.periods.order_by("month").values_list("month", flat=True))


def reversed_ids(book: Book) -> set[int]:
    return set(
        Entry.objects.filter(book=book, reverses__isnull=False).values_list(
            "reverses_id", flat=True
        )
    )


def commitments(book: Book) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(book=book)
        .select_related("household")
        .prefetch_related("payments")
        .order_by("-created_at", "-pk")
    )


def commitment_get(user: Any, pk: Any) -> Commitment:
    return scoped_get(
        Commitment.objects.filter(
            scope_q(user, FundsPermission.VIEW, field="book__unit")
        ).select_related("book__unit", "household", "entry"),
        pk,
    )


def payment_get(user: Any, pk: Any) -> Payment:
    return scoped_get(
        Payment.objects.filter(
            scope_q(user, FundsPermission.VIEW, field="commitment__book__unit")
        ).select_related(
            "commitment__book__unit", "commitment__household", "commitment__entry", "entry", "batch"
        ),
        pk,
    )


def signer_choices(commitment: Commitment) -> list[tuple[str, str]]:
    household = commitment.household
    if household is None:
        return []
    choices = [("head", f"{household.name}(户主本人)")]
    for member in household.members.order_by("pk"):
        choices.append((f"member:{member.pk}", f"{member.name}({member.get_relation_display()})"))
    return choices


def household_payments(user: Any, household_id: int) -> tuple[list[Payment], dict[int, Decimal]]:
    """Every payment made to the household (in the user's scope), newest first, and the total
    paid per year."""
    rows = list(
        Payment.objects.filter(
            scope_q(user, FundsPermission.VIEW, field="commitment__book__unit"),
            commitment__household_id=household_id,
        )
        .select_related("commitment__book", "entry")
        .order_by("-created_at", "-pk")[:200]
    )
    totals: dict[int, Decimal] = {}
    for payment in rows:
        if payment.status == Payment.Status.PAID and payment.paid_on:
            year = payment.paid_on.year
            totals[year] = totals.get(year, ZERO) + payment.amount
    return rows, dict(sorted(totals.items(), reverse=True))


def batches(book: Book) -> QuerySet[BankBatch]:
    return BankBatch.objects.filter(book=book).order_by("-created_at", "-pk")


def batch_get(user: Any, pk: Any) -> BankBatch:
    return scoped_get(
        BankBatch.objects.filter(
            scope_q(user, FundsPermission.VIEW, field="book__unit")
        ).select_related("book__unit"),
        pk,
    )


def bank_payable(book: Book, user: Any) -> list[Commitment]:
    """Committed items with no payment under way that may be paid today: what a new batch may
    hold. An assistance application must be in `assistance.selectors.payable` for the user
    (approved, its notice ended); the payment services check each item again."""
    from bangfu.assistance.selectors import payable as assistance_payable

    return list(
        Commitment.objects.filter(book=book, status=Commitment.Status.COMMITTED)
        .exclude(payments__status__in=["prepared", "sent", "paid"])
        .exclude(
            Q(subject_type=ASSISTANCE_APPLICATION)
            & ~Q(subject_id__in=assistance_payable(user=user).values("pk"))
        )
        .select_related("household")
        .order_by("pk")[:500]
    )


def samples(book: Book) -> QuerySet[Sample]:
    """The book's samples, newest first, each with how many were checked, are still to check,
    did not match, and of those are still open: one query."""
    mismatch = Q(checks__outcome=SampleCheck.Outcome.MISMATCH)
    return (
        Sample.objects.filter(book=book)
        .select_related("created_by")
        .annotate(
            checked=Count("checks", filter=Q(checks__checked_on__isnull=False)),
            to_check=Count("checks", filter=Q(checks__checked_on__isnull=True)),
            mismatches=Count("checks", filter=mismatch),
            open_mismatches=Count("checks", filter=mismatch & Q(checks__resolved_at__isnull=True)),
        )
        .order_by("-drawn_on", "-pk")
    )


def sample_get(user: Any, pk: Any) -> Sample:
    return scoped_get(
        Sample.objects.filter(
            scope_q(user, FundsPermission.VIEW, field="book__unit")
        ).select_related("book__unit", "created_by"),
        pk,
    )


def sample_checks(sample: Sample) -> QuerySet[SampleCheck]:
    return (
        SampleCheck.objects.filter(sample=sample)
        .select_related("payment__batch", "checked_by", "resolved_by")
        .order_by("pk")
    )


def check_get(user: Any, pk: Any) -> SampleCheck:
    return scoped_get(
        SampleCheck.objects.filter(
            scope_q(user, FundsPermission.VIEW, field="sample__book__unit")
        ).select_related("sample__book__unit", "payment", "checked_by", "resolved_by"),
        pk,
    )


def payment_checks(payment: Payment) -> QuerySet[SampleCheck]:
    return SampleCheck.objects.filter(payment=payment).select_related("sample").order_by("pk")
