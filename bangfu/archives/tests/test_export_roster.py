"""The roster export on the export kit: the import's template, masked unless revealed with a
reason, logged, and importing again as "already present" for every household."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker

from bangfu.archives import xlsx as roster
from bangfu.archives.models import Household, ImportBatch
from bangfu.archives.services.exporting import ROSTER_KIND, RosterExporter
from bangfu.archives.tests.factories import make_area, make_household, make_standards
from bangfu.core.access import AccessLog
from bangfu.core.errors import PermissionDenied, ValidationError
from bangfu.core.masking import mask_id_number
from bangfu.core.models import AuditEvent, Job
from bangfu.core.xlsx import read_table
from bangfu.kits.exports import selectors, services
from bangfu.kits.exports.models import Export, ExportChunk, Format, Purpose

from . import roster_files as rf
from .test_import_roster import counts, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(network, staff):
    make_standards(make_area())
    batch = run_import(staff, rf.workbook(rf.clean_rows()))
    assert batch.status == ImportBatch.Status.IMPORTED
    return batch


def request_roster_export(
    user, *, masked: bool = True, note: str = "", fmt: str = Format.XLSX, **query: str
) -> Export:
    """Ask for an export as the page does (the list's filters in the query): written now when
    small, else queued for a job."""
    selection = RosterExporter().select(user=user, data=QueryDict(urlencode(query)))
    return services.export_request(
        user=user,
        kind=ROSTER_KIND,
        params=selection.params,
        filters_text=selection.words,
        purpose=Purpose.REPORT,
        purpose_note=note,
        masked=masked,
        format=fmt,
    )


def export_roster(
    user, *, masked: bool = True, note: str = "", fmt: str = Format.XLSX, **query: str
) -> tuple[Export, bytes]:
    """Export as the page does, in the request; return the record and the file."""
    export = request_roster_export(user, masked=masked, note=note, fmt=fmt, **query)
    return export, b"".join(selectors.export_file(user=user, export=export))


def test_masked_export_reimports_as_already_present_for_every_household(imported, staff):
    # when
    export, content = export_roster(staff)

    # then: masked, in the template, and logged
    table = read_table(content, roster.columns())
    assert len(table.rows) == 28
    ids = [row.values["id_number"] for row in table.rows if row.values["id_number"]]
    assert all("*" in str(value) for value in ids)
    assert (export.counts["households"], export.rows, export.masked) == (12, 28, True)
    assert export.message == "12 户 28 人"
    assert export.filters_text == "档案状态:在档"
    event = AuditEvent.objects.get(action="exports.export.create")
    assert event.summary.startswith("困难职工花名册导出 28 行(打码),范围:响水乡")
    assert AccessLog.objects.count() == 0
    before = counts()

    # when: the export comes back
    batch = run_import(staff, content, name="导出.xlsx")

    # then
    assert batch.errors == []
    assert batch.status == ImportBatch.Status.NOTHING
    assert (batch.counts["households_existing"], batch.counts["people_existing"]) == (12, 28)
    assert counts() == before


def test_full_export_needs_reveal_and_a_reason_and_is_in_the_access_log(imported, staff):
    # when: no reason
    before = (Export.objects.count(), ExportChunk.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        export_roster(staff, masked=False)
    assert (
        Export.objects.count(),
        ExportChunk.objects.count(),
        AuditEvent.objects.count(),
    ) == before

    # when
    export, content = export_roster(staff, masked=False, note="报送市总工会")

    # then
    zhang = Household.objects.get(name="张三")
    table = read_table(content, roster.columns())
    assert zhang.id_number in [row.values["id_number"] for row in table.rows]
    log = AccessLog.objects.get()
    assert (log.object_type, log.object_id, log.purpose) == (
        "exports.export",
        str(export.pk),
        "报送上级工会:报送市总工会",
    )
    assert log.object_repr.startswith("困难职工花名册导出 28 行(完整),范围:")
    assert log.fields == "id_number,mobile,bank_card"
    before_import = counts()

    # and the full export re-imports as already present
    batch = run_import(staff, content, name="完整导出.xlsx")
    assert (batch.status, batch.counts["households_existing"], batch.errors) == (
        ImportBatch.Status.NOTHING,
        12,
        [],
    )
    assert counts() == before_import


def test_export_without_permission_is_refused(imported, liaison_a):
    with pytest.raises(PermissionDenied):
        export_roster(liaison_a)
    assert Export.objects.count() == 0


def post_export(client, query: str = "", **data: str):
    url = reverse("exports:new", kwargs={"kind": ROSTER_KIND})
    form = {"purpose": Purpose.REPORT, "values": "masked", "format": Format.XLSX, **data}
    return client.post(f"{url}?{query}" if query else url, form)


def downloaded(client, response) -> bytes:
    assert response.status_code == 302, response.content.decode()[:2000]
    download = client.get(response.url)
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def test_export_applies_the_list_filters_and_the_scope(imported, network, staff, client):
    # given
    client.force_login(staff)

    # when
    content = downloaded(client, post_export(client, f"unit={network.station_b.pk}"))

    # then
    table = read_table(content, roster.columns())
    assert [row.values["name"] for row in table.rows] == ["郑一", "王芳", "郑小一"]
    assert table.rows[0].values["id_number"] == mask_id_number(rf.ids()["zheng"])
    assert Export.objects.get().filters_text == "档案状态:在档;帮扶站(点):金霞社区帮扶站"


def test_the_menu_link_leads_to_the_kit_with_the_list_filters(imported, network, staff, client):
    client.force_login(staff)
    response = client.get(reverse("archives:export_roster") + "?status=closed")
    assert response.url == reverse("exports:new", kwargs={"kind": ROSTER_KIND}) + "?status=closed"


def test_full_export_page_asks_for_a_reason(imported, client, staff):
    client.force_login(staff)

    page = post_export(client, values="full")
    assert page.status_code == 400
    assert "完整导出须填写导出事由。" in page.content.decode()
    assert Export.objects.count() == 0

    content = downloaded(client, post_export(client, values="full", purpose_note="核对银行卡"))
    assert len(read_table(content, roster.columns()).rows) == 28
    assert AccessLog.objects.get().purpose == "报送上级工会:核对银行卡"


def test_a_user_without_reveal_is_not_offered_the_full_export(imported, client, network):
    from bangfu.accounts.roles import Role
    from bangfu.accounts.tests.factories import make_user

    # given: a supervisor reads archives, masked, and may not export
    user = make_user((Role.SUPERVISOR, network.township), username="sup")
    client.force_login(user)

    assert client.get(reverse("exports:new", kwargs={"kind": ROSTER_KIND})).status_code == 403


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
    page = client.get(reverse("exports:new", kwargs={"kind": ROSTER_KIND}))
    assert "将导出 12 户" in page.content.decode()
    assert "将在后台生成" in page.content.decode()

    # when
    response = post_export(client)
    export = Export.objects.get()
    assert response.url == reverse("exports:detail", kwargs={"export_id": export.pk})
    progress = client.get(response.url).content.decode()
    assert 'data-testid="job-progress"' in progress
    run_worker()

    # then
    export.refresh_from_db()
    assert export.job is not None
    assert export.job.status == Job.Status.SUCCEEDED
    assert export.job.message == "已导出 12 户 28 人。"
    assert export.params == {}
    download = reverse("exports:download", kwargs={"export_id": export.pk})
    assert export.job.result["url"] == download
    content = b"".join(client.get(download).streaming_content)
    assert len(read_table(content, roster.columns()).rows) == 28
    assert AuditEvent.objects.filter(action="exports.export.create").count() == 1
    detail = client.get(reverse("exports:detail", kwargs={"export_id": export.pk}))
    assert 'data-testid="export-download"' in detail.content.decode()
    mine = client.get(reverse("exports:list")).content.decode()
    assert "12 户 28 人" in mine
    client.force_login(leader)
    assert client.get(download).status_code == 404  # only its owner downloads it


@pytest.mark.django_db(transaction=True)
def test_a_search_by_full_id_is_sealed_until_the_job_has_written_the_file(
    imported, client, staff, settings
):
    # given: every export a job
    settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS = 0
    client.force_login(staff)
    number = rf.ids()["zhang"]

    # when
    post_export(client, urlencode({"q": number}))

    # then: neither the parameters nor the words hold the number
    export = Export.objects.get()
    assert number not in str(export.params)
    assert number not in export.filters_text
    assert mask_id_number(number) in export.filters_text

    # when
    run_worker()

    # then
    export.refresh_from_db()
    assert (export.status, export.params, export.message) == (
        Export.Status.READY,
        {},
        "1 户 3 人",
    )


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


def exported(client, query: str = "") -> list[tuple[Any, Any]]:
    table = read_table(downloaded(client, post_export(client, query)), roster.columns())
    return [(row.values["name"], row.values["archive_status"]) for row in table.rows]


def test_roster_export_has_only_active_archives_by_default_with_a_status_column(
    not_active, client, staff
):
    # given
    client.force_login(staff)
    url = reverse("exports:new", kwargs={"kind": ROSTER_KIND})

    # when: the page, then the export, without a status
    page = client.get(url).content.decode()
    rows = exported(client)

    # then: 在档 only, chosen on the page, and the last column says so on every row
    assert "将导出 12 户" in page
    assert '<option value="active" selected>在档</option>' in page
    assert len(rows) == 28
    assert {status for _name, status in rows} == {"在档"}


def test_roster_export_filters_by_the_status_asked_or_takes_them_all(not_active, client, staff):
    client.force_login(staff)
    url = reverse("exports:new", kwargs={"kind": ROSTER_KIND})

    assert exported(client, "status=closed") == [("撤档人", "已撤档")]
    assert exported(client, "status=applied") == [("申请人", "待入户调查")]
    every = exported(client, "status=all")
    assert len(every) == 30
    assert {"在档", "已撤档", "待入户调查"} == {status for _name, status in every}
    assert "将导出 14 户" in client.get(f"{url}?status=all").content.decode()
    # a status that is none is the default, 在档
    assert len(exported(client, "status=nonsense")) == 28


def test_the_status_column_is_read_back_and_left_alone(imported, staff):
    # given: a masked export with its status column
    _export, content = export_roster(staff, status=Household.Status.ACTIVE)
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


def test_the_roster_exports_as_csv_and_pdf(imported, staff, tmp_path):
    import csv
    import io
    import subprocess

    _export, content = export_roster(staff, fmt=Format.CSV_GBK)
    rows = list(csv.reader(io.StringIO(content.decode("gbk"))))
    assert rows[0][-1] == "档案状态"
    assert len(rows) == 29
    assert "张三" in {row[2] for row in rows}

    _export, content = export_roster(staff, fmt=Format.PDF)
    path = tmp_path / "roster.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "困难职工家庭花名册" in text
    assert "张三" in text


def test_the_export_query_count_does_not_grow_with_the_rows(network, staff):
    # given: 3 households, then 30 more
    area = make_area()
    make_standards(area)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_roster(staff)
        return len(captured.captured_queries)

    for index in range(3):
        make_household(network.station_a, filed_by=staff, area=area, name=f"户{index}")
    queries()  # the user's grants are read once, then kept on the user
    few = queries()
    for index in range(30):
        make_household(network.station_a, filed_by=staff, area=area, name=f"多{index}")

    # then
    assert queries() == few


def test_keyset_batches_give_every_row_once_in_list_order(imported, staff):
    from bangfu.archives.selectors.browse import HouseholdFilters
    from bangfu.archives.selectors.exporting import roster_batches, roster_households

    households = roster_households(user=staff, filters=HouseholdFilters())

    def rows(size: int) -> tuple[list, dict]:
        counts: dict[str, int] = {}
        batches = roster_batches(households, masked=True, counts=counts, size=size)
        return [row for batch in batches for row in batch], counts

    small, counts = rows(5)  # imported in one go: archives share a created_at, ids break ties
    whole, _counts = rows(500)
    assert small == whole
    assert (counts["households"], counts["people"], len(small)) == (12, 28, 28)


@pytest.mark.django_db(transaction=True)
def test_a_job_reads_the_next_batch_in_a_thread_and_writes_the_same_file(
    imported, client, staff, monkeypatch, settings
):
    """Outside a transaction (a job) the kit reads the next batch in a thread while it writes
    this one; inside one (an export written in the request) in turn. The file is the same, in
    the user's language, whichever way it was read."""
    import threading

    from django.utils import translation

    from bangfu.archives.selectors import exporting as reads
    from bangfu.archives.services import exporting as exporter

    readers: list[str] = []
    batches = reads.roster_batches

    def spied(households, *, masked, counts, size=reads.CHUNK):
        for batch in batches(households, masked=masked, counts=counts, size=5):
            readers.append(threading.current_thread().name)
            yield batch

    monkeypatch.setattr(exporter, "roster_batches", spied)
    threads = threading.active_count()

    # when the same roster is exported in English by a job, then in the request
    with translation.override("en"):
        settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS = 5
        queued = request_roster_export(staff, fmt=Format.CSV)
        assert queued.job is not None
        run_worker()
        queued.refresh_from_db()
        by_job = b"".join(selectors.export_file(user=staff, export=queued))
        job_readers, readers[:] = list(readers), []
        settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS = 100
        _inline, in_request = export_roster(staff, fmt=Format.CSV)

    # then the job's batches were read by the thread, the request's in turn; the same file
    assert set(job_readers) == {"export-read-ahead"} and len(job_readers) == 3  # 12 by 5
    assert set(readers) == {threading.current_thread().name}
    assert by_job == in_request
    assert ",Active" in by_job.decode("utf-8-sig")  # the status in English, by the thread
    assert queued.counts["households"] == 12 and queued.rows == 28
    assert threading.active_count() == threads  # the thread has ended
