"""The column-mapping page (issue 11 "Real rosters" #1, #2): an outside roster's columns and
words mapped once, saved for the centre, offered again for the same headers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.archives.models import Household, ImportBatch
from bangfu.archives.tests.factories import make_area, make_standards
from bangfu.core.models import AuditEvent
from bangfu.kits.imports.models import ColumnMapping

from . import roster_files as rf
from .outside_roster import healthy_rows, offered_mapping, outside_roster

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def area(network):
    area = make_area()
    make_standards(area)
    return area


def upload(client, content: bytes):
    return client.post(
        reverse("archives:import_upload"),
        {"file": SimpleUploadedFile("外乡名单.xlsx", content, XLSX)},
    )


def letters_of(page) -> dict[str, str]:
    """{header title: column letter} from the mapping page's context."""
    return {title: letter for letter, title, _key, _samples in page.context["columns"]}


def test_an_outside_roster_goes_to_the_mapping_page_listing_what_matched_nothing(
    client, staff, area
):
    # given
    client.force_login(staff)

    # when
    response = upload(client, outside_roster())

    # then
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.MAPPING
    assert response.url == reverse("archives:import_mapping", kwargs={"batch_id": batch.pk})
    page = client.get(response.url)
    assert page.status_code == 200
    # a layout seen for the first time: no "上次保存的对应关系" is claimed
    assert page.context["saved"] is False
    assert 'data-testid="mapping-saved"' not in page.content.decode()
    assert page.context["ignored"] == ["序号", "家庭角色", "身体状况", "帮扶站点"]
    assert page.context["missing"] == ["与户主关系"]
    columns = {title: key for _letter, title, key, _samples in page.context["columns"]}
    assert (columns["姓名"], columns["序号"], columns["家庭角色"]) == ("name", "", "")
    samples = {title: s for _letter, title, _key, s in page.context["columns"]}
    assert samples["家庭角色"] == ["户主", "妻子", "女儿"]
    assert page.context["unmatched"] == []  # 身体状况 is not mapped yet
    assert [row[0] for row in page.context["preview"]] == [2, 3, 4, 6, 7]  # 5 is blank
    assert Household.objects.count() == 0


def test_mapping_columns_and_words_checks_the_file_cleanly_and_saves_the_mapping(
    client, staff, area
):
    # given: the mapping page, with 家庭角色, 身体状况 and 帮扶站点 mapped (previewed)
    client.force_login(staff)
    url = upload(client, outside_roster()).url
    page = client.get(url)
    letters = letters_of(page)
    columns = {
        f"col-{letters['家庭角色']}": "relation",
        f"col-{letters['身体状况']}": "health",
        f"col-{letters['帮扶站点']}": "unit",
    }
    preview = client.post(url, offered_mapping(page, action="preview", **columns))
    assert preview.status_code == 200
    unmatched = [(v.column, v.value, v.rows) for _n, v, _c in preview.context["unmatched"]]
    assert unmatched == [("身体状况", "身体好", healthy_rows())]
    assert (preview.context["ignored"], preview.context["dropped"]) == ([], ["序号"])
    assert ImportBatch.objects.get().status == ImportBatch.Status.MAPPING  # nothing saved
    assert ColumnMapping.objects.count() == 0

    # when: 身体好 is 健康 (序号 stays 不导入), and the user saves and checks
    data = offered_mapping(preview, action="check", **columns)
    data["val-0"] = "健康"
    response = client.post(url, data)

    # then
    batch = ImportBatch.objects.get()
    assert response.url == reverse("archives:import_batch", kwargs={"batch_id": batch.pk})
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts["households_new"] == 12
    saved = ColumnMapping.objects.get()
    assert (saved.unit_id, saved.kind) == (staff.unit_id, "archives.roster")
    assert saved.columns["家庭角色"] == "relation"
    assert saved.columns["序号"] == ""
    assert saved.values == {"health": {"身体好": "健康"}}

    # when: confirmed
    client.post(
        reverse("archives:import_confirm", kwargs={"batch_id": batch.pk}), {"mode": "historical"}
    )

    # then
    assert Household.objects.count() == 12
    assert Household.objects.get(name="张三").health == "healthy"

    # when: the same layout uploaded again
    again = upload(client, outside_roster())

    # then: the saved mapping is used, no mapping page: every household exists already
    second = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert again.url == reverse("archives:import_batch", kwargs={"batch_id": second.pk})
    assert second.status == ImportBatch.Status.NOTHING, second.errors
    assert second.counts["households_existing"] == 12


def test_a_field_mapped_to_two_columns_is_refused_and_nothing_is_saved(client, staff, area):
    # given
    client.force_login(staff)
    url = upload(client, outside_roster()).url
    page = client.get(url)
    letters = letters_of(page)
    before = AuditEvent.objects.count()

    # when
    response = client.post(
        url, offered_mapping(page, action="check", **{f"col-{letters['序号']}": "name"})
    )

    # then
    assert response.status_code == 400
    assert response.context["problems"] == ["“姓名”对应了两列(“序号”和“姓名”),请只保留一列。"]
    assert ImportBatch.objects.get().status == ImportBatch.Status.MAPPING
    assert (ColumnMapping.objects.count(), AuditEvent.objects.count()) == (0, before)


def test_a_field_or_a_choice_not_the_importers_is_refused(client, staff, area):
    # given
    client.force_login(staff)
    url = upload(client, outside_roster()).url
    page = client.get(url)
    letters = letters_of(page)

    # when
    response = client.post(
        url,
        offered_mapping(
            page,
            action="check",
            **{f"col-{letters['序号']}": "password"},
            values="1",
            **{"valkey-0": "health", "valcmp-0": "身体好", "val-0": "长生不老"},
        ),
    )

    # then
    assert response.status_code == 400
    assert response.context["problems"] == ["“序号”列的对应字段无效。", "“身体好”的对应取值无效。"]
    assert ColumnMapping.objects.count() == 0


def test_the_template_file_needs_no_mapping(client, staff, area):
    client.force_login(staff)
    response = upload(client, rf.workbook(rf.clean_rows()))
    batch = ImportBatch.objects.get()
    assert response.url == reverse("archives:import_batch", kwargs={"batch_id": batch.pk})
    assert batch.status == ImportBatch.Status.READY


def test_the_mapping_page_of_a_checked_batch_leads_to_its_result(client, staff, area):
    client.force_login(staff)
    upload(client, rf.workbook(rf.clean_rows()))
    batch = ImportBatch.objects.get()
    response = client.get(reverse("archives:import_mapping", kwargs={"batch_id": batch.pk}))
    assert response.url == reverse("archives:import_batch", kwargs={"batch_id": batch.pk})


def test_another_users_mapping_page_is_not_found(client, staff, liaison_a, area):
    client.force_login(staff)
    url = upload(client, outside_roster()).url
    client.force_login(liaison_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "check"}).status_code == 404
    assert ImportBatch.objects.get().status == ImportBatch.Status.MAPPING


def test_the_mapping_page_masks_numbers_and_lists_no_number_as_a_word(client, staff, area):
    # given: a mobile in the 家庭住址 column and in 性别 (a choice column)
    rows = rf.clean_rows()
    rows[0] = {**rows[0], "家庭住址": "13812345678", "性别": "13812345678"}
    client.force_login(staff)

    # when
    response = upload(client, outside_roster(rows))
    page = client.get(response.url)

    # then
    html = page.content.decode()
    assert "13812345678" not in html
    assert "138****5678" in html
    assert [v.key for _n, v, _c in page.context["unmatched"]] == []
