"""Demo data of the special fund: the plan's year — 20,000 yuan from township finance, 20,000
raised by donation (one receipt voided and issued again), a little interest, January closed.
The payments are made on real assistance applications in `loop.py`."""

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

from .clock import STORY_DAYS, days_ago, on_day


def seed_funds(*, users: dict[str, Any], log: Callable[[str], None]) -> None:
    """Create the centre's book and its money in once (nothing when any book exists), played
    on the story's days (`clock`): the money comes in about six weeks before the demo is
    loaded, before the first approval. When those weeks reach into last year, last year's book
    gets the same money in and this year's book too (so this year's approvals find money)."""
    if Book.objects.exists():
        return
    finance = users["finance"]
    today = timezone.localdate()
    first = days_ago(STORY_DAYS)
    centre = OrgUnit.objects.get(parent__isnull=True, kind=OrgUnit.Kind.CENTER)
    for year in sorted({first.year, today.year}):
        start = first if year == first.year else datetime.date(year, 1, 1)
        book = _book(finance=finance, centre=centre, year=year, start=start)
        log(f"帮扶资金:{book},收入 6 笔(其中捐赠收据 1 张作废),5 个项目预算")


def _book(*, finance: Any, centre: OrgUnit, year: int, start: datetime.date) -> Book:
    today = timezone.localdate()

    def on(days: int) -> datetime.date:
        return min(start + datetime.timedelta(days=days), today, datetime.date(year, 12, 31))

    with on_day(on(0)):
        book = book_open(actor=finance, unit=centre, year=year, bank_name="湘潭农商银行响水支行")
    K = Income.Kind
    incomes: list[tuple[int, dict[str, Any]]] = [
        (0, {"kind": K.ALLOCATION, "amount": "20000.00", "payer": "响水乡财政所",
             "note": "年度帮扶资金拨款"}),
        (1, {"kind": K.DONATION, "amount": "10000.00", "payer": "湘潭电机厂工会"}),
    ]  # fmt: skip
    for days, fields in incomes:
        with on_day(on(days)):
            income_record(actor=finance, book=book, date=on(days), **fields)
    with on_day(on(2)):
        wrong = income_record(
            actor=finance, book=book, kind=K.DONATION, amount="8000.00", date=on(2),
            payer="响水乡商业协会",
        )  # fmt: skip
    with on_day(on(3)):
        receipt_void(
            actor=finance, receipt=wrong.receipt, date=on(3), reason="捐赠人名称写错,重新开具"
        )
        income_record(
            actor=finance, book=book, kind=K.DONATION, amount="8000.00", date=on(3),
            payer="响水乡商会",
        )  # fmt: skip
    with on_day(on(4)):
        income_record(
            actor=finance, book=book, kind=K.DONATION, amount="2000.00", date=on(4),
            payer="王建国", channel=Income.Channel.CASH, purpose="助学(困难职工子女)",
        )  # fmt: skip
        income_record(
            actor=finance, book=book, kind=K.INTEREST, amount="35.20", date=on(4),
            payer="湘潭农商银行响水支行", note="季度结息",
        )  # fmt: skip
        for programme, amount in (
            ("living", "15000"), ("medical", "10000"), ("education", "8000"),
            ("employment", "4000"), ("other", "2000"),
        ):  # fmt: skip
            budget_set(
                actor=finance, book=book, programme=programme, amount=amount, note="年初预算"
            )
        # The months before the money came in are closed (January at least, when past).
        if on(4).month > 1:
            period_close(actor=finance, book=book, month=1)
    return book
