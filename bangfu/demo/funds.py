"""Demo data of the special fund: the plan's year — 20,000 yuan from township finance, 20,000
raised by donation (one receipt voided and issued again), a little interest, January closed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bangfu.archives.models import Household
from bangfu.funds.models import Book, Income
from bangfu.funds.services.banking import batch_create, batch_mark_sent, return_import
from bangfu.funds.services.books import book_open, period_close
from bangfu.funds.services.budgets import budget_set
from bangfu.funds.services.commitments import commitment_make
from bangfu.funds.services.income import income_record, receipt_void
from bangfu.funds.services.payments import payment_attach_scan, payment_confirm, payment_prepare
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
    paid = _payments(book=book, finance=finance, centre=centre, on=on)
    log(f"帮扶资金:{book},收入 5 笔(其中捐赠收据 1 张作废),5 个项目预算,{paid}")


def _payments(*, book: Book, finance: Any, centre: OrgUnit, on: Any) -> str:
    """Four approved grants: one paid in person with its signed slip, two by bank (one line
    failed: the name did not match), one still waiting."""
    households = list(
        Household.objects.filter(centre=centre, status=Household.Status.ACTIVE)
        .exclude(bank_card_last4="")
        .order_by("pk")[:4]
    )
    if len(households) < 4:
        return "无发放"
    grants = [
        ("living", "1200.00", "春节送温暖"),
        ("medical", "3000.00", "大病医疗救助"),
        ("education", "2000.00", "金秋助学"),
        ("living", "800.00", "临时生活救助"),
    ]
    commitments = []
    for n, (household, (programme, amount, what)) in enumerate(
        zip(households, grants, strict=True), start=1
    ):
        commitments.append(
            commitment_make(
                actor=finance,
                book=book,
                programme=programme,
                amount=amount,
                date=on(4, 1),
                subject_type="demo.grant",
                subject_id=n,
                subject_label=f"{what} {household.name}",
                recipient_name=household.name,
                household=household,
            )
        )
    slip = payment_prepare(actor=finance, commitment=commitments[0], signer="head")
    scan = SimpleUploadedFile("slip.pdf", b"%PDF-1.4 demo signed slip", "application/pdf")
    payment_attach_scan(actor=finance, payment=slip, file=scan)
    payment_confirm(actor=finance, payment=slip, paid_on=on(4, 3))
    batch = batch_create(actor=finance, book=book, commitments=commitments[1:3])
    batch_mark_sent(actor=finance, batch=batch, sent_on=on(4, 8))
    ok, failed = batch.payments.order_by("number")
    content = (
        "业务参考号,户名,交易金额,处理结果,失败原因\r\n"
        f"{ok.number},{ok.recipient_name},{ok.amount},成功,\r\n"
        f"{failed.number},{failed.recipient_name},{failed.amount},失败,户名与账号不符\r\n"
    ).encode("gbk")
    return_import(actor=finance, batch=batch, content=content, filename="回盘.csv", date=on(4, 9))
    return "发放 4 笔(现场 1 笔,银行代发 2 笔其中 1 笔失败,待发 1 笔)"
