"""The monthly statement: per book and month, the fund's money at the start, income by
source, spending by kind, commitments and the money at the end — matching the trial balance;
as a page and as xlsx."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.archives.tests.factories import make_household
from bangfu.funds import bankfiles, reports
from bangfu.funds.services.banking import batch_create, batch_mark_sent, return_import
from bangfu.funds.services.commitments import commitment_make

from .factories import make_book, make_finance, make_income

D = datetime.date


def _card(body: str) -> str:
    return next(body + c for c in "0123456789" if bankfiles.luhn_ok(body + c))


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance, staff):
    """January: 20,000 from the township; February: a donation of 5,000; April: two items
    committed (1,000 and 800) and paid by bank, the second line failing."""
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="20000", date=D(2026, 1, 15))
    make_income(
        book, actor=finance, kind="donation", amount="5000", date=D(2026, 2, 3), payer="电机厂"
    )
    items = []
    for n, amount in ((1, "1000"), (2, "800")):
        household = make_household(
            network.station_a, filed_by=staff, name=f"户主{n}", mobile=f"1370000{n:04d}"
        )
        household.bank_card = _card(f"62170000100000000{n}")
        household.save()
        with transaction.atomic():
            items.append(
                commitment_make(
                    actor=finance,
                    book=book,
                    programme="living",
                    amount=amount,
                    date=D(2026, 4, 1),
                    subject_type="test.item",
                    subject_id=n,
                    subject_label=f"生活救助 户主{n}",
                    recipient_name=f"户主{n}",
                    household=household,
                )
            )
    batch = batch_create(actor=finance, book=book, commitments=items)
    batch_mark_sent(actor=finance, batch=batch, sent_on=D(2026, 4, 5))
    first, second = batch.payments.order_by("number")
    content = (
        "业务参考号,户名,交易金额,处理结果,失败原因\r\n"
        f"{first.number},户主1,{first.amount},成功,\r\n"
        f"{second.number},户主2,{second.amount},失败,户名不符\r\n"
    ).encode("gbk")
    return_import(actor=finance, batch=batch, content=content, filename="r.csv", date=D(2026, 4, 8))
    return book


def _amounts(lines):
    return {line.code: line.amount for line in lines if line.amount}


def test_the_month_of_the_allocation(book):
    s = reports.monthly_statement(book, 1)

    assert s.opening == Decimal("0.00")
    assert _amounts(s.income) == {"4001": Decimal("20000.00")}
    assert s.spending_total == Decimal("0.00")
    assert s.closing == Decimal("20000.00")
    assert s.matches


def test_the_month_of_the_payments(book):
    s = reports.monthly_statement(book, 4)

    assert s.opening == Decimal("25000.00")
    assert s.income_total == Decimal("0.00")
    assert _amounts(s.spending) == {"5001": Decimal("1000.00")}
    assert s.closing == Decimal("24000.00")
    assert _amounts(s.closing_lines) == {"1001": Decimal("24000.00")}
    assert (s.commitments_opening, s.commitments_new, s.commitments_settled) == (
        Decimal("0.00"),
        Decimal("1800.00"),
        Decimal("1000.00"),
    )
    assert s.commitments_closing == Decimal("800.00")
    assert s.available == Decimal("23200.00")
    assert s.matches


def test_each_closing_is_the_next_opening_and_the_trial_balance_agrees(book):
    for month in range(1, 12):
        this, following = (reports.monthly_statement(book, m) for m in (month, month + 1))
        assert this.closing == following.opening
    trial = reports.trial_balance(book, reports.DateRange(D(2026, 1, 1), D(2026, 12, 31)))
    fund = sum(
        (
            r.closing_debit - r.closing_credit
            for r in trial.rows
            if r.account.code in ("1001", "1101")
        ),
        Decimal("0.00"),
    )
    assert reports.monthly_statement(book, 12).closing == fund


def test_the_page_and_the_workbook(client, finance, book):
    client.force_login(finance)

    page = client.get(reverse("funds:monthly_statement", args=[book.pk]), {"month": "4"})
    xlsx = client.get(reverse("funds:monthly_statement_xlsx", args=[book.pk]), {"month": "4"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "与试算平衡表相符" in text
    assert "24,000.00" in text
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "响水乡职工服务(帮扶)中心 2026 年 4 月帮扶资金收支报表"
    assert ["期末专户资金余额", None, 24000] in values or ["期末专户资金余额", "", 24000] in values


def test_a_wrong_month_falls_back_to_december_of_a_past_year(client, network, finance):
    old = make_book(network.township, actor=finance, year=2025)
    client.force_login(finance)

    page = client.get(reverse("funds:monthly_statement", args=[old.pk]), {"month": "13"})

    assert page.status_code == 200
    assert page.context["month"] == 12


def test_a_book_outside_the_scope_is_not_found(client, network, book):
    other = make_finance(network.other_township, username="other_finance")
    client.force_login(other)

    assert client.get(reverse("funds:monthly_statement", args=[book.pk])).status_code == 404
    assert client.get(reverse("funds:monthly_statement_xlsx", args=[book.pk])).status_code == 404
