"""The 帮扶资金台帐 and the totals per household on the export kit: Excel and PDF (issue 8
item 8), masked numbers only, the book in the user's scope, queries constant in payments."""

from __future__ import annotations

import datetime
import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.archives.tests.factories import make_household
from bangfu.funds.exporting import HOUSEHOLD_TOTALS_KIND, TAIZHANG_KIND
from bangfu.funds.services.commitments import commitment_make
from bangfu.funds.services.payments import payment_attach_scan, payment_confirm, payment_prepare
from bangfu.kits.exports.models import Export, Format
from bangfu.kits.exports.tests.pages import export_download, export_post

from .factories import make_book, make_finance, make_income

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="20000", date=datetime.date(2026, 1, 15))
    return book


def pay(book, finance, staff, network, name: str, amount: str = "1500") -> None:
    household = make_household(network.station_a, filed_by=staff, name=name)
    with transaction.atomic():
        commitment = commitment_make(
            actor=finance,
            book=book,
            programme="living",
            amount=amount,
            date=datetime.date(2026, 4, 1),
            subject_type="test.item",
            subject_id=household.pk,
            subject_label=f"生活救助 {name}",
            recipient_name=name,
            household=household,
        )
    payment = payment_prepare(actor=finance, commitment=commitment, signer="head")
    scan = SimpleUploadedFile("s.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    payment_attach_scan(actor=finance, payment=payment, file=scan)
    payment_confirm(actor=finance, payment=payment, paid_on=datetime.date(2026, 4, 10))


@pytest.fixture
def paid(book, finance, staff, network, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    pay(book, finance, staff, network, "李四")
    pay(book, finance, staff, network, "王五", amount="800")
    return book


def test_the_taizhang_in_excel(paid, client, finance):
    client.force_login(finance)

    response = export_download(client, TAIZHANG_KIND, f"book={paid.pk}")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows(values_only=False)]
    assert values[0][0] == "帮扶资金台帐"
    assert values[1][:4] == ["发放日期", "凭证号", "职工编号", "姓名"]
    assert sorted(row[3] for row in values[2:]) == ["李四", "王五"]
    export = Export.objects.get()
    assert (export.rows, export.message, export.masked) == (2, "2 笔", True)
    assert export.filters_text == f"账簿:{paid.unit.name} 2026 年"


def test_the_taizhang_in_pdf(paid, client, finance, tmp_path):
    client.force_login(finance)

    response = export_download(client, TAIZHANG_KIND, f"book={paid.pk}", format=Format.PDF)

    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "taizhang.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "帮扶资金台帐" in text
    assert "李四" in text and "王五" in text
    assert "1500.00" in text and "800.00" in text
    assert f"账簿:{paid.unit.name} 2026 年" in text


def test_the_taizhang_has_no_full_form(paid, client, finance):
    client.force_login(finance)
    page = client.get(reverse("exports:new", kwargs={"kind": TAIZHANG_KIND}) + f"?book={paid.pk}")
    assert 'value="full"' not in page.content.decode()
    refused = export_post(client, TAIZHANG_KIND, f"book={paid.pk}", values="full")
    assert refused.status_code == 400
    assert Export.objects.count() == 0


def test_a_book_outside_the_scope_is_not_found(paid, client, network):
    from bangfu.accounts.roles import Role
    from bangfu.accounts.tests.factories import make_user

    other = make_user((Role.FINANCE, network.other_township), username="finance_other")
    client.force_login(other)
    url = reverse("exports:new", kwargs={"kind": TAIZHANG_KIND}) + f"?book={paid.pk}"
    assert client.get(url).status_code == 404
    assert export_post(client, TAIZHANG_KIND, f"book={paid.pk}").status_code == 404
    assert Export.objects.count() == 0


def test_the_totals_per_household_export(paid, client, finance):
    client.force_login(finance)

    response = export_download(client, HOUSEHOLD_TOTALS_KIND, f"book={paid.pk}", format="csv")

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "职工编号,姓名,发放笔数,发放金额合计"
    assert [line.split(",")[1:] for line in lines[1:]] == [
        ["李四", "1", "1500.00"],
        ["王五", "1", "800.00"],
    ]


def test_the_taizhang_query_count_does_not_grow_with_the_payments(
    paid, client, finance, staff, network
):
    client.force_login(finance)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_post(client, TAIZHANG_KIND, f"book={paid.pk}")
        return len(captured.captured_queries)

    queries()
    few = queries()
    for index in range(5):
        pay(paid, finance, staff, network, f"多{index}", amount="100")

    assert queries() == few
