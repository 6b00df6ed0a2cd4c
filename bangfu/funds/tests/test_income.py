import datetime
from decimal import Decimal

import pytest

from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.models import AuditEvent
from bangfu.funds.models import DonationReceipt, Entry, Income
from bangfu.funds.services.income import receipt_void

from .factories import make_book, make_finance, make_income


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    return make_book(network.township, actor=finance)


def _donate(book, finance, payer="张三", amount="100"):
    return make_income(book, actor=finance, kind="donation", payer=payer, amount=amount)


def test_donations_get_receipt_numbers_without_gaps(book, finance):
    numbers = [_donate(book, finance, payer=f"捐赠人{i}").receipt.number for i in range(3)]
    make_income(book, actor=finance)  # an allocation gets no receipt
    numbers.append(_donate(book, finance).receipt.number)
    assert numbers == [1, 2, 3, 4]
    assert DonationReceipt.objects.get(number=1).display_number == "JZ2026-00001"


def test_a_void_receipt_keeps_its_number_and_reverses_its_entry(book, finance):
    first = _donate(book, finance).receipt
    receipt_void(actor=finance, receipt=first, date=datetime.date(2026, 3, 9), reason="填错捐赠人")
    first.refresh_from_db()
    assert first.void
    assert first.void_reason == "填错捐赠人"
    assert _donate(book, finance).receipt.number == 2
    assert Entry.objects.filter(reverses=first.income.entry).count() == 1
    with pytest.raises(Conflict, match="该收据已经作废"):
        receipt_void(actor=finance, receipt=first, date=datetime.date(2026, 3, 9), reason="再")


def test_a_bad_amount_is_refused_with_the_field_and_nothing_written(book, finance):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_income(book, actor=finance, amount="0")
    assert exc.value.message == "金额必须大于零。"
    assert exc.value.field == "amount"
    from bangfu.funds.services.income import income_record

    with pytest.raises(ValidationError, match="金额格式不正确"):
        income_record(
            actor=finance,
            book=book,
            kind="donation",
            amount="两万",
            date=datetime.date(2026, 3, 1),
            payer="张三",
        )
    with pytest.raises(ValidationError, match="请填写捐赠人"):
        income_record(
            actor=finance,
            book=book,
            kind="donation",
            amount="1",
            date=datetime.date(2026, 3, 1),
            payer=" ",
        )
    assert not Income.objects.exists()
    assert not Entry.objects.exists()
    assert AuditEvent.objects.count() == events


def test_income_keeps_donor_channel_and_restriction(book, finance):
    income = _donate(book, finance, payer="湘潭电机厂工会", amount="20,000.00")
    assert income.amount == Decimal("20000.00")
    assert income.entry.memo == "捐赠:湘潭电机厂工会"
