"""The import pages: upload, result with errors, confirm; large files as background jobs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker

from bangfu.archives import xlsx as roster
from bangfu.archives.models import Household, ImportBatch
from bangfu.archives.tests.factories import make_area, make_standards
from bangfu.core.models import Job
from bangfu.core.xlsx import read_table

from . import roster_files as rf

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def area(network):
    area = make_area()
    make_standards(area)
    return area


def upload(client, content: bytes, name: str = "花名册.xlsx"):
    return client.post(
        reverse("archives:import_upload"), {"file": SimpleUploadedFile(name, content, XLSX)}
    )


def test_template_has_title_header_example_and_text_id_columns(client, staff):
    client.force_login(staff)
    response = client.get(reverse("archives:import_template"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    table = read_table(content, roster.columns())
    assert table.header_row == 2
    assert table.missing_required == []
    assert [row.values["name"] for row in table.rows] == ["张三", "张小花"]
    assert table.rows[0].values["id_number"] == "11010519491231002X"

    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(content))["花名册"]
    titles = [cell.value for cell in sheet[2]]
    for title in ("身份证号", "银行卡号", "户主身份证号", "手机"):
        letter = sheet.cell(row=2, column=titles.index(title) + 1).column_letter
        assert sheet.column_dimensions[letter].number_format == "@"


def test_upload_refuses_a_file_that_is_not_excel(client, staff, area):
    client.force_login(staff)
    response = upload(client, b"%PDF-1.7 ...", "花名册.xlsx")
    assert response.status_code == 200
    assert "文件不是有效的 Excel 工作簿,请上传 .xlsx 或 .xls 文件。" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_small_file_is_checked_at_once_then_confirmed(client, staff, area):
    # given
    client.force_login(staff)

    # when
    response = upload(client, rf.workbook(rf.clean_rows()))

    # then
    batch = ImportBatch.objects.get()
    assert response.url == reverse("archives:import_batch", kwargs={"batch_id": batch.pk})
    page = client.get(response.url).content.decode()
    assert "校验通过:将新建 12 户 16 名成员,已存在跳过 0 户。请确认导入。" in page
    assert Household.objects.count() == 0

    # when
    response = client.post(
        reverse("archives:import_confirm", kwargs={"batch_id": batch.pk}), {"mode": "historical"}
    )

    # then
    page = client.get(response.url).content.decode()
    assert "已导入 12 户 16 名成员;已存在跳过 0 户。" in page
    assert Household.objects.count() == 12

    # and confirming twice does nothing more
    client.post(
        reverse("archives:import_confirm", kwargs={"batch_id": batch.pk}), {"mode": "historical"}
    )
    assert Household.objects.count() == 12


def test_errors_are_listed_and_downloadable(client, staff, area):
    # given
    client.force_login(staff)
    rows = rf.clean_rows()
    rows[0]["身份证号码"] = "4.30302E+17"

    # when
    response = upload(client, rf.workbook(rows))

    # then
    page = client.get(response.url).content.decode()
    assert "校验发现 1 处错误,没有导入任何数据。" in page
    assert "身份证号被 Excel 存成了数字" in page
    batch = ImportBatch.objects.get()
    sheet = client.get(reverse("archives:import_errors", kwargs={"batch_id": batch.pk}))
    assert sheet["Content-Type"] == XLSX
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(b"".join(sheet.streaming_content))).active
    assert [c.value for c in ws[3]] == [
        "花名册",
        4,
        "身份证号码",
        "身份证号被 Excel 存成了数字,末几位已丢失(显示为 4.30302E+17)。"
        "请将该列设为“文本”格式后重新录入。",
    ]


def test_batch_of_another_user_is_not_found(client, staff, network, area):
    from bangfu.accounts.roles import Role
    from bangfu.accounts.tests.factories import make_user

    client.force_login(staff)
    upload(client, rf.workbook(rf.clean_rows()))
    batch = ImportBatch.objects.get()
    other = make_user((Role.STAFF, network.township), username="staff2")
    client.force_login(other)
    url = reverse("archives:import_batch", kwargs={"batch_id": batch.pk})
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("archives:import_confirm", kwargs={"batch_id": batch.pk}),
            {"mode": "historical"},
        ).status_code
        == 404
    )
    assert Household.objects.count() == 0


def run_worker() -> None:
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
def test_large_file_is_checked_and_imported_by_background_jobs(client, staff, area, settings):
    # given
    settings.BANGFU_IMPORT_INLINE_ROWS = 10
    client.force_login(staff)

    # when: uploaded
    response = upload(client, rf.workbook(rf.clean_rows()))
    batch = ImportBatch.objects.get()
    assert response.url == reverse("workbench:job_detail", kwargs={"job_id": batch.check_job_id})
    run_worker()

    # then
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY
    assert batch.check_job is not None
    assert (
        batch.check_job.message == "校验通过:将新建 12 户 16 名成员,已存在跳过 0 户。请确认导入。"
    )
    assert batch.check_job.result["url"] == reverse(
        "archives:import_batch", kwargs={"batch_id": batch.pk}
    )

    # when: confirmed
    response = client.post(
        reverse("archives:import_confirm", kwargs={"batch_id": batch.pk}), {"mode": "historical"}
    )
    run_worker()

    # then
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert batch.import_job is not None
    assert batch.import_job.status == Job.Status.SUCCEEDED
    assert batch.import_job.message == "已导入 12 户 16 名成员;已存在跳过 0 户。"
    assert not batch.has_content
    assert Household.objects.count() == 12
