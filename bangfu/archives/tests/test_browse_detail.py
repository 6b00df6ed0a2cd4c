"""The archive detail page: fields grouped like the 档案表, masked; members; panels; history."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household
from bangfu.archives.models import choices as c
from bangfu.archives.panels.history import PANEL_LIMIT
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.audit import audit_record, diff
from bangfu.core.masking import mask_id_number
from bangfu.core.models import AccessLog


@pytest.fixture
def household(network, staff):
    h = make_household(
        network.station_a,
        filed_by=staff,
        name="张三",
        id_number=make_id_number(seq=11),
        mobile="13812345678",
        bank_name="中国工商银行",
        bank_card="6222020200112233445",
        secondary_causes=[c.HardshipCause.SERIOUS_ILLNESS],
        opinions=[{"level": "响水社区帮扶站", "opinion": "情况属实", "date": "2026-03-05"}],
    )
    make_member(h, id_number=make_id_number(date(1977, 3, 2), sex="F", seq=12), name="李四")
    return h


def url(h):
    return reverse("archives:household_detail", args=[h.pk])


def test_the_page_groups_fields_with_chinese_labels_all_masked(client, household, staff):
    # given
    client.force_login(staff)
    member = household.members.get()

    # when
    body = client.get(url(household)).content.decode()

    # then
    for label in ("职工基本情况", "工作情况", "家庭情况", "收入与支出", "致困原因与困难类别"):
        assert label in body
    assert mask_id_number(household.id_number) in body
    assert mask_id_number(member.id_number) in body
    assert "138****5678" in body
    assert "***************3445" in body
    for secret in (household.id_number, member.id_number, "13812345678", "6222020200112233445"):
        assert secret not in body
    assert "6 重特大疾病" in body
    assert "情况属实" in body
    assert "李四" in body


def test_the_reveal_button_shows_only_with_the_permission(client, household, staff, liaison_a):
    reveal = reverse("archives:household_reveal", args=[household.pk])

    client.force_login(staff)
    assert reveal in client.get(url(household)).content.decode()

    client.force_login(liaison_a)
    response = client.get(url(household))
    assert response.status_code == 200
    assert reveal not in response.content.decode()


def test_viewing_the_masked_page_is_logged_as_a_masked_view(client, household, staff):
    client.force_login(staff)

    client.get(url(household))

    assert list(AccessLog.objects.values_list("fields", flat=True)) == ["masked"]


def test_outside_scope_is_404_like_a_missing_archive(client, household, liaison_b, network):
    client.force_login(liaison_b)
    assert client.get(url(household)).status_code == 404
    assert client.get(reverse("archives:household_detail", args=[999999])).status_code == 404
    assert client.get(reverse("archives:household_history", args=[household.pk])).status_code == 404

    other = make_user((Role.STAFF, network.other_township))
    client.force_login(other)
    assert client.get(url(household)).status_code == 404


def _record(household, staff, n):
    with transaction.atomic():
        audit_record(
            actor=staff,
            action="archives.household_update",
            obj=household,
            summary=f"修改档案 {n}",
            changes=diff(
                {"address": f"旧地址{n}", "id_number": "430302197506150011"},
                {"address": f"新地址{n}", "id_number": "430302197506150029"},
                masked={"id_number": mask_id_number},
            ),
        )


def test_the_history_panel_shows_who_when_what_newest_first(client, household, staff):
    # given
    client.force_login(staff)
    _record(household, staff, 1)
    _record(household, staff, 2)
    member = household.members.get()
    with transaction.atomic():
        audit_record(actor=staff, action="archives.member_update", obj=member, summary="修改成员")
    other = make_household(
        household.unit, filed_by=staff, name="外人", id_number=make_id_number(seq=13)
    )
    _record(other, staff, 99)

    # when
    body = client.get(url(household)).content.decode()

    # then
    assert body.index("修改成员") < body.index("修改档案 2") < body.index("修改档案 1")
    assert "家庭住址" in body and "旧地址2 → 新地址2" in body
    assert "430302********0011 → 430302********0029" in body
    assert "郭相妍" in body
    assert "修改档案 99" not in body
    assert 'data-testid="history-more"' not in body


def test_the_history_panel_is_capped_with_a_link_to_all(client, household, staff):
    # given
    client.force_login(staff)
    for n in range(PANEL_LIMIT + 2):
        _record(household, staff, n)

    # when
    body = client.get(url(household)).content.decode()
    full = client.get(reverse("archives:household_history", args=[household.pk]))

    # then
    assert body.count("修改档案 ") == PANEL_LIMIT
    assert 'data-testid="history-more"' in body
    assert full.content.decode().count("修改档案 ") == PANEL_LIMIT + 2


def test_the_edit_link_appears_only_when_the_filing_page_exists(client, household, staff):
    from django.urls import NoReverseMatch

    client.force_login(staff)
    body = client.get(url(household)).content.decode()
    try:
        edit = reverse("archives:household_update", kwargs={"pk": household.pk})
    except NoReverseMatch:
        assert 'data-testid="household-edit"' not in body
    else:
        assert edit in body


def test_a_closed_archive_shows_its_closing(client, household, staff):
    Household.objects.filter(pk=household.pk).update(
        status=Household.Status.CLOSED,
        closed_on=date(2026, 4, 1),
        close_reason=Household.CloseReason.RECOVERED,
        close_note="收入稳定",
    )
    client.force_login(staff)

    body = client.get(url(household)).content.decode()

    assert "已撤档" in body and "脱困" in body and "收入稳定" in body


def test_history_shows_choice_codes_as_words(client, household, staff):
    client.force_login(staff)
    with transaction.atomic():
        audit_record(
            actor=staff,
            action="archives.household_approve",
            obj=household,
            summary="批准建档",
            changes={"status": ["pending_approval", "active"]},
        )

    body = client.get(url(household)).content.decode()

    assert "状态" in body and "待审批 → 在档" in body


def test_the_archive_is_read_with_its_units_and_its_three_users_in_two_queries(
    household, staff, network
):
    """The users the page names come by one query after the archive, not joined into it (a
    7-table join cost PostgreSQL 2 ms of planning a page); each is the right one, or none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bangfu.archives.selectors import browse

    checker = make_user((Role.STAFF, network.station_a), username="checker", full_name="审核人甲")
    Household.objects.filter(pk=household.pk).update(checked_by=checker, entered_by=None)
    staff.refresh_from_db()

    with CaptureQueriesContext(connection) as captured:
        found = browse.household_detail(user=staff, household_id=household.pk)
        names = (found.filed_by, found.checked_by, found.entered_by, found.unit.name)

    archive_sql = next(q["sql"] for q in captured if "archives_household" in q["sql"])
    assert "accounts_user" not in archive_sql
    assert "ORDER BY" not in archive_sql
    assert len([q for q in captured if q["sql"].startswith('SELECT "accounts_user"')]) == 1
    assert names[0] == staff
    assert names[1] == checker
    assert names[2] is None
    assert names[3] == network.station_a.name
