"""The export kit: masked by default, full values only with reveal + a reason (one access-log
entry), encrypted chunks, formats read back, expiry, a job that dies."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.core.access import AccessLog
from bangfu.core.errors import NotFound, PermissionDenied, ValidationError
from bangfu.core.jobs import jobs_reap
from bangfu.core.models import AuditEvent, Job
from bangfu.core.xlsx import Column, read_table
from bangfu.kits.exports import selectors, services
from bangfu.kits.exports.models import Export, ExportChunk, Format, Purpose

from .exporters import KIND, id_number

pytestmark = pytest.mark.django_db


def make(
    user,
    *,
    n: int = 3,
    masked: bool = True,
    note: str = "",
    fmt: str = Format.XLSX,
    purpose: str = Purpose.REPORT,
) -> Export:
    return services.export_request(
        user=user,
        kind=KIND,
        params={"n": n},
        filters_text=f"前 {n} 人",
        purpose=purpose,
        purpose_note=note,
        masked=masked,
        format=fmt,
    )


def content(user, export: Export) -> bytes:
    return b"".join(selectors.export_file(user=user, export=export))


COLUMNS = [
    Column("name", "姓名"),
    Column("id_number", "身份证号"),
    Column("amount", "金额"),
    Column("day", "日期"),
]


def state() -> tuple[int, int, int, int]:
    return (
        Export.objects.count(),
        ExportChunk.objects.count(),
        AuditEvent.objects.count(),
        AccessLog.objects.count(),
    )


def test_an_export_is_masked_by_default_and_audited_without_an_access_log_entry(staff):
    # when
    export = make(staff)

    # then
    table = read_table(content(staff, export), COLUMNS)
    assert [row.values["id_number"] for row in table.rows] == [
        "430302********000X",
        "430302********001X",
        "430302********002X",
    ]
    assert (export.status, export.rows, export.masked) == (Export.Status.READY, 3, True)
    assert export.scope == "响水乡职工服务(帮扶)中心(含下属单位)"
    event = AuditEvent.objects.get(action="exports.export.create")
    assert event.summary == (
        "测试名单导出 3 行(打码),范围:响水乡职工服务(帮扶)中心(含下属单位):3 行"
    )
    assert AccessLog.objects.count() == 0
    assert export.expires_at and export.finished_at
    assert export.expires_at - export.finished_at == timedelta(hours=24)


def test_a_full_export_needs_the_reveal_permission(liaison_a):
    before = state()
    with pytest.raises(PermissionDenied):
        make(liaison_a, masked=False, note="核对身份证号")
    assert state() == before


def test_a_full_export_needs_a_reason_and_the_purpose_from_the_list(staff):
    before = state()
    with pytest.raises(ValidationError) as refused:
        make(staff, masked=False, note=" ")
    assert (refused.value.message, refused.value.field) == (
        "完整导出须填写导出事由。",
        "purpose_note",
    )
    with pytest.raises(ValidationError) as refused:
        make(staff, purpose="")
    assert refused.value.message == "请选择导出用途。"
    with pytest.raises(ValidationError) as refused:
        make(staff, purpose=Purpose.OTHER)
    assert refused.value.message == "用途选择“其他”时,请写明导出事由。"
    assert state() == before


def test_a_full_export_writes_one_access_log_entry_naming_purpose_scope_and_rows(staff):
    # when
    export = make(staff, n=9, masked=False, note="报送市总工会")

    # then
    table = read_table(content(staff, export), COLUMNS)
    assert [row.values["id_number"] for row in table.rows] == [id_number(i) for i in range(9)]
    log = AccessLog.objects.get()
    assert (log.object_type, log.object_id, log.fields) == (
        "exports.export",
        str(export.pk),
        "id_number",
    )
    assert log.purpose == "报送上级工会:报送市总工会"
    assert log.object_repr == "测试名单导出 9 行(完整),范围:响水乡职工服务(帮扶)中心(含下属单位)"


def test_the_file_is_stored_encrypted_in_chunks_and_read_back_whole(staff, monkeypatch):
    # given: chunks of 1 KB
    monkeypatch.setattr(services, "CHUNK_BYTES", 1024)

    # when
    export = make(staff, n=200)

    # then
    chunks = list(ExportChunk.objects.filter(export=export).order_by("seq"))
    assert len(chunks) > 3
    assert all(bytes(chunk.data).startswith(b"BFE1") for chunk in chunks)
    assert all(b"PK" not in bytes(chunk.data)[:4] for chunk in chunks)
    data = content(staff, export)
    assert len(data) == export.size
    assert len(read_table(data, COLUMNS).rows) == 200


def test_only_its_owner_downloads_an_export(staff, leader, client):
    export = make(staff)
    with pytest.raises(NotFound):
        selectors.export_for_user(user=leader, export_id=export.pk)
    client.force_login(leader)
    url = reverse("exports:download", kwargs={"export_id": export.pk})
    assert client.get(url).status_code == 404
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]


def test_an_expired_export_is_emptied_and_no_longer_downloaded(staff, client):
    # given
    export = make(staff)
    client.force_login(staff)
    url = reverse("exports:download", kwargs={"export_id": export.pk})

    # when: a day later, before the cron ran, the file is already refused
    later = timezone.now() + timedelta(hours=25)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url).status_code == 404
    assert ExportChunk.objects.filter(export=export).exists()  # a GET writes nothing

    # when: the cron runs
    assert services.exports_expire(now=later) == 1

    # then
    export.refresh_from_db()
    assert (export.status, export.size) == (Export.Status.EXPIRED, 0)
    assert not ExportChunk.objects.filter(export=export).exists()
    assert AuditEvent.objects.filter(action="exports.export.expire").count() == 1
    assert services.exports_expire(now=later) == 0
    page = client.get(reverse("exports:detail", kwargs={"export_id": export.pk}))
    assert "已过期清除" in page.content.decode()


def test_a_large_export_is_queued_for_a_job_with_its_parameters(staff, settings):
    settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS = 2
    before = AuditEvent.objects.count()

    export = make(staff, n=5)

    assert export.status == Export.Status.QUEUED
    assert export.job is not None and export.job.kind == "exports.export"
    assert export.params == {"n": 5}
    assert not ExportChunk.objects.filter(export=export).exists()
    assert AuditEvent.objects.count() == before  # audited once written


def test_a_job_that_dies_fails_its_export_and_drops_its_parameters(staff, settings):
    # given: a job whose worker stopped reporting
    settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS = 2
    export = make(staff, n=5, masked=False, note="核对")
    assert export.job_id is not None
    Job.objects.filter(pk=export.job_id).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )

    # when
    dead = jobs_reap()

    # then
    assert [job.pk for job in dead] == [export.job_id]
    export.refresh_from_db()
    assert (export.status, export.params) == (Export.Status.FAILED, {})
    assert export.message.startswith("后台任务的处理进程已停止")
    assert not ExportChunk.objects.filter(export=export).exists()
    assert AccessLog.objects.count() == 0
    with pytest.raises(NotFound):
        content(staff, export)


def test_csv_in_utf8_with_bom_reads_back(staff):
    export = make(staff, fmt=Format.CSV)
    data = content(staff, export)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["姓名", "身份证号", "金额", "日期"]
    # a cell that Excel would take for a formula is kept as text
    assert rows[1] == ["'=张三", "430302********000X", "1234.50", "2026-12-06"]
    assert rows[2][0] == "职工1"


def test_csv_in_gbk_reads_back(staff):
    export = make(staff, fmt=Format.CSV_GBK)
    data = content(staff, export)
    rows = list(csv.reader(io.StringIO(data.decode("gbk"))))
    assert rows[0] == ["姓名", "身份证号", "金额", "日期"]
    assert rows[3][0] == "职工2"


def test_a_pdf_export_is_a_printable_table(staff, tmp_path):
    export = make(staff, fmt=Format.PDF, purpose=Purpose.VISIT)
    path = tmp_path / "export.pdf"
    path.write_bytes(content(staff, export))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "测试名单(已打码)" in text
    assert "导出用途:走访慰问" in text
    assert "430302********001X" in text
    assert "职工2" in text


def test_a_pdf_above_the_row_limit_is_refused_with_a_clear_message(staff, settings):
    settings.BANGFU_EXPORT_PDF_MAX_ROWS = 5
    before = state()
    with pytest.raises(ValidationError) as refused:
        make(staff, n=6, fmt=Format.PDF)
    assert refused.value.message == (
        "PDF 仅用于打印少量数据(不超过 5 行),本次导出约 6 行以上。"
        "请缩小筛选范围,或改用 Excel / CSV 格式。"
    )
    assert state() == before


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_in_the_reading_thread_fails_the_export_and_ends_the_thread(
    staff, monkeypatch
):
    import threading

    from bangfu.kits.exports.registry import exporter_for

    exporter = exporter_for(KIND)
    batches = exporter.batches

    def failing(**kwargs):
        for index, batch in enumerate(batches(**kwargs)):
            if index == 1:
                raise RuntimeError("the database went away")
            yield batch

    monkeypatch.setattr(exporter, "batches", failing)
    threads = threading.active_count()
    before = state()

    # when
    with pytest.raises(RuntimeError, match="went away"):
        make(staff, n=10, fmt=Format.CSV)

    # then the error came through, nothing was stored, and the thread is gone
    assert state() == before
    assert threading.active_count() == threads
