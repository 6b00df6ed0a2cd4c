import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from bangfu.archives.tests.factories import make_household
from bangfu.funds.models import Commitment, Entry, Payment
from bangfu.funds.services.commitments import commitment_make

from .factories import make_book, make_finance, make_income


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def commitment(network, finance, staff):
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="20000", date=datetime.date(2026, 1, 15))
    household = make_household(network.station_a, filed_by=staff, name="李四")
    with transaction.atomic():
        return commitment_make(
            actor=finance,
            book=book,
            programme="living",
            amount="1500",
            date=datetime.date(2026, 4, 1),
            subject_type="test.item",
            subject_id=1,
            subject_label="生活救助 李四",
            recipient_name="李四",
            household=household,
        )


def test_paying_in_person_through_the_pages(client, finance, commitment, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(finance)
    listing = client.get(reverse("funds:commitment_list", args=[commitment.book_id]))
    assert "生活救助 李四" in listing.content.decode()
    response = client.post(
        reverse("funds:payment_prepare", args=[commitment.pk]), {"signer": "head"}
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert client.get(reverse("funds:payment_slip", args=[payment.pk])).content.startswith(b"%PDF")
    early = client.post(
        reverse("funds:payment_confirm", args=[payment.pk]), {"paid_on": "2026-04-10"}
    )
    assert early.status_code == 400
    assert "请先上传领款人签字的发放凭证扫描件" in early.content.decode()
    scan = SimpleUploadedFile("s.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    assert (
        client.post(reverse("funds:payment_scan", args=[payment.pk]), {"scan": scan}).status_code
        == 302
    )
    url = reverse("funds:payment_confirm", args=[payment.pk])
    assert client.post(url, {"paid_on": "2026-04-10"}).status_code == 302
    entries = Entry.objects.count()
    second = client.post(url, {"paid_on": "2026-04-10"})
    assert second.status_code == 409
    assert "该笔已经发放,不会重复发放。" in second.content.decode()
    assert Entry.objects.count() == entries
    assert Commitment.objects.get().status == "paid"
    trace = client.get(reverse("funds:payment_detail", args=[payment.pk])).content.decode()
    assert reverse("archives:household_detail", args=[commitment.household_id]) in trace
    assert reverse("funds:entry_detail", args=[commitment.entry_id]) in trace
    payment.refresh_from_db()
    assert reverse("funds:entry_detail", args=[payment.entry_id]) in trace


def test_a_bad_scan_type_is_refused(client, finance, commitment, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(finance)
    client.post(reverse("funds:payment_prepare", args=[commitment.pk]), {"signer": "head"})
    payment = Payment.objects.get()
    exe = SimpleUploadedFile("s.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("funds:payment_scan", args=[payment.pk]), {"scan": exe})
    assert response.status_code == 400
    assert "扫描件只能是 PDF、JPG 或 PNG 文件。" in response.content.decode()
    payment.refresh_from_db()
    assert not payment.scan


def test_staff_may_not_pay(client, staff, commitment):
    client.force_login(staff)
    response = client.post(
        reverse("funds:payment_prepare", args=[commitment.pk]), {"signer": "head"}
    )
    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_the_archive_page_lists_the_money_the_household_received(
    client, finance, commitment, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    from bangfu.funds.services.payments import (
        payment_attach_scan,
        payment_confirm,
        payment_prepare,
    )

    payment = payment_prepare(actor=finance, commitment=commitment, signer="head")
    scan = SimpleUploadedFile("s.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    payment_attach_scan(actor=finance, payment=payment, file=scan)
    payment_confirm(actor=finance, payment=payment, paid_on=datetime.date(2026, 4, 10))
    client.force_login(finance)
    page = client.get(reverse("archives:household_detail", args=[commitment.household_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert payment.number in text
    assert "2026 年共发放 1,500.00 元" in text


def test_a_bank_batch_through_the_pages(client, finance, commitment, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    household = commitment.household
    household.bank_card = "6217000010000000011"
    from bangfu.funds.bankfiles import luhn_ok

    while not luhn_ok(household.bank_card):
        household.bank_card = str(int(household.bank_card) + 1)
    household.save()
    client.force_login(finance)
    book_id = commitment.book_id
    response = client.post(
        reverse("funds:batch_create", args=[book_id]),
        {"commitments": [str(commitment.pk)], "encoding": "gbk"},
    )
    assert response.status_code == 302
    batch = commitment.book.batches.get()
    csv = client.get(reverse("funds:batch_csv", args=[batch.pk]))
    assert csv.content.decode("gbk").startswith("姓名,卡号,金额,用途,参考号")
    assert (
        client.post(
            reverse("funds:batch_send", args=[batch.pk]), {"sent_on": "2026-04-05"}
        ).status_code
        == 302
    )
    payment = batch.payments.get()
    content = f"参考号,金额,结果\r\n{payment.number},1500.00,成功\r\n".encode("gbk")
    upload = SimpleUploadedFile("回盘.csv", content, content_type="text/csv")
    response = client.post(
        reverse("funds:batch_return", args=[batch.pk]), {"file": upload, "date": "2026-04-06"}
    )
    # The return file goes onto the import kit: checked first (nothing written), then confirmed.
    assert response.status_code == 302
    from bangfu.kits.imports.models import ImportBatch

    item = ImportBatch.objects.get(kind="funds.bank_return")
    assert response["Location"] == reverse("funds:returns:import_batch", args=[item.pk])
    assert item.status == "ready"
    checked = client.get(response["Location"]).content.decode()
    assert "将记为成功 1 笔" in checked
    payment.refresh_from_db()
    assert payment.status == "sent"
    confirmed = client.post(reverse("funds:returns:import_confirm", args=[item.pk]))
    assert confirmed.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert str(payment.paid_on) == "2026-04-06"
    page = client.get(reverse("funds:batch_detail", args=[batch.pk]))
    assert "已导入回盘" in page.content.decode()


def test_a_return_file_with_an_unknown_reference_answers_400(client, finance, commitment):
    from bangfu.funds.models import BankBatch

    household = commitment.household
    from bangfu.funds.bankfiles import luhn_ok

    card = "6217000010000000011"
    while not luhn_ok(card):
        card = str(int(card) + 1)
    household.bank_card = card
    household.save()
    client.force_login(finance)
    client.post(
        reverse("funds:batch_create", args=[commitment.book_id]),
        {"commitments": [str(commitment.pk)], "encoding": "utf-8"},
    )
    batch = BankBatch.objects.get()
    client.post(reverse("funds:batch_send", args=[batch.pk]), {"sent_on": "2026-04-05"})
    upload = SimpleUploadedFile(
        "r.csv", "参考号,金额,结果\r\nNOPE,1500,成功\r\n".encode(), content_type="text/csv"
    )
    response = client.post(
        reverse("funds:batch_return", args=[batch.pk]), {"file": upload, "date": "2026-04-06"}
    )
    # Checked on the import kit: refused, the line named on the result page, nothing written.
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "参考号“NOPE”不属于本批次。" in page
    assert "校验发现 1 处错误,没有入账任何一笔。" in page
    assert batch.payments.get().status == "sent"


def test_the_taizhang_and_the_totals_per_household(client, finance, commitment, settings, tmp_path):
    import io

    from openpyxl import load_workbook

    from bangfu.kits.exports.tests.pages import export_download

    settings.MEDIA_ROOT = str(tmp_path)
    from bangfu.funds.services.payments import (
        payment_attach_scan,
        payment_confirm,
        payment_prepare,
    )

    payment = payment_prepare(actor=finance, commitment=commitment, signer="head")
    scan = SimpleUploadedFile("s.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    payment_attach_scan(actor=finance, payment=payment, file=scan)
    payment_confirm(actor=finance, payment=payment, paid_on=datetime.date(2026, 4, 10))
    client.force_login(finance)
    response = client.get(reverse("funds:ledger_xlsx", args=[commitment.book_id]))
    assert response.url == f"/exports/new/funds.taizhang/?book={commitment.book_id}"
    response = export_download(client, "funds.taizhang", f"book={commitment.book_id}")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(payment.number in row for row in values)
    assert not any("6217" in str(v) and len(str(v)) > 12 for row in values for v in row)
    totals = client.get(reverse("funds:household_totals", args=[commitment.book_id]))
    assert "1,500.00" in totals.content.decode()
