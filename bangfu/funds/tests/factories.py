from __future__ import annotations

import datetime
from typing import Any

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.funds.models import Book, Income
from bangfu.funds.services.books import book_open
from bangfu.funds.services.income import income_record


def make_finance(unit: Any, **kwargs: Any) -> Any:
    return make_user((Role.FINANCE, unit), full_name="李芳", **kwargs)


def make_book(unit: Any, *, actor: Any = None, year: int = 2026) -> Book:
    actor = actor or make_finance(unit)
    return book_open(actor=actor, unit=unit, year=year, bank_name="湘潭农商银行响水支行")


def make_income(
    book: Book,
    *,
    actor: Any,
    kind: str = Income.Kind.ALLOCATION,
    amount: str = "20000.00",
    date: datetime.date = datetime.date(2026, 3, 2),
    payer: str = "响水乡财政所",
    **kwargs: Any,
) -> Income:
    return income_record(
        actor=actor,
        book=book,
        kind=kind,
        amount=amount,
        date=date,
        payer=payer,
        **kwargs,
    )


def funded_books(network: Any, *, amount: str = "1000000.00", year: int | None = None) -> None:
    """Each centre of the test network (the county and both townships) with its book of `year`
    (this year by default) and `amount` allocated to it, opened by a finance user of its own."""
    from django.utils import timezone

    year = year or timezone.localdate().year
    for unit in (network.county, network.township, network.other_township):
        finance = make_finance(unit, username=f"finance-{unit.pk}")
        book = make_book(unit, actor=finance, year=year)
        make_income(
            book, actor=finance, amount=amount, date=datetime.date(year, 1, 2), payer="财政拨款"
        )


def make_paid_book(network: Any, *, staff: Any, finance: Any, count: int = 5) -> Book:
    """The township's book of 2026 with `count` payments made in person (signed scan attached,
    paid on 2026-04-02), to households of station A."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from bangfu.archives.tests.factories import make_household
    from bangfu.funds.services.commitments import commitment_make
    from bangfu.funds.services.payments import (
        payment_attach_scan,
        payment_confirm,
        payment_prepare,
    )

    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="40000", date=datetime.date(2026, 1, 15))
    for n in range(count):
        household = make_household(
            network.station_a, filed_by=staff, name=f"户主{n}", mobile=f"1370000{n:04d}"
        )
        with transaction.atomic():
            commitment = commitment_make(
                actor=finance, book=book, programme="living", amount="100",
                date=datetime.date(2026, 4, 1), subject_type="test.item", subject_id=n,
                subject_label=f"生活救助 {n}", recipient_name=household.name,
                household=household,
            )  # fmt: skip
        payment = payment_prepare(actor=finance, commitment=commitment, signer="head")
        payment_attach_scan(
            actor=finance,
            payment=payment,
            file=SimpleUploadedFile("s.pdf", b"%PDF-1.4 signed", content_type="application/pdf"),
        )
        payment_confirm(actor=finance, payment=payment, paid_on=datetime.date(2026, 4, 2))
    return book
