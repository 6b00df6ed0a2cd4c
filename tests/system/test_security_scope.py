"""Scope holes: the API lists, notices, exports, imports, jobs, downloads and the audit log show
nothing outside the user's scope (404, as for what does not exist) and change nothing."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household, ImportBatch
from bangfu.archives.services import filing, importing
from bangfu.archives.services.exporting import ROSTER_KIND
from bangfu.archives.tests import roster_files as rf
from bangfu.archives.tests.factories import (
    make_area,
    make_household,
    make_id_number,
    make_standards,
)
from bangfu.archives.tests.filing_factories import household_input
from bangfu.core.audit import audit_record
from bangfu.core.errors import ValidationError
from bangfu.core.models import AuditEvent, Job
from bangfu.kits.exports.models import Export
from bangfu.kits.exports.tests.pages import export_download, export_post
from bangfu.notices.services import notice_publish
from bangfu.notices.tests.factories import make_notice, make_subject

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_stations(network, staff):
    a = make_household(
        network.station_a, filed_by=staff, name="甲站户", id_number=make_id_number(seq=601)
    )
    b = make_household(
        network.station_b, filed_by=staff, name="乙站户", id_number=make_id_number(seq=602)
    )
    return a, b


def test_api_lists_and_details_stop_at_the_liaisons_station(
    client, network, two_stations, liaison_a
):
    a, b = two_stations
    client.force_login(liaison_a)

    households = client.get(reverse("api:household_list")).json()
    units = client.get(reverse("api:orgunit_list")).json()

    assert [row["id"] for row in households["results"]] == [a.pk]
    assert {row["id"] for row in units["results"]} == {network.station_a.pk, network.point_a1.pk}
    assert client.get(reverse("api:household_detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("api:orgunit_detail", args=[network.station_b.pk])).status_code == 404
    assert client.get(reverse("api:household_list"), {"q": b.id_number}).json()["results"] == []
    assert (
        client.get(reverse("api:household_list"), {"unit": network.station_b.pk}).json()["results"]
        == []
    )


def test_notices_of_another_station_are_not_found(client, network, staff, liaison_a):
    # given
    other = make_notice(staff, network.station_b, [make_subject(network.station_b, "乙站户")])
    own = make_notice(staff, network.station_a, [make_subject(network.station_a, "甲站户")])
    for notice in (other, own):
        notice_publish(actor=staff, notice=notice)
    client.force_login(liaison_a)

    # when
    listed = client.get(reverse("notices:notice_list")).content.decode()

    # then
    assert own.title in listed and "乙站户" not in listed
    for name in ("notice_detail", "notice_print"):
        assert client.get(reverse(f"notices:{name}", args=[other.pk])).status_code == 404
        assert client.get(reverse(f"notices:{name}", args=[own.pk])).status_code == 200


def test_a_station_staff_export_holds_only_its_station_and_a_liaison_may_not_export(
    client, network, two_stations, liaison_a
):
    # given
    station_staff = make_user((Role.STAFF, network.station_a), username="staff_a")
    client.force_login(station_staff)

    # when: asked for everything, and for the other station by its filter
    everything = export_download(client, ROSTER_KIND)
    other = export_download(client, ROSTER_KIND, f"unit={network.station_b.pk}")

    # then
    def names(response) -> list[str]:
        sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
        return [row[2] for row in sheet.iter_rows(min_row=3, values_only=True) if row[2]]

    assert names(everything) == ["甲站户"]
    assert "乙站户" not in names(other)
    client.force_login(liaison_a)
    before = (Export.objects.count(), AuditEvent.objects.count())
    assert export_post(client, ROSTER_KIND).status_code == 403
    full = export_post(client, ROSTER_KIND, values="full", purpose_note="核对")
    assert full.status_code == 403
    assert (Export.objects.count(), AuditEvent.objects.count()) == before


def test_a_liaison_cannot_import_into_another_station(network, liaison_a):
    # given: a roster whose household belongs to station B
    make_standards(make_area())
    content = rf.workbook([rf.head(1, "乙站新户", rf.ids()["zhang"], 所属帮扶站="金霞社区帮扶站")])
    before = (Household.objects.count(), AuditEvent.objects.count())

    # when
    batch, table = importing.import_upload(user=liaison_a, content=content, source_name="r.xlsx")
    importing.import_check(user=liaison_a, batch=batch, table=table)

    # then
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e[2], "金霞社区帮扶站" in e[3]) for e in batch.errors] == [("所属帮扶站", True)]
    assert (Household.objects.count(), AuditEvent.objects.count()) == before


def test_another_users_jobs_imports_and_exports_are_not_found(client, network, staff):
    # given: staff's job, import and export
    make_standards(make_area())
    job = Job.objects.create(user=staff, kind="test", title="staff's job")
    batch, table = importing.import_upload(
        user=staff,
        content=rf.workbook([rf.head(1, "张三", rf.ids()["zhang"])]),
        source_name="r.xlsx",
    )
    importing.import_check(user=staff, batch=batch, table=table)
    export = Export.objects.create(
        created_by=staff, kind=ROSTER_KIND, title="花名册", purpose="report", format="xlsx"
    )
    client.force_login(make_user((Role.STAFF, network.township), username="staff2"))
    before = (ImportBatch.objects.get().status, AuditEvent.objects.count())

    # when / then
    for url in (
        reverse("workbench:job_detail", args=[job.pk]),
        reverse("workbench:job_progress", args=[job.pk]),
        reverse("archives:import_batch", args=[batch.pk]),
        reverse("archives:import_errors", args=[batch.pk]),
        reverse("exports:detail", args=[export.pk]),
        reverse("exports:download", args=[export.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("archives:import_confirm", args=[batch.pk]),
        reverse("archives:import_cancel", args=[batch.pk]),
    ):
        assert client.post(url).status_code in (403, 404), url
    assert (ImportBatch.objects.get().status, AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("role", "audit", "access_log"),
    [
        (Role.AUDITOR, 200, 200),
        (Role.SECURITY_ADMIN, 403, 200),
        (Role.SYSTEM_ADMIN, 403, 403),
        (Role.LEADER, 403, 403),
        (Role.STAFF, 403, 403),
        (Role.LIAISON, 403, 403),
    ],
)
def test_only_auditors_read_the_audit_trail(client, network, role, audit, access_log):
    user = make_user((role, network.township), username=f"u_{role}")
    client.force_login(user)
    with transaction.atomic():
        event = audit_record(actor=None, action="test", summary="审计测试")

    assert client.get(reverse("workbench:audit_list")).status_code == audit
    assert client.get(reverse("workbench:audit_detail", args=[event.seq])).status_code == audit
    assert client.get(reverse("workbench:access_log")).status_code == access_log


# --- Existence across scopes (issue 12 item 13) ---------------------------------------------


def test_a_duplicate_id_refusal_outside_the_scope_names_the_centre_not_the_archive(
    network, staff, liaison_a, two_stations
):
    # given: an open archive at station B holding an ID, numbered by its centre
    _a, held = two_stations
    held.archive_no = "2026-00031"
    held.save(update_fields=["archive_no"])
    before = Household.objects.count()

    # when: station A's liaison (no scope over station B) files someone with that ID
    data = household_input(network.station_a, id_number=held.id_number, name="冒名者")
    with pytest.raises(ValidationError) as refused:
        filing.household_create(actor=liaison_a, data=data)

    # then: told that the ID is in an open archive elsewhere and whom to ask, nothing more
    masked = f"{held.id_number[:6]}********{held.id_number[-4:]}"
    assert refused.value.errors["id_number"] == (
        f"身份证号 {masked} 已在另一份未撤档的档案中,该档案属于响水乡职工服务(帮扶)中心,"
        "请向该中心核实。"
    )
    assert "2026-00031" not in str(refused.value.errors)
    assert "乙站户" not in str(refused.value.errors)
    assert Household.objects.count() == before


def test_a_duplicate_id_refusal_inside_the_scope_names_the_archive(network, staff, two_stations):
    _a, held = two_stations
    held.archive_no = "2026-00031"
    held.save(update_fields=["archive_no"])

    data = household_input(network.station_a, id_number=held.id_number, name="重复者")
    with pytest.raises(ValidationError) as refused:
        filing.household_create(actor=staff, data=data)

    masked = f"{held.id_number[:6]}********{held.id_number[-4:]}"
    assert refused.value.errors["id_number"] == (
        f"身份证号 {masked} 已在响水乡职工服务(帮扶)中心的档案 2026-00031 中。"
    )


def test_the_api_refusal_outside_the_scope_hides_the_archive_number(
    network, staff, liaison_a, two_stations
):
    _a, held = two_stations
    held.archive_no = "2026-00031"
    held.save(update_fields=["archive_no"])
    client = APIClient()
    client.force_authenticate(liaison_a)
    body = {
        "unit": network.station_a.pk,
        "area": make_area().pk,
        "applied_on": "2026-03-02",
        "name": "冒名者",
        "id_number": held.id_number,
        "work_status": "laid_off",
        "housing": "owned",
        "marital_status": "married",
        "hukou": "urban",
        "address": "响水乡",
        "medical_insurance": "employee",
        "main_cause": 3,
    }

    response = client.post(reverse("api:household_create"), body, format="json")

    assert response.status_code == 400
    assert "请向该中心核实" in response.json()["errors"]["id_number"]
    assert "2026-00031" not in response.content.decode()
