"""The holiday table: its services (one audit event per write, refusals change nothing) and the
system admin's pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bangfu.core.errors import NotFound, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent, CalendarDay
from bangfu.core.workdays import add_working_days, calendar_known
from bangfu.workbench import services

pytestmark = pytest.mark.django_db


def _state():
    """What a refused action must leave exactly as it was."""
    return (
        list(CalendarDay.objects.order_by("date").values_list("date", "is_workday", "name")),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def as_admin(client, sysadmin):
    client.force_login(sysadmin)
    return client


# Services ------------------------------------------------------------------------------------


def test_set_a_day_writes_the_row_and_one_audit_event(sysadmin):
    audits = AuditEvent.objects.count()

    row = services.calendar_day_set(
        actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name=" 元旦 "
    )

    row.refresh_from_db()
    assert (row.date, row.is_workday, row.name, row.created_by) == (
        date(2027, 1, 1),
        False,
        "元旦",
        sysadmin,
    )
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type, event.object_id) == (
        "workbench.calendar_day.create",
        "core.calendarday",
        str(row.pk),
    )
    assert event.changes == {
        "date": [None, "2027-01-01"],
        "is_workday": [None, False],
        "name": [None, "元旦"],
    }


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"name": "  "}, "name", "请填写名称,如“春节”或“国庆节调休上班”。"),
        ({"name": "节" * 51}, "name", "名称不能超过 50 个字。"),
        ({"day": None}, "day", "请填写日期。"),
        ({"day": date(1999, 12, 31)}, "day", "日期超出范围:只能录入 2000 至 2099 年的日期。"),
    ],
)
def test_set_a_day_refuses_bad_input_and_changes_nothing(sysadmin, kwargs, field, message):
    before = _state()
    arguments = {"day": date(2027, 1, 1), "is_workday": False, "name": "元旦", **kwargs}

    with pytest.raises(ValidationError) as caught:
        services.calendar_day_set(actor=sysadmin, **arguments)

    assert caught.value.errors == {field: message}
    assert _state() == before


def test_a_date_already_set_is_refused_unless_replaced(sysadmin):
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    before = _state()

    with pytest.raises(services.DayAlreadySet) as caught:
        services.calendar_day_set(
            actor=sysadmin, day=date(2027, 1, 1), is_workday=True, name="上班"
        )

    assert caught.value.errors == {
        "day": "2027-01-01 已录入为“休息 · 元旦”。如需修改,请勾选“覆盖已录入的设置”后再保存。"
    }
    assert caught.value.dates == [date(2027, 1, 1)]
    assert _state() == before


def test_replacing_an_entry_updates_it_with_one_audit_event_of_the_difference(sysadmin):
    row = services.calendar_day_set(
        actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦"
    )
    audits = AuditEvent.objects.count()

    services.calendar_day_set(
        actor=sysadmin, day=date(2027, 1, 1), is_workday=True, name="更正", replace=True
    )

    row.refresh_from_db()
    assert (row.is_workday, row.name) == (True, "更正")
    assert CalendarDay.objects.count() == 1
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "workbench.calendar_day.update"
    assert event.changes == {"is_workday": [False, True], "name": ["元旦", "更正"]}


def test_replacing_an_entry_with_the_same_values_records_nothing(sysadmin):
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    before = _state()

    services.calendar_day_set(
        actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦", replace=True
    )

    assert _state() == before


def test_only_the_system_admin_may_change_the_table(staff, security_admin, auditor):
    before = _state()

    for user in (staff, security_admin, auditor):
        with pytest.raises(PermissionDenied):
            services.calendar_day_set(
                actor=user, day=date(2027, 1, 1), is_workday=False, name="元旦"
            )

    assert _state() == before


def test_an_entry_changes_the_deadlines_of_a_provisional_year(sysadmin):
    # given: 2027 on the usual schedule: 春节 from 除夕 Fri Feb 5 to Fri Feb 12
    assert not calendar_known(2027)
    assert add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 15)

    # when: the make-up Saturday is entered
    services.calendar_day_set(
        actor=sysadmin, day=date(2027, 2, 13), is_workday=True, name="春节调休上班"
    )

    # then: it counts; the year stays provisional until it is confirmed
    assert add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 13)
    assert not calendar_known(2027)


def test_a_range_writes_every_day_with_one_audit_event(sysadmin):
    audits = AuditEvent.objects.count()

    rows = services.calendar_range_set(
        actor=sysadmin, first=date(2027, 2, 6), last=date(2027, 2, 13), name="春节"
    )

    assert [r.date.day for r in rows] == [6, 7, 8, 9, 10, 11, 12, 13]
    assert set(CalendarDay.objects.values_list("is_workday", "name")) == {(False, "春节")}
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_id, event.object_repr) == (
        "workbench.calendar_day.set_range",
        "2027-02-06~2027-02-13",
        "2027-02-06~2027-02-13 休息 春节",
    )
    assert event.changes == {
        "date": [None, ["2027-02-06", "2027-02-13"]],
        "is_workday": [None, False],
        "name": [None, "春节"],
    }


def test_a_range_overlapping_entries_is_refused_whole_unless_replaced(sysadmin):
    services.calendar_day_set(
        actor=sysadmin, day=date(2027, 2, 7), is_workday=True, name="调休上班"
    )
    before = _state()

    with pytest.raises(services.DayAlreadySet) as caught:
        services.calendar_range_set(
            actor=sysadmin, first=date(2027, 2, 6), last=date(2027, 2, 13), name="春节"
        )

    assert caught.value.errors == {
        "first": "2027-02-07 已录入为“上班 · 调休上班”。如需修改,请勾选“覆盖已录入的设置”后再保存。"
    }
    assert _state() == before

    services.calendar_range_set(
        actor=sysadmin, first=date(2027, 2, 6), last=date(2027, 2, 13), name="春节", replace=True
    )

    assert CalendarDay.objects.count() == 8
    assert CalendarDay.objects.get(date=date(2027, 2, 7)).is_workday is False
    event = AuditEvent.objects.latest("seq")
    assert event.changes["replaced"] == [
        [{"date": "2027-02-07", "is_workday": True, "name": "调休上班"}],
        None,
    ]


@pytest.mark.parametrize(
    ("first", "last", "name", "field", "message"),
    [
        (date(2027, 2, 13), date(2027, 2, 6), "春节", "last", "结束日期不能早于开始日期。"),
        (
            date(2027, 1, 1),
            date(2027, 2, 1),
            "寒假",
            "last",
            "一次最多录入 31 天,所选范围有 32 天。",
        ),
        (None, date(2027, 2, 6), "春节", "first", "请填写开始日期。"),
        (date(2027, 2, 6), None, "春节", "last", "请填写结束日期。"),
        (
            date(2027, 2, 6),
            date(2027, 2, 13),
            "",
            "name",
            "请填写名称,如“春节”或“国庆节调休上班”。",
        ),
    ],
)
def test_a_bad_range_is_refused_and_changes_nothing(sysadmin, first, last, name, field, message):
    before = _state()

    with pytest.raises(ValidationError) as caught:
        services.calendar_range_set(actor=sysadmin, first=first, last=last, name=name)

    assert caught.value.errors == {field: message}
    assert _state() == before


def test_delete_removes_the_entry_with_one_audit_event(sysadmin):
    services.calendar_day_set(actor=sysadmin, day=date(2025, 3, 12), is_workday=False, name="停电")
    audits = AuditEvent.objects.count()

    services.calendar_day_delete(actor=sysadmin, day=date(2025, 3, 12))

    assert not CalendarDay.objects.exists()
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "workbench.calendar_day.delete"
    assert event.changes == {
        "date": ["2025-03-12", None],
        "is_workday": [False, None],
        "name": ["停电", None],
    }


def test_delete_of_a_date_without_entry_is_not_found_and_changes_nothing(sysadmin):
    before = _state()

    with pytest.raises(NotFound):
        services.calendar_day_delete(actor=sysadmin, day=date(2025, 3, 12))

    assert _state() == before


# Pages ---------------------------------------------------------------------------------------


def test_the_year_page_warns_when_the_year_is_provisional(as_admin):
    response = as_admin.get(reverse("workbench:calendar"), {"year": "2027"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "2027 年的法定节假日安排尚未确认,期限按暂定安排计算" in html
    assert "本年没有管理员录入的设置。" in html
    # the usual schedule is shown as such
    assert "2027-02-05 – 2027-02-14" in html
    assert reverse("workbench:calendar_confirm", args=[2027]) in html


def test_the_year_page_of_a_covered_year_shows_the_builtin_schedule_and_no_warning(as_admin):
    response = as_admin.get(reverse("workbench:calendar"), {"year": "2025"})

    html = response.content.decode()
    assert "安排尚未确认" not in html
    assert "2025-10-01 – 2025-10-08" in html
    assert "国庆节、中秋" in html


def test_the_year_page_lists_the_entries_and_warns_until_the_year_is_confirmed(as_admin, sysadmin):
    services.calendar_range_set(
        actor=sysadmin, first=date(2027, 2, 6), last=date(2027, 2, 13), name="春节"
    )

    html = as_admin.get(reverse("workbench:calendar"), {"year": "2027"}).content.decode()

    assert "2027 年的法定节假日安排尚未确认" in html
    assert html.count('data-date="2027-02-') == 8
    assert reverse("workbench:calendar_day_delete", args=["2027-02-06"]) in html


def test_the_year_page_ignores_a_bad_year(as_admin):
    response = as_admin.get(reverse("workbench:calendar"), {"year": "abc"})

    assert response.status_code == 200


def test_create_a_day_through_the_page(as_admin):
    response = as_admin.post(
        reverse("workbench:calendar_day_create"),
        {"day": "2027-02-20", "kind": "work", "name": "春节调休上班"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:calendar") + "?year=2027"
    assert list(CalendarDay.objects.values_list("date", "is_workday", "name")) == [
        (date(2027, 2, 20), True, "春节调休上班")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2027-02-30"}, "日期格式不正确,请按 2027-02-06 的格式填写。"),
        ({"day": ""}, "请填写日期。"),
        ({"name": ""}, "请填写名称,如“春节”或“国庆节调休上班”。"),
        ({"day": "1999-01-01"}, "日期超出范围:只能录入 2000 至 2099 年的日期。"),
    ],
)
def test_create_with_bad_input_keeps_the_input_and_changes_nothing(as_admin, data, message):
    before = _state()
    post = {"day": "2027-02-20", "kind": "work", "name": "春节调休上班", **data}

    response = as_admin.post(reverse("workbench:calendar_day_create"), post)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'value="{post["day"]}"' in html
    assert f'value="{post["name"]}"' in html
    assert _state() == before


def test_a_date_already_set_offers_to_replace_it_then_replaces(as_admin, sysadmin):
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    before = _state()
    post = {"day": "2027-01-01", "kind": "work", "name": "更正"}

    response = as_admin.post(reverse("workbench:calendar_day_create"), post)

    html = response.content.decode()
    assert "2027-01-01 已录入为“休息 · 元旦”" in html
    assert 'data-testid="calendar-replace"' in html
    assert _state() == before

    response = as_admin.post(reverse("workbench:calendar_day_create"), {**post, "replace": "1"})

    assert response.status_code == 302
    assert list(CalendarDay.objects.values_list("is_workday", "name")) == [(True, "更正")]


def test_the_create_form_hides_the_replace_box_until_needed(as_admin):
    html = as_admin.get(reverse("workbench:calendar_day_create")).content.decode()

    assert 'data-testid="calendar-replace"' not in html


def test_editing_an_entry_prefills_it_with_the_replace_box_ticked(as_admin, sysadmin):
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")

    response = as_admin.get(reverse("workbench:calendar_day_create"), {"date": "2027-01-01"})

    html = response.content.decode()
    assert 'value="2027-01-01"' in html
    assert 'value="元旦"' in html
    assert 'data-testid="calendar-replace"' in html and " checked" in html


def test_a_range_through_the_page_writes_one_audit_event(as_admin):
    audits = AuditEvent.objects.count()

    response = as_admin.post(
        reverse("workbench:calendar_range_create"),
        {"first": "2027-02-06", "last": "2027-02-13", "kind": "off", "name": "春节"},
    )

    assert response.status_code == 302
    assert CalendarDay.objects.count() == 8
    assert AuditEvent.objects.count() == audits + 1


def test_a_reversed_range_through_the_page_keeps_the_input_and_changes_nothing(as_admin):
    before = _state()

    response = as_admin.post(
        reverse("workbench:calendar_range_create"),
        {"first": "2027-02-13", "last": "2027-02-06", "kind": "off", "name": "春节"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in html
    assert 'value="2027-02-13"' in html and 'value="春节"' in html
    assert _state() == before


def test_delete_through_the_page(as_admin, sysadmin):
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")

    response = as_admin.post(reverse("workbench:calendar_day_delete", args=["2027-01-01"]))

    assert response.status_code == 302
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize("day", ["2027-01-02", "not-a-date"])
def test_delete_of_a_missing_or_malformed_date_is_404_and_changes_nothing(as_admin, day):
    before = _state()

    response = as_admin.post(reverse("workbench:calendar_day_delete", args=[day]))

    assert response.status_code == 404
    assert _state() == before


def test_delete_needs_post(as_admin, sysadmin):
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")

    response = as_admin.get(reverse("workbench:calendar_day_delete", args=["2027-01-01"]))

    assert response.status_code == 405
    assert CalendarDay.objects.count() == 1


@pytest.mark.parametrize("user_fixture", ["staff", "leader", "security_admin", "auditor"])
def test_other_roles_are_refused_every_calendar_page(client, request, user_fixture, sysadmin):
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    client.force_login(request.getfixturevalue(user_fixture))
    before = _state()

    responses = [
        client.get(reverse("workbench:calendar")),
        client.get(reverse("workbench:calendar_day_create")),
        client.post(
            reverse("workbench:calendar_day_create"),
            {"day": "2027-02-20", "kind": "work", "name": "x"},
        ),
        client.post(
            reverse("workbench:calendar_range_create"),
            {"first": "2027-02-06", "last": "2027-02-13", "kind": "off", "name": "x"},
        ),
        client.post(reverse("workbench:calendar_day_delete", args=["2027-01-01"])),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert _state() == before


def test_the_worklist_links_the_calendar_for_the_system_admin_only(client, sysadmin, staff):
    client.force_login(sysadmin)
    admin_html = client.get(reverse("workbench:worklist")).content.decode()
    client.force_login(staff)
    staff_html = client.get(reverse("workbench:worklist")).content.decode()

    assert reverse("workbench:calendar") in admin_html
    assert reverse("workbench:calendar") not in staff_html
