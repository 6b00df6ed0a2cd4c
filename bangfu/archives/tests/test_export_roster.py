"""The roster export: the import's template, masked unless revealed with a reason, logged, and
importing again as "already present" for every household."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker

from bangfu.archives import xlsx as roster
from bangfu.archives.models import Household, ImportBatch, RosterExport
from bangfu.archives.selectors.browse import HouseholdFilters
from bangfu.archives.services import exporting
from bangfu.archives.tests.factories import make_area, make_household, make_standards
from bangfu.core.access import AccessLog
from bangfu.core.errors import PermissionDenied, ValidationError
from bangfu.core.masking import mask_id_number
from bangfu.core.models import AuditEvent, Job
from bangfu.core.xlsx import read_table

from . import roster_files as rf
from .test_import_roster import counts, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(network, staff):
    make_standards(make_area())
    batch = run_import(staff, rf.workbook(rf.clean_rows()))
    assert batch.status == ImportBatch.Status.IMPORTED
    return batch


def test_masked_export_reimports_as_already_present_for_every_household(imported, staff):
    # when
    export, content = exporting.roster_export(user=staff, filters=HouseholdFilters())

    # then: masked, in the template, and logged
    table = read_table(content, roster.columns())
    assert len(table.rows) == 28
    ids = [row.values["id_number"] for row in table.rows if row.values["id_number"]]
    assert all("*" in str(value) for value in ids)
    assert (export.households, export.people, export.masked) == (12, 28, True)
    event = AuditEvent.objects.get(action="archives.roster.export")
    assert event.summary == "花名册导出 12 户 28 人(打码)"
    assert AccessLog.objects.count() == 0
    before = counts()

    # when: the export comes back
    batch = run_import(staff, content, name="导出.xlsx")

    # then
    assert batch.errors == []
    assert batch.status == ImportBatch.Status.NOTHING
    assert (batch.counts["households_existing"], batch.counts["people_existing"]) == (12, 28)
    assert counts() == before


def test_full_export_needs_reveal_and_a_reason_and_is_in_the_access_log(imported, staff, leader):
    # when: no reason
    with pytest.raises(ValidationError):
        exporting.roster_export(user=staff, filters=HouseholdFilters(), masked=False, purpose="")

    # when
    export, content = exporting.roster_export(
        user=staff, filters=HouseholdFilters(), masked=False, purpose="报送市总工会"
    )

    # then
    zhang = Household.objects.get(name="张三")
    table = read_table(content, roster.columns())
    assert zhang.id_number in [row.values["id_number"] for row in table.rows]
    log = AccessLog.objects.get()
    assert (log.object_type, log.object_id, log.purpose) == (
        "archives.rosterexport",
        str(export.pk),
        "报送市总工会",
    )
    assert log.object_repr == "花名册导出 12 户 28 人(完整)"
    assert log.fields == "id_number,mobile,bank_card"
    before = counts()

    # and the full export re-imports as already present
    batch = run_import(staff, content, name="完整导出.xlsx")
    assert (batch.status, batch.counts["households_existing"], batch.errors) == (
        ImportBatch.Status.NOTHING,
        12,
        [],
    )
    assert counts() == before


def test_export_without_permission_is_refused(imported, liaison_a):
    with pytest.raises(PermissionDenied):
        exporting.roster_export(user=liaison_a, filters=HouseholdFilters())
    assert RosterExport.objects.count() == 0


def test_export_applies_the_list_filters_and_the_scope(imported, network, staff, client, leader):
    # given
    client.force_login(staff)

    # when
    url = reverse("archives:export_roster")
    response = client.post(f"{url}?unit={network.station_b.pk}")

    # then
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    table = read_table(content, roster.columns())
    assert [row.values["name"] for row in table.rows] == ["郑一", "王芳", "郑小一"]
    assert table.rows[0].values["id_number"] == mask_id_number(rf.ids()["zheng"])


def test_full_export_page_asks_for_a_reason(imported, client, staff):
    client.force_login(staff)
    url = reverse("archives:export_roster_full")

    page = client.post(url, {"purpose": ""})
    assert page.status_code == 200
    assert "完整导出须填写导出事由。" in page.content.decode()

    response = client.post(url, {"purpose": "核对银行卡"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AccessLog.objects.get().purpose == "核对银行卡"


def run_worker() -> None:
    """Run every queued task in this process, then return (as `db_worker --batch`)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.mark.django_db(transaction=True)
def test_large_export_runs_as_a_job_and_is_downloaded_by_its_owner(
    imported, client, staff, leader, settings
):
    # given
    settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS = 5
    client.force_login(staff)
    page = client.get(reverse("archives:export_roster"))
    assert "将导出 12 户档案" in page.content.decode()

    # when
    response = client.post(reverse("archives:export_roster"))
    export = RosterExport.objects.get()
    assert response.url == reverse("workbench:job_detail", kwargs={"job_id": export.job_id})
    run_worker()

    # then
    export.refresh_from_db()
    assert export.job is not None
    assert export.job.status == Job.Status.SUCCEEDED
    assert export.job.message == "已导出 12 户 28 人。"
    download = reverse("archives:export_download", kwargs={"export_id": export.pk})
    assert export.job.result["url"] == download
    content = b"".join(client.get(download).streaming_content)
    assert len(read_table(content, roster.columns()).rows) == 28
    assert AuditEvent.objects.filter(action="archives.roster.export").count() == 1
    client.force_login(leader)
    assert client.get(download).status_code == 404  # only its owner downloads it


@pytest.fixture
def not_active(imported, network, staff):
    """An application waiting for its home visit and a closed archive beside the 12 在档."""
    area = Household.objects.get(name="郑一").area
    applied = make_household(
        network.station_a, filed_by=staff, area=area, name="申请人", status="applied"
    )
    closed = make_household(
        network.station_a, filed_by=staff, area=area, name="撤档人", status="closed"
    )
    return applied, closed


def exported(client, url: str) -> list[tuple[Any, Any]]:
    response = client.post(url)
    assert response.status_code == 200
    table = read_table(b"".join(response.streaming_content), roster.columns())
    return [(row.values["name"], row.values["archive_status"]) for row in table.rows]


def test_roster_export_has_only_active_archives_by_default_with_a_status_column(
    not_active, client, staff
):
    # given
    client.force_login(staff)
    url = reverse("archives:export_roster")

    # when: the page, then the export, without a status
    page = client.get(url).content.decode()
    rows = exported(client, url)

    # then: 在档 only, chosen on the page, and the last column says so on every row
    assert "将导出 12 户档案" in page
    assert '<option value="active" selected>在档</option>' in page
    assert len(rows) == 28
    assert {status for _name, status in rows} == {"在档"}
    table = read_table(b"".join(client.post(url).streaming_content), roster.columns())
    assert table.column_label("archive_status") == "档案状态"


def test_roster_export_filters_by_the_status_asked_or_takes_them_all(not_active, client, staff):
    client.force_login(staff)
    url = reverse("archives:export_roster")

    assert exported(client, f"{url}?status=closed") == [("撤档人", "已撤档")]
    assert exported(client, f"{url}?status=applied") == [("申请人", "待入户调查")]
    every = exported(client, f"{url}?status=all")
    assert len(every) == 30
    assert {"在档", "已撤档", "待入户调查"} == {status for _name, status in every}
    assert "将导出 14 户档案" in client.get(f"{url}?status=all").content.decode()
    # a status that is none is the default, 在档
    assert len(exported(client, f"{url}?status=nonsense")) == 28


def test_the_status_column_is_read_back_and_left_alone(imported, staff):
    # given: a masked export with its status column
    _export, content = exporting.roster_export(
        user=staff, filters=HouseholdFilters(status=Household.Status.ACTIVE)
    )
    before = counts()

    # when
    batch = run_import(staff, content, name="导出.xlsx")

    # then
    assert (batch.errors, batch.status, batch.counts["households_existing"]) == (
        [],
        ImportBatch.Status.NOTHING,
        12,
    )
    assert counts() == before
