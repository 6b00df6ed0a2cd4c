"""The petition pages: registration by form, the page with its limits, actions with their status
codes, material, PDFs, statistics and Excel, the archive panel, the worklist."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bangfu.core.models import AccessLog, AuditEvent
from bangfu.core.worklist import due_items
from bangfu.petitions.models import Attachment, Petition
from bangfu.petitions.services import handling as h

from .factories import register

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def fake_pdf(monkeypatch):
    class FakeHTML:
        def __init__(self, *args, string: str = "", **kwargs):
            self.string = string

        def write_pdf(self):
            return b"%PDF-1.7 " + self.string.encode()

    monkeypatch.setattr("weasyprint.HTML", FakeHTML)


def test_staff_register_a_visit_through_the_form(network, staff):
    client = _client(staff)
    today = timezone.localdate()

    response = client.post(
        reverse("petitions:petition_register"),
        {
            "unit": network.township.pk,
            "channel": "visit",
            "received_on": today.isoformat(),
            "nature": "request",
            "category": "labour_relation",
            "petitioner_name": "李春燕",
            "phone": "13807321234",
            "request": "要求宏达建材公司补签劳动合同",
            "facts": "入职两年未签劳动合同",
            "group_size": "1",
            "read_back": "on",
            "acknowledged_on_the_spot": "on",
        },
    )

    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:petition_detail", args=[petition.pk])
    assert (petition.channel, petition.petitioner_name, petition.ack_method) == (
        "visit",
        "李春燕",
        "on_the_spot",
    )
    page = client.get(response["Location"]).content.decode()
    assert "138****1234" in page
    assert "13807321234" not in page
    assert "登记转送:自收到之日起 15 日(信访工作条例)" in page
    assert "起算日不计入" in page


def test_a_form_without_request_or_facts_shows_both_errors_and_keeps_the_rest(network, staff):
    client = _client(staff)

    response = client.post(
        reverse("petitions:petition_register"),
        {
            "unit": network.township.pk,
            "channel": "letter",
            "nature": "request",
            "category": "wages",
            "petitioner_name": "王建国",
            "request": "",
            "facts": "",
            "group_size": "1",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写信访诉求:信访人要求解决什么问题。" in html
    assert "请填写事实:发生了什么、何时、何地、涉及谁。" in html
    assert 'value="王建国"' in html
    assert Petition.objects.count() == 0


def test_six_representatives_in_the_form_are_refused(network, staff):
    client = _client(staff)
    lines = "\n".join(f"代表{i} 1380732000{i}" for i in range(6))

    response = client.post(
        reverse("petitions:petition_register"),
        {
            "unit": network.township.pk,
            "channel": "visit",
            "nature": "request",
            "category": "wages",
            "petitioner_name": "王建国",
            "request": "补发工资",
            "facts": "欠薪三月",
            "group_size": "40",
            "representatives": lines,
            "read_back": "on",
        },
    )

    assert response.status_code == 400
    assert "集体访推选的代表不能超过 5 人(信访工作条例第三十三条),现为 6 人。" in (
        response.content.decode()
    )
    assert Petition.objects.count() == 0


def test_the_actions_answer_409_in_the_wrong_state_and_403_without_the_role(network, staff, leader):
    petition = register(staff, network.township)
    client = _client(staff)
    before = AuditEvent.objects.count()

    early = client.post(
        reverse("petitions:petition_reply", args=[petition.pk]),
        {"outcome": "upheld", "decision": "d", "basis": "b"},
    )
    h.petition_accept(actor=staff, petition=petition, handling_unit=network.township)
    not_head = client.post(
        reverse("petitions:petition_extend", args=[petition.pk]),
        {"days": "10", "reason": "核实", "told_on": timezone.localdate().isoformat()},
    )

    assert early.status_code == 409
    assert "该信访件尚未受理,不能答复" in early.content.decode()
    assert not_head.status_code == 403
    assert "延期须经中心负责人批准。" in not_head.content.decode()
    assert AuditEvent.objects.count() == before + 1  # the acceptance only


def test_the_handler_accepts_and_answers_from_the_page(network, staff, fake_pdf):
    petition = register(staff, network.township)
    client = _client(staff)
    page = client.get(reverse("petitions:petition_detail", args=[petition.pk])).content.decode()
    assert 'data-testid="action-accept"' in page

    client.post(
        reverse("petitions:petition_accept", args=[petition.pk]),
        {"handling_unit": network.station_a.pk, "accepted_on": timezone.localdate().isoformat()},
    )
    response = client.post(
        reverse("petitions:petition_reply", args=[petition.pk]),
        {"outcome": "upheld", "decision": "补发工资", "basis": "工资支付暂行规定"},
    )

    petition.refresh_from_db()
    assert response.status_code == 302
    assert (petition.status, petition.unit) == ("replied", network.station_a)
    pdf = client.get(reverse("petitions:reply_pdf", args=[petition.pk, "reply"]))
    assert pdf.status_code == 200
    body = pdf.content.decode()
    assert "处理意见书" in body and "补发工资" in body and "支持" in body
    receipt = client.get(reverse("petitions:acknowledgement_pdf", args=[petition.pk]))
    assert petition.query_code in receipt.content.decode()


def test_a_petition_outside_the_scope_is_not_found_on_every_page(network, staff, liaison_b):
    petition = register(staff, network.station_a)
    client = _client(liaison_b)

    for name in ("petition_detail", "petition_accept", "petition_reply", "acknowledgement_pdf"):
        assert client.get(reverse(f"petitions:{name}", args=[petition.pk])).status_code == 404


def test_material_is_stored_encrypted_and_served_within_the_scope(
    network, staff, liaison_b, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    petition = register(staff, network.station_a)
    client = _client(staff)
    png = b"\x89PNG\r\n\x1a\n" + b"letter-scan" * 20
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("petitions:attachment_upload", args=[petition.pk]),
        {"kind": "letter", "file": SimpleUploadedFile("来信.png", png)},
    )

    attachment = Attachment.objects.get()
    assert response.status_code == 302
    stored = (tmp_path / attachment.file.name).read_bytes()
    assert b"letter-scan" not in stored
    download = client.get(reverse("petitions:attachment_download", args=[attachment.pk]))
    assert download.content == png
    other = _client(liaison_b).get(reverse("petitions:attachment_download", args=[attachment.pk]))
    assert other.status_code == 404


def test_the_statistics_and_the_excel_download(network, staff, leader):
    today = timezone.localdate()
    p1 = register(staff, network.township, received_on=date(today.year, 1, 2))
    register(staff, network.township, category=Petition.Category.WORK_INJURY)
    register(staff, network.township, channel=Petition.Channel.VISIT, read_back=True)
    h.petition_accept(actor=staff, petition=p1, handling_unit=network.township)
    client = _client(leader)

    page = client.get(reverse("petitions:report"))
    xlsx = client.get(reverse("petitions:report_xlsx"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "突出问题" in html and "超期清单" in html
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames == [
        "按来源",
        "按类别",
        "按单位",
        "按月份",
        "按期办结率",
        "超期清单",
        "突出问题",
    ]
    rows = list(book["按来源"].iter_rows(values_only=True))
    assert rows[1] == ("来源方式", "件数")
    assert ("来信", 2) in rows and ("来访", 1) in rows
    problems = list(book["突出问题"].iter_rows(values_only=True))
    assert problems[2][:2] == ("工资报酬", 2)
    overdue = list(book["超期清单"].iter_rows(values_only=True))
    # p1 was received on 2 January and accepted today: the acknowledgement is overdue unless
    # today is within 15 days of it.
    assert len(overdue) >= 2


def test_the_worklist_shows_limits_and_escalates_breaches_to_the_leader(network, staff, leader):
    old = timezone.localdate() - timedelta(days=40)
    late = register(staff, network.township, received_on=old)
    fresh = register(staff, network.township)

    staff_items = [i.title for i in due_items(staff)]
    leader_items = [i.title for i in due_items(leader)]

    assert any(late.number in t and "已超期" in t for t in staff_items)
    assert any(fresh.number in t and "登记转送" in t for t in staff_items)
    assert any(t.startswith("【超期督办】") and late.number in t for t in leader_items)
    assert not any(fresh.number in t for t in leader_items)


def test_the_archive_page_lists_the_households_petitions(network, staff):
    from bangfu.archives.tests.factories import make_household

    household = make_household(network.station_a, filed_by=staff)
    petition = register(staff, network.station_a, household_id=household.pk)
    client = _client(staff)

    page = client.get(reverse("archives:household_detail", args=[household.pk])).content.decode()

    assert 'data-testid="panel-petitions"' in page
    assert petition.number in page
    assert f"?household={household.pk}" in page


def test_viewing_a_restricted_petition_is_logged(network, staff):
    petition = register(staff, network.township, restricted=True)

    _client(staff).get(reverse("petitions:petition_detail", args=[petition.pk]))

    log = AccessLog.objects.get()
    assert (log.object_type, log.object_id, log.fields) == (
        "petitions.petition",
        str(petition.pk),
        "restricted",
    )
    assert log.purpose == "查看保密信访件:信访件页面"
