"""The audit log and access log pages: read-only, filtered, paginated, for the right roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from bangfu.accounts.audit_actions import AccountsAction
from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.audit_actions import ArchivesAction
from bangfu.core.access import access_log_record
from bangfu.core.audit import audit_record, diff
from bangfu.core.masking import mask_phone
from bangfu.core.models import AccessLog, AuditEvent
from bangfu.core.tests.tamper import tamper_sql


def at(moment: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make "now" a fixed moment for what is written next."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def record(actor: Any, action: str, **fields: Any) -> AuditEvent:
    with transaction.atomic():
        return audit_record(actor=actor, action=action, **fields)


def rows(response: Any) -> list[str]:
    """Return the sequence numbers listed on an audit list page, leaving out the log-in event
    that logging the test client in writes."""
    return [
        str(event.seq)
        for event in response.context["page"].object_list
        if event.action != AccountsAction.USER_LOGIN
    ]


@pytest.fixture
def events(network, sysadmin, security_admin, monkeypatch):
    """Four events over two days (times in UTC; Shanghai is 8 hours ahead)."""
    at(datetime(2026, 3, 1, 2, 0, tzinfo=UTC), monkeypatch)  # 03-01 10:00 Shanghai
    first = record(sysadmin, "network.unit.create", obj=network.station_a, summary="新建站点")
    at(datetime(2026, 3, 1, 15, 59, tzinfo=UTC), monkeypatch)  # 03-01 23:59 Shanghai
    second = record(
        sysadmin,
        "network.unit.update",
        obj=network.station_a,
        summary="修改电话",
        changes=diff(
            {"phone": "13800001111"}, {"phone": "13900002222"}, masked={"phone": mask_phone}
        ),
    )
    at(datetime(2026, 3, 1, 16, 30, tzinfo=UTC), monkeypatch)  # 03-02 00:30 Shanghai
    third = record(security_admin, "accounts.role.assign", obj=sysadmin, summary="授予角色")
    at(datetime(2026, 3, 2, 3, 0, tzinfo=UTC), monkeypatch)  # 03-02 11:00 Shanghai
    fourth = record(None, "accounts.user.unlock", obj=sysadmin, summary="解除锁定")
    monkeypatch.undo()
    return [first, second, third, fourth]


# --- Who may see the pages --------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_log_is_refused_to_every_role_but_the_auditor(
    client, events, sysadmin, security_admin, leader, staff, liaison_a
):
    for user in (sysadmin, security_admin, leader, staff, liaison_a):
        # given
        client.force_login(user)

        # when
        listing = client.get(reverse("workbench:audit_list"))
        detail = client.get(reverse("workbench:audit_detail", kwargs={"seq": 1}))

        # then
        assert (listing.status_code, detail.status_code) == (403, 403), user.username


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client, events):
    response = client.get(reverse("workbench:audit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_audit_pages_accept_no_writes(client, auditor, events):
    # given
    client.force_login(auditor)
    count = AuditEvent.objects.count()

    # when
    listing = client.post(reverse("workbench:audit_list"), {"summary": "改"})
    detail = client.post(reverse("workbench:audit_detail", kwargs={"seq": 1}), {"summary": "改"})

    # then
    assert (listing.status_code, detail.status_code) == (405, 405)
    assert AuditEvent.objects.get(seq=1).summary == "新建站点"
    assert AuditEvent.objects.count() == count


# --- The list ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_auditor_sees_every_event_newest_first_in_shanghai_time(client, auditor, events):
    # given
    client.force_login(auditor)

    # when
    response = client.get(reverse("workbench:audit_list"))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(response) == ["4", "3", "2", "1"]
    assert "2026-03-02 11:00:00" in html
    assert "2026-03-01 10:00:00" in html
    assert '<td class="text-nowrap">修改组织单位</td>' in html
    assert ">network.unit.update<" not in html  # words, never codes (codes only in values)
    assert "修改电话" in html
    assert "响水社区帮扶站" in html
    assert 'data-testid="audit-verify"' in html
    assert "校验审计链" in html


@pytest.mark.django_db
def test_auditor_sees_events_of_every_unit_not_only_their_own(client, network, events):
    # given: an auditor held at a township still sees the whole trail (the trail is
    # installation-wide; the role is meant to be held at the top unit)
    township_auditor = make_user((Role.AUDITOR, network.other_township), username="aud2")
    client.force_login(township_auditor)

    # when
    response = client.get(reverse("workbench:audit_list"))

    # then
    assert rows(response) == ["4", "3", "2", "1"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "管理员"}, ["2", "1"]),
        ({"actor": "security"}, ["3"]),
        ({"actor": "系统"}, ["4"]),
        ({"action": "network.unit.update"}, ["2"]),
        ({"action": "accounts.*"}, ["4", "3"]),
        ({"action": "network.*"}, ["2", "1"]),
        ({"object_type": "accounts.user"}, ["4", "3"]),
        ({"date_from": "2026-03-02"}, ["4", "3"]),
        ({"date_to": "2026-03-01"}, ["2", "1"]),
        ({"date_from": "2026-03-01", "date_to": "2026-03-01"}, ["2", "1"]),
        ({"action": "network.*", "date_from": "2026-03-02"}, []),
    ],
)
def test_audit_list_filters(client, auditor, events, params, expected):
    # given
    client.force_login(auditor)

    # when
    response = client.get(reverse("workbench:audit_list"), params)

    # then
    assert response.status_code == 200
    assert rows(response) == expected


@pytest.mark.django_db
def test_audit_list_filters_by_object_id(client, auditor, events, network):
    # given
    client.force_login(auditor)

    # when
    response = client.get(
        reverse("workbench:audit_list"),
        {"object_type": "network.orgunit", "object_id": str(network.station_a.pk)},
    )

    # then
    assert rows(response) == ["2", "1"]


@pytest.mark.django_db
def test_audit_filter_offers_modules_and_actions_with_chinese_object_types(client, auditor, events):
    # given
    client.force_login(auditor)

    # when
    form = client.get(reverse("workbench:audit_list")).context["form"]

    # then: a group per context, by its Chinese name; actions by theirs
    assert form.fields["action"].choices == [
        ("", "全部"),
        (
            "账号与角色",
            [
                ("accounts.*", "全部账号与角色操作"),
                ("accounts.role.assign", "授予角色"),
                ("accounts.user.login", "登录"),
                ("accounts.user.unlock", "解除登录锁定"),
            ],
        ),
        (
            "帮扶网络",
            [
                ("network.*", "全部帮扶网络操作"),
                ("network.unit.create", "新建组织单位"),
                ("network.unit.update", "修改组织单位"),
            ],
        ),
    ]
    assert list(form.fields["object_type"].choices) == [
        ("", "全部"),
        ("accounts.user", "用户(accounts.user)"),
        ("network.orgunit", "组织单位(network.orgunit)"),
    ]


@pytest.fixture
def old_events(network, staff, monkeypatch):
    """Events written before the actions were renamed, and one after."""
    at(datetime(2026, 3, 3, 2, 0, tzinfo=UTC), monkeypatch)
    old_close = record(staff, "archives.close", obj=network.station_a, summary="撤档:脱困")
    old_bootstrap = record(None, "system.bootstrap", obj=network.township, summary="系统初始化")
    old_end = record(None, "notices.notice_end", obj=network.township, summary="公示期满")
    new_close = record(
        staff, ArchivesAction.HOUSEHOLD_CLOSE, obj=network.station_b, summary="撤档:死亡"
    )
    monkeypatch.undo()
    return old_close, old_bootstrap, old_end, new_close


@pytest.mark.django_db
def test_events_written_under_the_old_names_are_shown_and_found_by_the_new_ones(
    client, auditor, old_events
):
    # given
    old_close, old_bootstrap, old_end, new_close = old_events
    client.force_login(auditor)

    # when
    listing = client.get(reverse("workbench:audit_list"))
    by_action = client.get(reverse("workbench:audit_list"), {"action": "archives.household.close"})
    by_old_name = client.get(reverse("workbench:audit_list"), {"action": "archives.close"})
    by_context = client.get(reverse("workbench:audit_list"), {"action": "accounts.*"})
    detail = client.get(reverse("workbench:audit_detail", kwargs={"seq": old_end.seq}))

    # then
    html = listing.content.decode()
    for code in ("archives.close", "system.bootstrap", "notices.notice_end"):
        assert code not in html  # not even as a filter value: those are the present names
    assert html.count('<td class="text-nowrap">撤档</td>') == 2
    assert '<td class="text-nowrap">系统初始化</td>' in html
    assert rows(by_action) == [str(new_close.seq), str(old_close.seq)]
    assert rows(by_old_name) == [str(new_close.seq), str(old_close.seq)]
    assert rows(by_context) == [str(old_bootstrap.seq)]
    assert (
        '<dd class="col-sm-9" data-testid="audit-action">公示期满</dd>' in detail.content.decode()
    )
    groups = dict(listing.context["form"].fields["action"].choices[1:])
    assert groups["困难职工档案"] == [
        ("archives.*", "全部困难职工档案操作"),
        ("archives.household.close", "撤档"),
    ]
    assert ("notices.notice.end", "公示期满") in groups["公示"]


@pytest.mark.django_db
def test_the_changes_of_an_event_read_as_words(client, auditor, network, staff):
    # given: an archive's rule version and status written as codes
    from bangfu.archives.tests.factories import make_household

    household = make_household(network.station_a, filed_by=staff)
    event = record(
        staff,
        ArchivesAction.HOUSEHOLD_UPDATE,
        obj=household,
        changes={"rule_version": ["acftu-2012", "acftu-2021"], "status": ["draft", "applied"]},
    )
    client.force_login(auditor)

    # when
    page = client.get(reverse("workbench:audit_detail", kwargs={"seq": event.seq}))

    # then
    changes = {c["field"]: (c["before"], c["after"]) for c in page.context["changes"]}
    assert changes == {
        "rule_version": (
            "2012 年困难职工分类(享受低保 / 低保线以上 / 未享受低保)",
            "全总 2021 年起困难职工认定办法(深度困难 / 相对困难 / 意外致困)",
        ),
        "status": ("草稿", "待入户调查"),
    }
    assert "acftu-20" not in page.content.decode()


@pytest.mark.django_db
def test_reversed_date_range_names_the_field_keeps_the_input_and_lists_nothing(
    client, auditor, events
):
    # given
    client.force_login(auditor)

    # when
    response = client.get(
        reverse("workbench:audit_list"),
        {"actor": "管理员", "date_from": "2026-03-02", "date_to": "2026-03-01"},
    )

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["page"] is None
    assert response.context["form"].errors == {"date_to": ["截止日期不能早于起始日期。"]}
    assert "截止日期不能早于起始日期。" in html
    assert 'value="管理员"' in html
    assert 'value="2026-03-02"' in html


@pytest.mark.django_db
def test_bad_date_is_named(client, auditor, events):
    # given
    client.force_login(auditor)

    # when
    response = client.get(reverse("workbench:audit_list"), {"date_from": "2026-13-40"})

    # then
    assert response.context["page"] is None
    assert list(response.context["form"].errors) == ["date_from"]


@pytest.mark.django_db
def test_audit_list_is_paginated_and_keeps_the_filter(client, auditor):
    # given
    with transaction.atomic():
        for number in range(1, 53):
            audit_record(actor=None, action="test.bulk", summary=f"第{number}条")
    client.force_login(auditor)

    # when
    first = client.get(reverse("workbench:audit_list"), {"action": "test.bulk"})
    second = client.get(reverse("workbench:audit_list"), {"action": "test.bulk", "page": 2})

    # then
    assert len(rows(first)) == 50
    assert rows(first)[0] == "52"
    assert rows(second) == ["2", "1"]
    assert "action=test.bulk&amp;page=2" in first.content.decode()
    assert "共 52 条" in first.content.decode()


# --- The detail -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_detail_shows_changes_with_field_names_and_the_hashes(client, auditor, events):
    # given
    client.force_login(auditor)
    event = events[1]

    # when
    response = client.get(reverse("workbench:audit_detail", kwargs={"seq": 2}))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["changes"] == [
        {"field": "phone", "label": "电话", "before": "138****1111", "after": "139****2222"}
    ]
    assert "13800001111" not in html
    assert "2026-03-01 23:59:00" in html
    assert "管理员" in html
    assert event.hash in html
    assert event.prev_hash in html
    assert "与哈希一致" in html
    assert 'href="/audit/1/"' in html
    assert 'href="/audit/3/"' in html


@pytest.mark.django_db
def test_audit_detail_of_a_tampered_event_says_so(client, auditor, events):
    # given
    tamper_sql(f"UPDATE {AuditEvent._meta.db_table} SET summary = %s WHERE seq = %s", ["篡改", 2])
    client.force_login(auditor)

    # when
    response = client.get(reverse("workbench:audit_detail", kwargs={"seq": 2}))

    # then
    assert "与哈希不符:该事件已被改动" in response.content.decode()


@pytest.mark.django_db
def test_audit_detail_of_a_missing_event_is_404(client, auditor, events):
    client.force_login(auditor)
    assert client.get(reverse("workbench:audit_detail", kwargs={"seq": 99})).status_code == 404


# --- The access log ---------------------------------------------------------------------------


@pytest.fixture
def accesses(network, staff, liaison_a, monkeypatch):
    other = make_user((Role.STAFF, network.other_township), username="other", full_name="赵其他")
    no_unit = make_user(username="nounit", full_name="无单位")
    at(datetime(2026, 3, 1, 2, 0, tzinfo=UTC), monkeypatch)
    first = access_log_record(user=staff, obj=liaison_a, fields=["phone"], purpose="联系回访")
    at(datetime(2026, 3, 1, 17, 0, tzinfo=UTC), monkeypatch)  # 03-02 01:00 Shanghai
    second = access_log_record(
        user=liaison_a, obj=network.station_a, fields=["id_number"], purpose="核对身份"
    )
    third = access_log_record(
        user=other, obj=network.other_township, fields=["phone"], purpose="外乡"
    )
    fourth = access_log_record(user=no_unit, obj=staff, fields=["phone"], purpose="无单位")
    monkeypatch.undo()
    return [first, second, third, fourth]


def log_rows(response: Any) -> list[str]:
    return [entry.purpose for entry in response.context["page"].object_list]


@pytest.mark.django_db
def test_access_log_is_refused_to_business_roles(client, accesses, sysadmin, staff, liaison_a):
    for user in (sysadmin, staff, liaison_a):
        client.force_login(user)
        assert client.get(reverse("workbench:access_log")).status_code == 403, user.username


@pytest.mark.django_db
def test_auditor_at_the_top_unit_sees_every_access(client, auditor, accesses):
    # given
    client.force_login(auditor)

    # when
    response = client.get(reverse("workbench:access_log"))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert log_rows(response) == ["无单位", "外乡", "核对身份", "联系回访"]
    assert "2026-03-01 10:00:00" in html
    assert "id_number" in html


@pytest.mark.django_db
def test_security_admin_sees_accesses_by_users_of_their_units_only(
    client, security_admin, accesses
):
    # given: the security administrator holds the role at the 响水乡 centre
    client.force_login(security_admin)

    # when
    response = client.get(reverse("workbench:access_log"))

    # then
    assert log_rows(response) == ["核对身份", "联系回访"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "郭相妍"}, ["联系回访"]),
        ({"user": "liaison"}, ["核对身份"]),
        ({"object_type": "network.orgunit"}, ["外乡", "核对身份"]),
        ({"date_from": "2026-03-02"}, ["无单位", "外乡", "核对身份"]),
        ({"date_to": "2026-03-01"}, ["联系回访"]),
    ],
)
def test_access_log_filters(client, auditor, accesses, params, expected):
    # given
    client.force_login(auditor)

    # when
    response = client.get(reverse("workbench:access_log"), params)

    # then
    assert log_rows(response) == expected


@pytest.mark.django_db
def test_access_log_filters_by_object_id(client, auditor, accesses, network):
    # given
    client.force_login(auditor)

    # when
    response = client.get(
        reverse("workbench:access_log"),
        {"object_type": "network.orgunit", "object_id": str(network.station_a.pk)},
    )

    # then
    assert log_rows(response) == ["核对身份"]


@pytest.mark.django_db
def test_access_log_entries_cannot_be_changed_or_deleted(accesses):
    # given
    entry = accesses[0]

    # when / then
    from bangfu.core.models import ImmutableError

    entry.purpose = "改"
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    with pytest.raises(ImmutableError):
        AccessLog.objects.all().delete()
    with pytest.raises(ImmutableError):
        AccessLog.objects.update(purpose="改")
    assert AccessLog.objects.get(pk=entry.pk).purpose == "联系回访"
    assert AccessLog.objects.count() == 4
