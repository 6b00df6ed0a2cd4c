"""The funds API writes: the same services, permissions, scope and refusals as the pages —
400 bad input, 403 the wrong role, 404 outside the scope, 409 the wrong state (a second "pay"
pays nothing) — and every refusal changes nothing."""

import base64
import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from bangfu.archives.tests.factories import make_household
from bangfu.funds import bankfiles
from bangfu.funds.models import BankBatch, DonationReceipt, Entry, Income, Payment
from bangfu.funds.services.commitments import commitment_make

from .factories import make_book, make_finance, make_income

D = datetime.date


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _card(body: str) -> str:
    return next(body + c for c in "0123456789" if bankfiles.luhn_ok(body + c))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="20000", date=D(2026, 1, 15))
    return book


def _item(book, finance, staff, network, n, amount, card):
    household = make_household(
        network.station_a, filed_by=staff, name=f"户主{n}", mobile=f"1390000{n:04d}"
    )
    household.bank_card = card
    household.save()
    with transaction.atomic():
        return commitment_make(
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


@pytest.fixture
def items(book, finance, staff, network):
    return [
        _item(book, finance, staff, network, 1, "1000", _card("621700001000000001")),
        _item(book, finance, staff, network, 2, "800", _card("621700001000000002")),
    ]


def _state():
    return (
        Entry.objects.count(),
        Payment.objects.count(),
        BankBatch.objects.count(),
        Income.objects.count(),
    )


# --- money in ------------------------------------------------------------------------------------


def test_a_donation_gets_its_numbered_receipt(finance, book):
    response = _client(finance).post(
        f"/api/funds/books/{book.pk}/incomes/",
        {
            "kind": "donation",
            "amount": "5000",
            "date": "2026-02-01",
            "payer": "湘潭电机厂工会",
            "purpose": "金秋助学",
        },
    )

    assert response.status_code == 201
    assert response.json()["receipt_number"] == "JZ2026-00001"
    assert response.json()["amount"] == "5000.00"
    assert DonationReceipt.objects.count() == 1


def test_an_allocation_with_a_bad_amount_is_refused_and_nothing_written(finance, book):
    before = _state()

    response = _client(finance).post(
        f"/api/funds/books/{book.pk}/incomes/",
        {"kind": "allocation", "amount": "-5", "date": "2026-02-01", "payer": "乡财政所"},
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"amount": "金额必须大于零。"}
    assert _state() == before


def test_staff_may_not_record_income(staff, book):
    before = _state()

    response = _client(staff).post(
        f"/api/funds/books/{book.pk}/incomes/",
        {"kind": "allocation", "amount": "5", "date": "2026-02-01", "payer": "乡财政所"},
    )

    assert response.status_code == 403
    assert _state() == before


def test_a_book_outside_the_scope_is_not_found(network, book):
    other = make_finance(network.other_township, username="other_finance")
    before = _state()

    response = _client(other).post(
        f"/api/funds/books/{book.pk}/incomes/",
        {"kind": "allocation", "amount": "5", "date": "2026-02-01", "payer": "乡财政所"},
    )

    assert response.status_code == 404
    assert _state() == before


# --- by bank -------------------------------------------------------------------------------------


def _return_csv(lines) -> bytes:
    text = "业务参考号,户名,交易金额,处理结果,失败原因\r\n" + "".join(
        f"{ref},{name},{amount},{result},{reason}\r\n"
        for ref, name, amount, result, reason in lines
    )
    return text.encode("gbk")


def test_a_bank_batch_from_payable_items_sent_and_returned(finance, book, items):
    client = _client(finance)
    payable = client.get(f"/api/funds/books/{book.pk}/payable/").json()
    assert [c["id"] for c in payable] == [c.pk for c in items]

    made = client.post(
        f"/api/funds/books/{book.pk}/batches/",
        {"commitment_ids": [c.pk for c in items], "encoding": "gbk"},
    )
    assert made.status_code == 201
    batch = made.json()
    batch["payments"].sort(key=lambda p: p["number"])
    assert [p["amount"] for p in batch["payments"]] == ["1000.00", "800.00"]
    assert all("*" in p["card_masked"] for p in batch["payments"])

    sent = client.post(f"/api/funds/batches/{batch['id']}/send/", {"sent_on": "2026-04-05"})
    again = client.post(f"/api/funds/batches/{batch['id']}/send/", {"sent_on": "2026-04-05"})
    assert sent.status_code == 200
    assert sent.json()["status"] == "sent"
    assert again.status_code == 409

    first, second = (p["number"] for p in batch["payments"])
    content = _return_csv(
        [(first, "户主1", "1000.00", "成功", ""), (second, "户主2", "800.00", "失败", "户名不符")]
    )
    returned = client.post(
        f"/api/funds/batches/{batch['id']}/return/",
        {"filename": "回盘.csv", "content": _b64(content), "date": "2026-04-08"},
    )
    assert returned.status_code == 200
    assert (returned.json()["paid"], returned.json()["failed"]) == (1, 1)
    payments = sorted(returned.json()["batch"]["payments"], key=lambda p: p["number"])
    statuses = [p["status"] for p in payments]
    assert statuses == ["paid", "failed"]


def test_a_commitment_of_another_book_is_refused_by_id(network, finance, book, items):
    other_book = make_book(network.township, actor=finance, year=2025)
    before = _state()

    response = _client(finance).post(
        f"/api/funds/books/{other_book.pk}/batches/", {"commitment_ids": [items[0].pk]}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "commitment_ids": f"本账簿没有编号为 {items[0].pk} 的已批待发事项。"
    }
    assert _state() == before


def test_a_commitment_id_beyond_any_key_is_a_clear_400_not_a_server_error(finance, book, items):
    before = _state()

    response = _client(finance).post(
        f"/api/funds/books/{book.pk}/batches/",
        {"commitment_ids": [10**25]},
        format="json",
    )

    assert response.status_code == 400
    assert "commitment_ids" in response.json()["errors"]
    assert _state() == before


def test_a_card_failing_luhn_refuses_the_whole_batch(finance, book, staff, network):
    good = _item(book, finance, staff, network, 3, "500", _card("621700001000000003"))
    bad = _item(book, finance, staff, network, 4, "500", "6217000010000000049")
    if bankfiles.luhn_ok(bad.household.bank_card):  # pragma: no cover - the number is fixed
        pytest.skip("the fixed card number passes Luhn")
    before = _state()

    response = _client(finance).post(
        f"/api/funds/books/{book.pk}/batches/", {"commitment_ids": [good.pk, bad.pk]}
    )

    assert response.status_code == 400
    assert "校验不通过" in response.json()["errors"]["commitments"]
    assert _state() == before


def test_a_return_file_with_an_unknown_reference_writes_nothing(finance, book, items):
    client = _client(finance)
    batch = client.post(
        f"/api/funds/books/{book.pk}/batches/", {"commitment_ids": [c.pk for c in items]}
    ).json()
    client.post(f"/api/funds/batches/{batch['id']}/send/", {"sent_on": "2026-04-05"})
    before = _state()

    response = client.post(
        f"/api/funds/batches/{batch['id']}/return/",
        {
            "filename": "回盘.csv",
            "content": _b64(_return_csv([("FF-XXXX", "户主1", "1000.00", "成功", "")])),
            "date": "2026-04-08",
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"file": "第 2 行:参考号“FF-XXXX”不属于本批次。"}
    assert _state() == before


def test_a_return_file_that_is_not_base64_is_refused(finance, book, items):
    client = _client(finance)
    batch = client.post(
        f"/api/funds/books/{book.pk}/batches/", {"commitment_ids": [c.pk for c in items]}
    ).json()

    response = client.post(
        f"/api/funds/batches/{batch['id']}/return/",
        {"filename": "回盘.csv", "content": "不是base64", "date": "2026-04-08"},
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"content": "“文件内容”不是有效的 base64 编码。"}


# --- in person -----------------------------------------------------------------------------------


def test_paying_in_person_once_with_the_signed_scan(finance, book, items, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = _client(finance)
    prepared = client.post(f"/api/funds/commitments/{items[0].pk}/payments/", {"signer": "head"})
    assert prepared.status_code == 201
    payment_id = prepared.json()["id"]

    early = client.post(f"/api/funds/payments/{payment_id}/confirm/", {"paid_on": "2026-04-10"})
    assert early.status_code == 400
    assert early.json()["errors"] == {"scan": "请先上传领款人签字的发放凭证扫描件。"}

    scanned = client.post(
        f"/api/funds/payments/{payment_id}/scan/",
        {
            "filename": "signed.pdf",
            "content_type": "application/pdf",
            "content": _b64(b"%PDF-1.4 signed"),
        },
    )
    assert scanned.status_code == 200

    paid = client.post(f"/api/funds/payments/{payment_id}/confirm/", {"paid_on": "2026-04-10"})
    entries = Entry.objects.count()
    again = client.post(f"/api/funds/payments/{payment_id}/confirm/", {"paid_on": "2026-04-10"})

    assert paid.status_code == 200
    assert paid.json()["status"] == "paid"
    assert again.status_code == 409
    assert again.json()["detail"] == "该笔已经发放,不会重复发放。"
    assert Entry.objects.count() == entries
    assert Payment.objects.get(pk=payment_id).amount == Decimal("1000.00")


def test_a_signer_who_is_not_of_the_household_is_refused(finance, book, items):
    before = _state()

    response = _client(finance).post(
        f"/api/funds/commitments/{items[0].pk}/payments/", {"signer": "member:999999"}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"signer": "签领人只能是档案中的户主或登记的家庭成员。"}
    assert _state() == before


def test_a_supervisor_reads_but_cannot_pay(supervisor, book, items):
    before = _state()

    response = _client(supervisor).post(
        f"/api/funds/commitments/{items[0].pk}/payments/", {"signer": "head"}
    )

    assert response.status_code == 403
    assert _state() == before
