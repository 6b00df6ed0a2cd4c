"""Markup typed into an archive, a notice or the network comes out as text on every page that
shows it (list, detail, history, reveal, printed form, notice, worklist, network map), and a
formula typed into a field comes out of the Excel export as text, never as a formula."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.archives.models import Attachment, Household
from bangfu.archives.services.exporting import ROSTER_KIND
from bangfu.archives.services.procedure import FILING
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.audit import audit_record
from bangfu.kits.exports.tests.pages import export_download
from bangfu.kits.workflow.tests.factories import make_case
from bangfu.network.models import UnitPerson
from bangfu.network.tests.factories import make_unit
from bangfu.notices.services import notice_create, notice_publish
from bangfu.notices.tests.factories import item_for, make_subject

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://x","y")'
# What must never reach a page unescaped.
RAW = ("<script>alert(1)", "<img src=x")


def _assert_inert(body: str, *, shown: bool = True) -> None:
    for raw in RAW:
        assert raw not in body
    if shown:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.fixture
def evil(network, staff):
    household = make_household(
        network.station_a,
        filed_by=staff,
        status=Household.Status.APPLIED,
        name=SCRIPT,
        id_number=make_id_number(seq=401),
        address=IMG,
        notes=FORMULA + " " + SCRIPT,
        employer=FORMULA,
        bank_name=IMG,
        bank_card="6222020200112233445",
        opinions=[{"level": SCRIPT, "opinion": IMG, "date": "2026-03-02", "by": SCRIPT}],
    )
    make_member(household, id_number=make_id_number(seq=402), name=IMG, employer_or_school=SCRIPT)
    make_member(household, id_number=None, name=FORMULA)
    make_case(
        FILING,
        household,
        maker=staff,
        since=date(2026, 3, 2),
        visit_due_on=date(2026, 3, 9),
        due_rule=IMG,
    )
    Attachment.objects.create(
        household=household,
        kind=Attachment.Kind.OTHER,
        file="archives/none.bin",
        original_name=SCRIPT + IMG + ".pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=staff,
    )
    with transaction.atomic():
        audit_record(
            actor=staff,
            action="archives.household.update",
            obj=household,
            summary=SCRIPT,
            changes={"notes": ["", SCRIPT], "address": [IMG, SCRIPT], IMG: [SCRIPT, IMG]},
        )
    return household


def test_archive_pages_show_markup_as_text(client, evil, staff):
    client.force_login(staff)
    pages = [
        reverse("archives:household_list"),
        reverse("archives:household_list") + "?q=" + SCRIPT,
        reverse("archives:household_detail", args=[evil.pk]),
        reverse("archives:household_history", args=[evil.pk]),
        reverse("archives:household_reveal", args=[evil.pk]),
        reverse("archives:household_update", args=[evil.pk]),
        reverse("archives:attachment_withdraw", args=[evil.attachments.get().pk]),
        reverse("workbench:worklist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_inert(response.content.decode())


def test_reveal_result_shows_markup_as_text(client, evil, staff):
    client.force_login(staff)

    response = client.post(
        reverse("archives:household_reveal", args=[evil.pk]),
        {"shown": ["id_number", "bank_card", "members.id_number"], "purpose": SCRIPT},
    )

    assert response.status_code == 200
    _assert_inert(response.content.decode())


def test_printed_form_html_shows_markup_as_text(client, evil, staff, monkeypatch):
    # given: WeasyPrint replaced by a stand-in that keeps the HTML it is given
    seen: list[str] = []

    class FakeHTML:
        def __init__(self, *, string: str, **kwargs: object) -> None:
            seen.append(string)

        def write_pdf(self) -> bytes:
            return b"%PDF-1.7 fake"

    monkeypatch.setattr("weasyprint.HTML", FakeHTML)
    client.force_login(staff)

    # when
    masked = client.get(reverse("archives:household_pdf", args=[evil.pk]))
    full = client.post(
        reverse("archives:household_pdf_full", args=[evil.pk]), {"purpose": "签字存档"}
    )

    # then
    assert (masked.status_code, full.status_code, len(seen)) == (200, 200, 2)
    for html in seen:
        _assert_inert(html)


def test_roster_export_writes_formulas_and_markup_as_plain_text(client, evil, staff):
    client.force_login(staff)

    # the application is not 在档: the export is asked for every status
    response = export_download(client, ROSTER_KIND, "status=all")

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = {cell.value for cell in cells}
    assert FORMULA in values
    assert SCRIPT in values


def test_notice_pages_show_markup_as_text(client, network, staff):
    # given: a published notice whose every shown text is markup
    subject = make_subject(network.station_a, name=SCRIPT)
    notice = notice_create(
        actor=staff,
        unit=network.township,
        kind="archive",
        title=SCRIPT,
        body=IMG,
        items=[item_for(subject, name=SCRIPT, unit_name=IMG, category=FORMULA)],
    )
    notice_publish(actor=staff, notice=notice)
    client.force_login(staff)

    for url in (
        reverse("notices:notice_list"),
        reverse("notices:notice_detail", args=[notice.pk]),
        reverse("notices:notice_print", args=[notice.pk]),
        reverse("workbench:worklist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_inert(response.content.decode(), shown=url != reverse("workbench:worklist"))


def test_network_pages_and_map_show_markup_as_text(client, network, sysadmin, staff):
    unit = make_unit(SCRIPT, parent=network.station_a, kind="point", address=IMG, phone=IMG)
    UnitPerson.objects.create(unit=unit, name=IMG, role=UnitPerson.Role.LIAISON, phone=SCRIPT)
    client.force_login(sysadmin)

    for url in (
        reverse("network:unit_list"),
        reverse("network:unit_detail", args=[unit.pk]),
        reverse("network:map"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_inert(response.content.decode())
