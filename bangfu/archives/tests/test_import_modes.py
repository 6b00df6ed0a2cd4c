"""Historical vs new (issue 11 "Real rosters" #3): the user says what an import is before
confirming — 已审批的原有档案 (在档, "资料待补全" listed per household, a due item to complete
them) or 新申请 (each enters the filing procedure at 入户调查)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.archives.due import imported_incomplete
from bangfu.archives.models import Household, ImportBatch, ImportedArchive
from bangfu.archives.services import importing
from bangfu.archives.services.procedure import case_of
from bangfu.archives.tests.factories import make_area, make_standards
from bangfu.core.errors import Conflict
from bangfu.core.models import AuditEvent

from . import roster_files as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(network):
    area = make_area()
    make_standards(area)
    return area


def checked(user) -> ImportBatch:
    batch, table = importing.import_upload(
        user=user, content=rf.workbook(rf.clean_rows()), source_name="花名册.xlsx"
    )
    importing.import_check(user=user, batch=batch, table=table)
    assert batch.status == ImportBatch.Status.READY
    return batch


def test_historical_archives_are_active_with_what_is_missing_listed_and_due(staff, area):
    # given
    batch = checked(staff)

    # when
    importing.import_confirm(user=staff, batch=batch, mode="historical")
    importing.import_write(user=staff, batch=batch)

    # then
    batch.refresh_from_db()
    assert (batch.status, batch.mode) == (ImportBatch.Status.IMPORTED, "historical")
    assert set(Household.objects.values_list("status", flat=True)) == {"active"}
    zhang = ImportedArchive.objects.get(household__name="张三")
    assert (zhang.mode, zhang.batch_id, zhang.source_name) == (
        "historical",
        batch.pk,
        "花名册.xlsx",
    )
    assert "所属行业" in zhang.missing and "民族" not in zhang.missing
    assert zhang.missing[:3] == ["劳模类型", "是否工会会员", "手机"]
    assert not [m for m in zhang.missing if m.startswith("李梅")]  # her row gives them all
    assert zhang.incomplete
    due = list(imported_incomplete(staff))
    assert len(due) == 12
    assert any(item.title.startswith("补全导入档案资料:") and "张三" in item.title for item in due)
    assert due[0].rule == "导入原有档案后 30 日内补全国家表资料"


def test_new_applications_enter_the_procedure_at_the_home_visit(staff, area):
    # given
    batch = checked(staff)

    # when
    importing.import_confirm(user=staff, batch=batch, mode="new")
    importing.import_write(user=staff, batch=batch)

    # then
    households = list(Household.objects.all())
    assert {h.status for h in households} == {"applied"}
    assert {getattr(case_of(h), "step", None) for h in households} == {"visit"}
    assert {(r.mode, tuple(r.missing)) for r in ImportedArchive.objects.all()} == {("new", ())}
    assert list(imported_incomplete(staff)) == []


def test_confirming_without_saying_what_the_import_is_changes_nothing(client, staff, area):
    # given
    batch = checked(staff)
    client.force_login(staff)

    # when
    response = client.post(reverse("archives:import_confirm", kwargs={"batch_id": batch.pk}))

    # then
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.mode) == (ImportBatch.Status.READY, "")
    assert Household.objects.count() == 0
    page = client.get(reverse("archives:import_batch", kwargs={"batch_id": batch.pk}))
    assert "请选择导入的是哪一种数据。" in page.content.decode()
    assert 'data-testid="mode-historical"' in page.content.decode()


def test_the_archive_page_shows_how_it_came_in_and_completing_it_is_recorded(client, staff, area):
    # given
    batch = checked(staff)
    importing.import_confirm(user=staff, batch=batch, mode="historical")
    importing.import_write(user=staff, batch=batch)
    household = Household.objects.get(name="张三")
    client.force_login(staff)
    url = reverse("archives:household_detail", kwargs={"pk": household.pk})

    # when
    page = client.get(url).content.decode()

    # then
    assert 'data-testid="imported-missing"' in page
    assert "已审批的原有档案" in page and "资料待补全" in page

    # when
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("archives:household_import_complete", kwargs={"pk": household.pk})
    )

    # then
    assert response.url == url
    record = ImportedArchive.objects.get(household=household)
    assert (record.completed_by, record.incomplete) == (staff, False)
    event = AuditEvent.objects.order_by("-id")[0]
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "archives.household.import_complete"
    assert len(list(imported_incomplete(staff))) == 11

    # when: a second time
    with pytest.raises(Conflict):
        importing.imported_archive_complete(actor=staff, household=household)

    # then
    assert AuditEvent.objects.count() == before + 1


def test_completing_an_archive_outside_the_scope_is_not_found(client, staff, liaison_b, area):
    batch = checked(staff)
    importing.import_confirm(user=staff, batch=batch, mode="historical")
    importing.import_write(user=staff, batch=batch)
    household = Household.objects.get(name="张三")  # 响水社区帮扶站
    client.force_login(liaison_b)
    response = client.post(
        reverse("archives:household_import_complete", kwargs={"pk": household.pk})
    )
    assert response.status_code == 404
    assert ImportedArchive.objects.get(household=household).completed_at is None
