"""A restricted petition — here a report (检举) about a member of staff — is invisible, by every
route, to a user without `petitions.view_restricted` and to the person it is about even with it:
the list, the search (number and phone), the page, its actions, PDFs and material, the API list,
search and detail, the statistics page and its Excel, the overdue list, the worklist and the
archive panel. Who may see it sees it, and every view is in the access log."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.tests.factories import make_household
from bangfu.core.models import AccessLog
from bangfu.core.worklist import due_items
from bangfu.petitions.models import Petition
from bangfu.petitions.services.attachments import attachment_upload
from bangfu.petitions.services.registration import petition_register

from .factories import petition_input

pytestmark = pytest.mark.django_db
PHONE = "13807324321"


@pytest.fixture
def report(network, staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    accused = make_user((Role.STAFF, network.township), username="accused", full_name="被检举人")
    household = make_household(network.station_a, filed_by=staff)
    petition = petition_register(
        actor=staff,
        unit=network.station_a,
        data=petition_input(
            nature=Petition.Nature.REPORT,
            subject="帮扶中心工作人员",
            request="检举工作人员在发放慰问金时克扣",
            facts="2025 年春节慰问金少发 200 元",
            phone=PHONE,
            household_id=household.pk,
            concerned_user_ids=[accused.pk],
            received_on=timezone.localdate() - timedelta(days=40),  # breached: on worklists
        ),
    )
    attachment = attachment_upload(
        actor=staff,
        petition=petition,
        kind="evidence",
        file=SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"evidence" * 10),
        name="x.png",
    )
    return petition, attachment, household, accused


def _everything_seen_by(user, petition, attachment, household) -> list[str]:
    """Return each route on which `user` can find the petition (empty = invisible)."""
    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    seen = []
    number = petition.number
    # Pages echo what was searched for; the link to the petition is what shows it was found.
    link = reverse("petitions:petition_detail", args=[petition.pk])
    if link in page.get(reverse("petitions:petition_list")).content.decode():
        seen.append("list")
    for q in (number, PHONE):
        if link in page.get(reverse("petitions:petition_list"), {"q": q}).content.decode():
            seen.append(f"search {q}")
    for name, args in [
        ("petitions:petition_detail", [petition.pk]),
        ("petitions:petition_reply", [petition.pk]),
        ("petitions:acknowledgement_pdf", [petition.pk]),
        ("petitions:attachment_download", [attachment.pk]),
    ]:
        if page.get(reverse(name, args=args)).status_code != 404:
            seen.append(name)
    report_page = page.get(reverse("petitions:report"))
    if report_page.status_code == 200 and link in report_page.content.decode():
        seen.append("report overdue list")
    xlsx = page.get(reverse("petitions:report_xlsx"))
    if xlsx.status_code == 200:
        book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
        cells = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row]
        if number in cells:
            seen.append("excel overdue sheet")
        by_nature = dict(list(book["按来源"].iter_rows(values_only=True))[2:])
        if by_nature.get("来信"):
            seen.append("excel counts")
    listed = api.get(reverse("api:petition_list"), {"q": number})
    if listed.status_code == 200 and listed.json()["count"]:
        seen.append("api search")
    if api.get(reverse("api:petition_detail", args=[petition.pk])).status_code != 404:
        seen.append("api detail")
    if any(number in item.title for item in due_items(user)):
        seen.append("worklist")
    archive = page.get(reverse("archives:household_detail", args=[household.pk]))
    if link in archive.content.decode():
        seen.append("archive panel")
    return seen


def test_a_station_liaison_without_the_permission_finds_it_nowhere(report, liaison_a):
    petition, attachment, household, _accused = report

    assert _everything_seen_by(liaison_a, petition, attachment, household) == []
    assert AccessLog.objects.filter(object_type="petitions.petition").count() == 0


def test_the_person_it_is_about_finds_it_nowhere_even_with_the_permission(report):
    petition, attachment, household, accused = report

    assert _everything_seen_by(accused, petition, attachment, household) == []


def test_staff_with_the_permission_find_it_everywhere_and_each_view_is_logged(report, staff):
    petition, attachment, household, _accused = report

    seen = _everything_seen_by(staff, petition, attachment, household)

    assert seen == [
        "list",
        f"search {petition.number}",
        f"search {PHONE}",
        "petitions:petition_detail",
        "petitions:petition_reply",
        "petitions:acknowledgement_pdf",
        "petitions:attachment_download",
        "report overdue list",
        "excel overdue sheet",
        "excel counts",
        "api search",
        "api detail",
        "worklist",
        "archive panel",
    ]
    purposes = AccessLog.objects.filter(
        object_type="petitions.petition", object_id=str(petition.pk)
    ).values_list("purpose", flat=True)
    assert sorted(purposes) == sorted(
        [
            "查看保密信访件:信访件页面",
            "查看保密信访件:受理告知书",
            "查看信访材料:证据材料",
            "查看保密信访件:API",
        ]
    )
