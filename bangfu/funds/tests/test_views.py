import datetime

import pytest
from django.urls import reverse

from bangfu.funds.models import Book, DonationReceipt, Entry, Income

from .factories import make_book, make_finance, make_income


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    return make_book(network.township, actor=finance)


def test_finance_records_a_donation_through_the_page(client, finance, book):
    client.force_login(finance)
    url = reverse("funds:income_record", args=[book.pk])
    response = client.post(
        url,
        {
            "kind": "donation",
            "amount": "¥2,000.00",
            "date": "2026-03-02",
            "payer": "王建国",
            "channel": "cash",
            "purpose": "助学",
        },
    )
    assert response.status_code == 302
    income = Income.objects.get()
    assert income.receipt.number == 1
    page = client.get(reverse("funds:book_detail", args=[book.pk]))
    assert "JZ2026-00001" in page.content.decode()
    assert "2,000.00" in page.content.decode()


def test_a_bad_amount_on_the_page_answers_400_and_writes_nothing(client, finance, book):
    client.force_login(finance)
    response = client.post(
        reverse("funds:income_record", args=[book.pk]),
        {
            "kind": "donation",
            "amount": "两千",
            "date": "2026-03-02",
            "payer": "王",
            "channel": "cash",
        },
    )
    assert response.status_code == 400
    assert "金额格式不正确" in response.content.decode()
    assert not Entry.objects.exists()


def test_a_date_in_a_closed_month_answers_400(client, finance, book):
    client.force_login(finance)
    assert (
        client.post(reverse("funds:period_close", args=[book.pk]), {"month": "3"}).status_code
        == 302
    )
    response = client.post(
        reverse("funds:income_record", args=[book.pk]),
        {
            "kind": "allocation",
            "amount": "1",
            "date": "2026-03-02",
            "payer": "财政所",
            "channel": "transfer",
        },
    )
    assert response.status_code == 400
    assert "3 月已结账,不能再记入该月的凭证。" in response.content.decode()
    assert not Entry.objects.exists()


def test_staff_reads_but_may_not_record(client, staff, book):
    client.force_login(staff)
    assert client.get(reverse("funds:book_detail", args=[book.pk])).status_code == 200
    response = client.post(
        reverse("funds:income_record", args=[book.pk]),
        {
            "kind": "allocation",
            "amount": "1",
            "date": "2026-03-02",
            "payer": "财政所",
            "channel": "transfer",
        },
    )
    assert response.status_code == 403
    assert not Entry.objects.exists()


def test_a_book_of_another_centre_is_not_found(client, network, book):
    other = make_finance(network.other_township)
    client.force_login(other)
    assert client.get(reverse("funds:book_detail", args=[book.pk])).status_code == 404
    assert client.get(reverse("funds:book_list")).status_code == 200


def test_liaison_sees_no_funds(client, liaison_a, book):
    client.force_login(liaison_a)
    assert client.get(reverse("funds:book_list")).status_code == 403


def test_reverse_and_void_through_the_pages(client, finance, book, settings, monkeypatch):
    client.force_login(finance)
    entry = make_income(book, actor=finance, kind="interest", payer="银行").entry
    response = client.post(
        reverse("funds:entry_reverse", args=[entry.pk]), {"date": "2026-03-05", "reason": "重复"}
    )
    assert response.status_code == 302
    again = client.post(
        reverse("funds:entry_reverse", args=[entry.pk]), {"date": "2026-03-05", "reason": "重复"}
    )
    assert again.status_code == 409
    receipt = make_income(book, actor=finance, kind="donation", payer="张三").receipt
    response = client.post(
        reverse("funds:receipt_void", args=[receipt.pk]), {"date": "2026-03-05", "reason": "写错"}
    )
    assert response.status_code == 302
    assert DonationReceipt.objects.get().void


def test_the_receipt_pdf(client, finance, book):
    client.force_login(finance)
    receipt = make_income(
        book, actor=finance, kind="donation", payer="湘潭电机厂工会", date=datetime.date(2026, 3, 2)
    ).receipt
    response = client.get(reverse("funds:receipt_pdf", args=[receipt.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_opening_a_book_through_the_page(client, network, finance):
    client.force_login(finance)
    response = client.post(
        reverse("funds:book_open"), {"unit": str(network.township.pk), "year": "2027"}
    )
    assert response.status_code == 302
    assert Book.objects.get().year == 2027
    response = client.post(
        reverse("funds:book_open"), {"unit": str(network.station_a.pk), "year": "2027"}
    )
    assert response.status_code == 400
