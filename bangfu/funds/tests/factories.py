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
