"""The 档案表 PDF: A4, one or two pages, Chinese font embedded, masked unless revealed."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from bangfu.archives.models import choices as c
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.models import AccessLog


@pytest.fixture
def household(network, staff):
    h = make_household(
        network.station_a,
        filed_by=staff,
        name="张三",
        id_number=make_id_number(seq=61),
        mobile="13812345678",
        bank_name="中国工商银行",
        bank_card="6222020200112233445",
        archive_no="XS-2026-0001",
        category=c.Category.DEEP,
        secondary_causes=[c.HardshipCause.SERIOUS_ILLNESS, c.HardshipCause.SCHOOLING],
        opinions=[
            {"level": "响水社区帮扶站", "opinion": "情况属实,同意上报", "date": "2026-03-05"},
            {"level": "响水乡总工会", "opinion": "同意建档", "date": "2026-03-20"},
        ],
    )
    for n, name in enumerate(["李四", "张小明", "张小红"]):
        make_member(
            h,
            id_number=make_id_number(date(1977 + n * 15, 3, 2), sex="F", seq=62 + n),
            name=name,
        )
    return h


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "".join(page.extract_text() for page in reader.pages)


def test_the_masked_form_is_a4_chinese_and_hides_the_ids(client, household, staff):
    # given
    client.force_login(staff)

    # when
    response = client.get(reverse("archives:household_pdf", args=[household.pk]))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader, text = text_of(response.content)
    assert 1 <= len(reader.pages) <= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    compact = text.replace(" ", "").replace("\n", "")
    for expected in (
        "困难职工档案表",
        "张三",
        "XS-2026-0001",
        "深度困难",
        "6重特大疾病",
        "同意建档",
        "本人签字",
        "建档人",
        "审核人",
        "录入人",
        "张小红",
    ):
        assert expected in compact, expected
    assert household.id_number[:6] + "********" + household.id_number[-4:] in compact
    assert household.id_number not in compact
    for member in household.members.all():
        assert member.id_number not in compact
    assert "13812345678" not in compact
    assert list(AccessLog.objects.values_list("fields", flat=True)) == ["masked"]


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) missing")
def test_a_noto_cjk_font_is_embedded(client, household, staff, tmp_path):
    client.force_login(staff)
    path = tmp_path / "form.pdf"
    path.write_bytes(client.get(reverse("archives:household_pdf", args=[household.pk])).content)

    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout

    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in line.replace("-", "")]
    assert cjk
    assert all(" yes " in line for line in cjk)  # embedded


def test_the_full_version_needs_a_reason_and_is_logged(client, household, staff):
    client.force_login(staff)
    url = reverse("archives:household_pdf_full", args=[household.pk])

    refused = client.post(url, {"purpose": ""})
    assert refused.status_code == 400
    assert AccessLog.objects.count() == 0

    response = client.post(url, {"purpose": "本人签字存档"})
    assert response.status_code == 200
    _, text = text_of(response.content)
    compact = text.replace(" ", "").replace("\n", "")
    assert household.id_number in compact
    assert "6222020200112233445" in compact
    log = AccessLog.objects.get()
    assert log.purpose == "本人签字存档"
    assert log.fields == "id_number,mobile,bank_card,members.id_number"


def test_the_full_version_is_refused_without_the_permission(client, household, liaison_a):
    client.force_login(liaison_a)

    response = client.post(
        reverse("archives:household_pdf_full", args=[household.pk]), {"purpose": "核对"}
    )

    assert response.status_code == 403
    assert AccessLog.objects.count() == 0
