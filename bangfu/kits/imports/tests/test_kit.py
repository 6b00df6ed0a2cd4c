"""The import kit with a small importer of its own: statuses set by the services only, the file
sealed in chunks and deleted after use, every error of the file as a row, idempotent writes,
the inline/background decision, a dead job, retry, cancel and scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from bangfu.archives.permissions import ArchivesPermission
from bangfu.core import crypto
from bangfu.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.core.jobs import jobs_reap
from bangfu.core.models import Job
from bangfu.core.xlsx import (
    CellError,
    Column,
    ErrorCollector,
    Table,
    cell_int,
    cell_text,
    read_table,
)
from bangfu.kits.imports import services
from bangfu.kits.imports.models import ImportBatch, ImportBatchError, ImportChunk
from bangfu.kits.imports.registry import Outcome, Progress, importer_for, importer_register

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status
WRITTEN: dict[str, int] = {}  # what the fake importer "wrote": name → amount
COLUMNS = [Column("name", "姓名", required=True), Column("amount", "数量", required=True)]


class FakeImporter:
    kind = "tests.fake"
    label = "测试名单"
    permission = ArchivesPermission.IMPORT
    url_namespace = "archives"
    upload_help = "测试"
    count_labels = (("new", "将新增", "已新增"),)
    skipped_labels = ("姓名", "已有")

    def template(self) -> bytes | None:
        return None

    def read(self, content: bytes, columns: dict[str, str] | None = None) -> Table:
        return read_table(content, COLUMNS, mapping=columns)

    def fields(self) -> list[tuple[str, str]]:
        return [(column.key, column.title) for column in COLUMNS]

    def choice_columns(self) -> dict[str, list[str]]:
        return {}

    def value_matches(self, key: str, value: Any) -> bool:
        return True

    def _check(self, table: Table) -> tuple[Outcome, list[tuple[str, int]]]:
        errors = ErrorCollector.for_table(table)
        new, skipped = [], []
        for row in table.rows:
            name = errors.convert(row, "name", cell_text, required=True)
            amount = errors.convert(row, "amount", cell_int, required=True)
            if name and amount is not None:
                if WRITTEN.get(name) == amount:
                    skipped.append([row.number, name, "已有"])
                else:
                    new.append((name, amount))
        outcome = Outcome(
            rows=len(table.rows),
            errors=errors.errors,
            writable=len(new),
            counts={"new": len(new)},
            skipped=skipped,
        )
        return outcome, new

    def check(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        return self._check(table)[0]

    def write(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        outcome, new = self._check(table)
        if not outcome.errors:
            WRITTEN.update(new)
        return outcome

    def summary(self, batch: Any) -> str:
        return f"{batch.get_status_display()} {batch.counts.get('new', 0)}"


importer_register(FakeImporter())


@pytest.fixture(autouse=True)
def _written():
    WRITTEN.clear()
    yield
    WRITTEN.clear()


def sheet(*rows: tuple[Any, Any]) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Sheet"
    for row in [("姓名", "数量"), *rows]:
        ws.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(user, content: bytes) -> ImportBatch:
    batch, table = services.batch_upload(
        user=user, kind="tests.fake", content=content, source_name="名单.xlsx"
    )
    return services.batch_check(user=user, batch=batch, table=table)


def test_the_file_is_sealed_in_chunks_and_read_back_whole(staff, settings, monkeypatch):
    # given: chunks of 1 KiB
    monkeypatch.setattr(services, "CHUNK_BYTES", 1024)
    content = sheet(*[(f"人{n}", n) for n in range(200)])

    # when
    batch, _table = services.batch_upload(
        user=staff, kind="tests.fake", content=content, source_name="名单.xlsx"
    )

    # then
    chunks = list(ImportChunk.objects.filter(batch=batch).order_by("seq"))
    assert len(chunks) == -(-len(content) // 1024) > 1
    assert all(crypto.decrypt_bytes(bytes(c.data)) for c in chunks)
    assert all(not bytes(c.data).startswith(content[:16]) for c in chunks)
    assert services.batch_content(batch) == content
    assert (batch.kind, batch.unit_id, batch.rows) == ("tests.fake", staff.unit_id, 200)


def test_every_error_of_the_file_is_a_row_and_the_refused_file_is_deleted(staff):
    # when
    batch = upload(staff, sheet(("张三", "x"), ("", 3), ("李四", 2)))

    # then
    assert batch.status == Status.INVALID
    assert [(e.row, e.column, e.message) for e in ImportBatchError.objects.order_by("seq")] == [
        (2, "数量", "“x”不是整数。"),
        (3, "姓名", "必填项,不能为空。"),
    ]
    assert batch.error_count == 2
    assert not batch.has_content
    assert WRITTEN == {}


def test_confirm_writes_once_and_the_same_file_again_is_nothing_to_import(staff):
    # given
    batch = upload(staff, sheet(("张三", 1), ("李四", 2)))
    assert (batch.status, batch.counts) == (Status.READY, {"new": 2})

    # when
    services.batch_start_write(user=staff, batch=batch)

    # then
    batch.refresh_from_db()
    assert (batch.status, batch.has_content) == (Status.IMPORTED, False)
    assert batch.imported_at is not None
    assert WRITTEN == {"张三": 1, "李四": 2}

    # when: a second click, and the same file again
    with pytest.raises(ValidationError) as refused:
        services.batch_start_write(user=staff, batch=batch)
    again = upload(staff, sheet(("张三", 1), ("李四", 2)))

    # then
    assert refused.value.message == "该文件未通过校验或已经导入,不能再次导入。"
    assert (again.status, again.skipped, again.has_content) == (
        Status.NOTHING,
        [[2, "张三", "已有"], [3, "李四", "已有"]],
        False,
    )


def test_a_write_whose_second_check_finds_errors_writes_nothing_and_shows_them(staff, monkeypatch):
    # given: a ready batch, and the importer finds an error when writing
    batch = upload(staff, sheet(("张三", 1)))
    services.batch_confirm(user=staff, batch=batch)
    fake = importer_for("tests.fake")
    monkeypatch.setattr(
        fake,
        "write",
        lambda **kw: Outcome(rows=1, errors=read_error(), counts={"new": 0}),
    )

    # when
    with pytest.raises(ValidationError) as refused:
        services.batch_write(user=staff, batch=batch)

    # then
    batch.refresh_from_db()
    assert refused.value.message.startswith("重新校验时发现 1 处错误")
    assert (batch.status, batch.errors, batch.has_content) == (
        Status.INVALID,
        [["Sheet", 2, "姓名", "已被他人导入"]],
        False,
    )
    assert WRITTEN == {}


def read_error() -> list[CellError]:
    return [CellError("Sheet", 2, "姓名", "已被他人导入")]


def test_a_large_file_is_checked_by_a_job_and_a_small_one_in_the_request(staff, settings):
    # given
    settings.BANGFU_IMPORT_INLINE_ROWS = 3

    # when
    small, small_job = services.batch_start_check(
        user=staff, kind="tests.fake", content=sheet(("甲", 1), ("乙", 2)), source_name="a.xlsx"
    )
    large, large_job = services.batch_start_check(
        user=staff,
        kind="tests.fake",
        content=sheet(("甲", 1), ("乙", 2), ("丙", 3)),
        source_name="b.xlsx",
    )

    # then
    assert (small_job, small.status) == (None, Status.READY)
    assert large_job is not None
    assert (large_job.kind, large.check_job_id, large.status) == (
        "imports.check",
        large_job.pk,
        Status.CHECKING,
    )


def _dead(batch: ImportBatch, user) -> None:
    an_hour_ago = timezone.now() - timedelta(hours=1)
    batch.check_job = Job.objects.create(
        user=user,
        kind=services.CHECK_KIND,
        title="校验",
        status=Job.Status.RUNNING,
        started_at=an_hour_ago,
        heartbeat_at=an_hour_ago,
    )
    batch.save(update_fields=["check_job"])
    jobs_reap()
    batch.refresh_from_db()


def test_a_dead_job_fails_the_batch_keeping_its_file_for_retry(staff):
    # given
    batch, _table = services.batch_upload(
        user=staff, kind="tests.fake", content=sheet(("张三", 1)), source_name="a.xlsx"
    )

    # when
    _dead(batch, staff)

    # then
    assert (batch.status, batch.has_content) == (Status.FAILED, True)
    assert batch.message.startswith("后台任务的处理进程已停止")

    # when
    services.batch_retry(user=staff, batch=batch)

    # then
    batch.refresh_from_db()
    assert (batch.status, batch.message, batch.counts) == (Status.READY, "", {"new": 1})


def test_retry_is_refused_unless_a_job_died_and_changes_nothing(staff):
    batch = upload(staff, sheet(("张三", 1)))
    with pytest.raises(Conflict):
        services.batch_retry(user=staff, batch=batch)
    batch.refresh_from_db()
    assert batch.status == Status.READY


def test_cancel_deletes_the_file(staff):
    batch = upload(staff, sheet(("张三", 1)))
    services.batch_cancel(user=staff, batch=batch)
    batch.refresh_from_db()
    assert (batch.status, batch.has_content) == (Status.CANCELLED, False)


def test_batches_left_waiting_past_the_keep_days_are_cancelled_and_their_files_deleted(
    staff, settings
):
    settings.BANGFU_IMPORT_KEEP_DAYS = 7
    old_ready = upload(staff, sheet(("张三", 1)))
    old_failed, _table = services.batch_upload(
        user=staff, kind="tests.fake", content=sheet(("李四", 2)), source_name="b.xlsx"
    )
    _dead(old_failed, staff)
    recent = upload(staff, sheet(("王五", 3)))
    old_imported = upload(staff, sheet(("赵六", 4)))
    services.batch_confirm(user=staff, batch=old_imported)
    services.batch_write(user=staff, batch=old_imported)
    eight_days_ago = timezone.now() - timedelta(days=8)
    ImportBatch.objects.exclude(pk=recent.pk).update(created_at=eight_days_ago)
    assert old_failed.status == Status.FAILED

    # when
    assert services.imports_expire() == 2
    assert services.imports_expire() == 0  # once

    # then: the two waiting ones cancelled, files gone; the recent and the finished untouched
    for batch in (old_ready, old_failed):
        batch.refresh_from_db()
        assert (batch.status, batch.has_content) == (Status.CANCELLED, False)
        assert "超过 7 天没有完成导入" in batch.message
    recent.refresh_from_db()
    assert (recent.status, recent.has_content) == (Status.READY, True)
    old_imported.refresh_from_db()
    assert old_imported.status == Status.IMPORTED
    assert WRITTEN == {"赵六": 4}


def test_another_users_batch_or_another_kind_is_not_found(staff, leader):
    batch = upload(staff, sheet(("张三", 1)))
    with pytest.raises(NotFound):
        services.batch_for_user(user=leader, batch_id=batch.pk)
    with pytest.raises(NotFound):
        services.batch_for_user(user=staff, batch_id=batch.pk, kind="archives.roster")
    with pytest.raises(NotFound):
        services.batch_for_user(user=staff, batch_id="not-a-uuid")
    assert services.batch_for_user(user=staff, batch_id=batch.pk, kind="tests.fake") == batch


def test_upload_needs_the_importers_permission_and_keeps_nothing(auditor):
    with pytest.raises(PermissionDenied):
        services.batch_upload(
            user=auditor, kind="tests.fake", content=sheet(("张三", 1)), source_name="a.xlsx"
        )
    assert ImportBatch.objects.count() == 0


def test_an_unknown_kind_is_not_found(staff):
    with pytest.raises(NotFound):
        services.batch_upload(user=staff, kind="nope", content=b"", source_name="a.xlsx")


def _large(user, *rows: tuple[Any, Any]) -> ImportBatch:
    batch, job = services.batch_start_check(
        user=user, kind="tests.fake", content=sheet(*rows), source_name="大表.xlsx"
    )
    assert job is not None and batch.status == Status.CHECKING  # the job is queued, not run
    return batch


def _spoil_file(batch: ImportBatch) -> None:
    """Seal something that is no workbook in place of the file: reading it would fail."""
    ImportChunk.objects.filter(batch=batch, part=ImportChunk.Part.FILE).update(
        data=crypto.encrypt_bytes(b"no workbook")
    )


def test_a_large_files_rows_are_kept_sealed_and_its_jobs_do_not_read_the_file_again(
    staff, settings, monkeypatch
):
    # given: a file checked by a job, its rows kept in several chunks
    settings.BANGFU_IMPORT_INLINE_ROWS = 3
    monkeypatch.setattr(services, "CHUNK_BYTES", 64)
    rows = [(f"职工{n}", n) for n in range(40)]
    batch = _large(staff, *rows)
    kept = list(ImportChunk.objects.filter(batch=batch, part=ImportChunk.Part.ROWS))
    assert len(kept) > 1
    assert all(b"\xe8\x81\x8c\xe5\xb7\xa5" not in bytes(chunk.data) for chunk in kept)  # 职工

    # when: the file itself can no longer be read, the check's job and the write still can
    _spoil_file(batch)
    services.batch_check(user=staff, batch=batch)
    services.batch_confirm(user=staff, batch=batch)
    services.batch_write(user=staff, batch=batch)

    # then
    batch.refresh_from_db()
    assert batch.status == Status.IMPORTED
    assert dict(rows) == WRITTEN
    assert not ImportChunk.objects.filter(batch=batch).exists()  # the rows go with the file


@pytest.mark.parametrize("spoil", ["another_batch", "reordered", "cut_short", "remapped"])
def test_kept_rows_that_are_not_the_batchs_own_are_not_used_the_file_is_read(
    staff, settings, monkeypatch, spoil
):
    # given: two large files, their rows kept in several chunks each
    settings.BANGFU_IMPORT_INLINE_ROWS = 3
    monkeypatch.setattr(services, "CHUNK_BYTES", 64)
    ours = _large(staff, *[(f"甲{n}", n) for n in range(30)])
    theirs = _large(staff, *[(f"乙{n}", n) for n in range(30)])
    Part = ImportChunk.Part
    chunks = ImportChunk.objects.filter(batch=ours, part=Part.ROWS)

    # when
    if spoil == "another_batch":
        chunks.delete()
        for chunk in ImportChunk.objects.filter(batch=theirs, part=Part.ROWS):
            ImportChunk.objects.create(batch=ours, part=Part.ROWS, seq=chunk.seq, data=chunk.data)
    elif spoil == "reordered":
        first, second = chunks.order_by("seq")[:2]
        first.data, second.data = second.data, first.data
        first.save()
        second.save()
    elif spoil == "cut_short":
        last = chunks.order_by("-seq").first()
        assert last is not None
        last.delete()
    else:
        ours.mapping = {"columns": {"姓名": "name", "数量": "amount"}, "values": {}}
        ours.save(update_fields=["mapping"])
    services.batch_check(user=staff, batch=ours)

    # then: the file was read (the other batch's rows would give 乙0…)
    ours.refresh_from_db()
    assert (ours.status, ours.counts) == (Status.READY, {"new": 30})
    assert services.batch_table(ours).rows[0].values["name"] == "甲0"


def test_a_large_file_mapped_by_the_user_keeps_its_rows_read_with_that_mapping(staff, settings):
    from bangfu.kits.imports import mapping

    # given: a large file with a column the importer does not know: it waits for the mapping
    settings.BANGFU_IMPORT_INLINE_ROWS = 3
    rows = [("姓名", "数量", "备注"), *[(f"职工{n}", n, "x") for n in range(10)]]
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(list(row))
    out = BytesIO()
    book.save(out)
    batch, job = services.batch_start_check(
        user=staff, kind="tests.fake", content=out.getvalue(), source_name="外来.xlsx"
    )
    assert (batch.status, job) == (Status.MAPPING, None)
    assert not ImportChunk.objects.filter(batch=batch, part=ImportChunk.Part.ROWS).exists()

    # when: the user maps it (备注 not read); the job then checks the rows read so
    job = services.batch_map(
        user=staff,
        batch=batch,
        chosen=mapping.Mapping({"姓名": "name", "数量": "amount", "备注": ""}),
    )
    assert job is not None
    _spoil_file(batch)
    services.batch_check(user=staff, batch=batch)

    # then
    batch.refresh_from_db()
    assert (batch.status, batch.counts) == (Status.READY, {"new": 10})


def test_a_large_files_job_that_died_is_retried_from_the_rows_kept(staff, settings):
    # given: a large file whose check's job died (its worker killed)
    settings.BANGFU_IMPORT_INLINE_ROWS = 3
    batch = _large(staff, *[(f"职工{n}", n) for n in range(5)])
    _dead(batch, staff)
    assert (batch.status, batch.has_content) == (Status.FAILED, True)
    assert ImportChunk.objects.filter(batch=batch, part=ImportChunk.Part.ROWS).exists()

    # when: retried (a job again), with the file itself no longer readable
    job = services.batch_retry(user=staff, batch=batch)
    assert job is not None
    _spoil_file(batch)
    services.batch_check(user=staff, batch=batch)

    # then
    batch.refresh_from_db()
    assert (batch.status, batch.counts) == (Status.READY, {"new": 5})

    # and a cancel deletes the rows with the file
    services.batch_cancel(user=staff, batch=batch)
    assert not ImportChunk.objects.filter(batch=batch).exists()
