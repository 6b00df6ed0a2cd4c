"""Demo data of the special fund: the plan's year — 20,000 yuan from township finance, 20,000
raised by donation (one receipt voided and issued again), a little interest, January closed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from bangfu.funds.models import Book, Income
from bangfu.funds.services.books import book_open, period_close
from bangfu.funds.services.budgets import budget_set
from bangfu.funds.services.income import income_record, receipt_void
from bangfu.network.models import OrgUnit


def seed_funds(*, users: dict[str, Any], log: Callable[[str], None]) -> None:
    """Create the centre's book and its money in once (nothing when any book exists)."""
    if Book.objects.exists():
        return
    finance = users["finance"]
    today = timezone.localdate()
    year = today.year
    centre = OrgUnit.objects.get(parent__isnull=True, kind=OrgUnit.Kind.CENTER)

    def on(month: int, day: int) -> datetime.date:
        return min(datetime.date(year, month, day), today)

    book = book_open(actor=finance, unit=centre, year=year, bank_name="湘潭农商银行响水支行")
    K = Income.Kind
    income_record(
        actor=finance, book=book, kind=K.ALLOCATION, amount="20000.00", date=on(1, 15),
        payer="响水乡财政所", note="年度帮扶资金拨款",
    )  # fmt: skip
    income_record(
        actor=finance, book=book, kind=K.DONATION, amount="10000.00", date=on(1, 20),
        payer="湘潭电机厂工会",
    )  # fmt: skip
    wrong = income_record(
        actor=finance, book=book, kind=K.DONATION, amount="8000.00", date=on(2, 3),
        payer="响水乡商业协会",
    )  # fmt: skip
    receipt_void(
        actor=finance, receipt=wrong.receipt, date=on(2, 4), reason="捐赠人名称写错,重新开具"
    )
    income_record(
        actor=finance, book=book, kind=K.DONATION, amount="8000.00", date=on(2, 4),
        payer="响水乡商会",
    )  # fmt: skip
    income_record(
        actor=finance, book=book, kind=K.DONATION, amount="2000.00", date=on(2, 10),
        payer="王建国", channel=Income.Channel.CASH, purpose="助学(困难职工子女)",
    )  # fmt: skip
    income_record(
        actor=finance, book=book, kind=K.INTEREST, amount="35.20", date=on(3, 21),
        payer="湘潭农商银行响水支行", note="一季度结息",
    )  # fmt: skip
    for programme, amount in (
        ("living", "15000"), ("medical", "10000"), ("education", "8000"),
        ("employment", "4000"), ("other", "2000"),
    ):  # fmt: skip
        budget_set(actor=finance, book=book, programme=programme, amount=amount, note="年初预算")
    if today.month > 1:
        period_close(actor=finance, book=book, month=1)
    log(f"帮扶资金:{book},收入 5 笔(其中捐赠收据 1 张作废),5 个项目预算")
