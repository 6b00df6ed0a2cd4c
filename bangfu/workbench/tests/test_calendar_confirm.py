"""A year the holiday package does not know (2027): deadlines set before its official holidays
are entered are provisional; confirming the year recounts the open ones, lists and audits what
moved, and a refused confirmation changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bangfu.archives.models import Household
from bangfu.archives.services import procedure
from bangfu.archives.tests.factories import make_household
from bangfu.core import deadlines
from bangfu.core.errors import PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent, CalendarConfirmation, CalendarDay, DeadlineMove
from bangfu.core.workdays import add_working_days, calendar_known
from bangfu.kits.workflow.models import Visit
from bangfu.notices import services as notice_services
from bangfu.notices.models import Notice
from bangfu.notices.tests.factories import make_notice, make_subject, set_today
from bangfu.workbench import selectors, services

pytestmark = pytest.mark.django_db


def _state():
    """What a refused action must leave exactly as it was."""
    return (
        list(CalendarDay.objects.order_by("date").values_list("date", "is_workday", "name")),
        list(CalendarConfirmation.objects.values_list("year", "source")),
        list(DeadlineMove.objects.values_list("object_id", "old_due", "new_due")),
        list(Notice.objects.order_by("pk").values_list("ends_on", "due_provisional", "due_rule")),
        list(Visit.objects.order_by("pk").values_list("due_on", "due_provisional")),
        AuditEvent.objects.count(),
    )


def _official_spring_festival_2027(admin):
    """A schedule as the State Council might publish it: off Sat Feb 6 to Sat Feb 13, 除夕
    (Fri Feb 5) a working day, make-up working days Sun Jan 31 and Sat Feb 20."""
    services.calendar_day_set(actor=admin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    services.calendar_range_set(
        actor=admin, first=date(2027, 2, 6), last=date(2027, 2, 13), name="春节"
    )
    for day in (date(2027, 1, 31), date(2027, 2, 20)):
        services.calendar_day_set(actor=admin, day=day, is_workday=True, name="春节调休上班")


@pytest.fixture
def year_2027(monkeypatch, network, staff, sysadmin):
    """Today is 20 January 2027: a notice to be posted on Wed 3 February and an application
    of the same day, both counted over 春节 before the year's holidays are known."""
    set_today(monkeypatch, date(2026, 12, 28))
    ended = make_notice(staff, network.township, [make_subject(network.station_a, "王五")])
    ended = notice_services.notice_publish(actor=staff, notice=ended, starts_on=date(2026, 12, 28))
    set_today(monkeypatch, date(2027, 1, 20))
    notice = make_notice(
        staff,
        network.township,
        [make_subject(network.station_a)],
        title="2027 年第 1 批困难职工建档公示",
    )
    notice = notice_services.notice_publish(actor=staff, notice=notice, starts_on=date(2027, 2, 3))
    household = make_household(
        network.station_a,
        filed_by=staff,
        status=Household.Status.DRAFT,
        applied_on=date(2027, 2, 3),
        archive_no="XS-2027-0001",
    )
    household = procedure.household_apply(actor=staff, household=household)
    return {"notice": notice, "ended": ended, "household": household}


def test_before_the_year_is_entered_its_deadlines_are_provisional(year_2027):
    notice = year_2027["notice"]
    visit = Visit.objects.get(case__subject_id=year_2027["household"].pk)

    # 春节 on the usual schedule: 除夕 Fri Feb 5 to Fri Feb 12, then the weekend
    assert (notice.counts_from, notice.ends_on) == (date(2027, 2, 4), date(2027, 2, 18))
    assert notice.due_provisional
    assert "(暂定:按暂定节假日安排计算,节假日安排确认后自动调整)" in notice.period_text
    assert (visit.due_on, visit.due_from, visit.due_provisional) == (
        date(2027, 2, 18),
        date(2027, 2, 3),
        True,
    )
    assert visit.due_rule == "入户调查:申请后 5 个工作日"
    assert visit.due_rule_text == "入户调查:申请后 5 个工作日(暂定:按暂定节假日安排计算)"


def test_the_notice_page_and_the_printed_notice_say_the_period_is_provisional(
    year_2027, client, staff
):
    client.force_login(staff)
    notice = year_2027["notice"]

    page = client.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()
    printed = client.get(reverse("notices:notice_print", args=[notice.pk])).content.decode()

    assert "公示 5 个工作日(2027-02-04 至 2027-02-18)(暂定" in page
    assert "公示期暂定:该期间的法定节假日安排尚未公布" in printed


def test_the_publish_form_warns_before_a_provisional_period_is_set(
    monkeypatch, network, staff, client
):
    set_today(monkeypatch, date(2026, 12, 28))
    draft = make_notice(staff, network.township, [make_subject(network.station_a)])
    client.force_login(staff)

    html = client.get(reverse("notices:notice_detail", args=[draft.pk])).content.decode()

    assert "今天发布,公示期为 2026-12-29 至 2027-01-05(暂定)" in html


def test_the_publish_form_says_nothing_when_the_period_is_known(
    monkeypatch, network, staff, client
):
    set_today(monkeypatch, date(2026, 12, 1))
    draft = make_notice(staff, network.township, [make_subject(network.station_a)])
    client.force_login(staff)

    html = client.get(reverse("notices:notice_detail", args=[draft.pk])).content.decode()

    assert 'data-testid="publish-provisional"' not in html


def test_the_worklist_marks_a_provisional_due_date(year_2027, client, staff):
    client.force_login(staff)

    html = client.get(reverse("workbench:worklist")).content.decode()

    assert "入户调查:申请后 5 个工作日(暂定:按暂定节假日安排计算)" in html
    assert ">暂定</span>" in html


def test_confirming_the_entered_year_moves_the_open_deadlines_and_lists_them(year_2027, sysadmin):
    # given: the official schedule is entered
    _official_spring_festival_2027(sysadmin)
    notice, household, ended = year_2027["notice"], year_2027["household"], year_2027["ended"]
    ended_before = Notice.objects.values_list("ends_on", "due_provisional").get(pk=ended.pk)
    audits = AuditEvent.objects.count()

    # when
    confirmation = services.calendar_year_confirm(actor=sysadmin, year=2027)

    # then: counted again from Feb 3: Thu 4, Fri 5 (除夕 is a working day), Mon 15 … Wed 17
    notice.refresh_from_db()
    visit = Visit.objects.get(case__subject_id=household.pk)
    assert (notice.counts_from, notice.ends_on, notice.due_provisional) == (
        date(2027, 2, 4),
        date(2027, 2, 17),
        False,
    )
    assert notice.due_rule == "公示 5 个工作日(2027-02-04 至 2027-02-17)"
    assert (visit.due_on, visit.due_provisional) == (date(2027, 2, 17), False)
    assert calendar_known(2027)
    # a notice already over by its stored date stays as it was posted
    assert Notice.objects.values_list("ends_on", "due_provisional").get(pk=ended.pk) == (
        ended_before
    )
    # what moved is listed …
    assert (confirmation.year, confirmation.source) == (2027, "entries")
    assert (confirmation.checked, confirmation.moved) == (2, 2)
    assert sorted(confirmation.moves.values_list("kind", "object_repr", "old_due", "new_due")) == [
        (
            "archives.investigation.due_on",
            "档案 XS-2027-0001 的入户调查",
            date(2027, 2, 18),
            date(2027, 2, 17),
        ),
        (
            "notices.notice.ends_on",
            "2027 年第 1 批困难职工建档公示",
            date(2027, 2, 18),
            date(2027, 2, 17),
        ),
    ]
    # … and audited with the old and new dates, in one event
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.order_by("-seq")[0]
    assert event.action == "workbench.calendar_year.confirm"
    assert event.summary == "确认 2027 年节假日安排:2 个期限日期调整,0 个期限不再暂定"
    assert sorted((m["kind"], m["object_id"], m["due"]) for m in event.changes["moved"][1]) == [
        ("archives.investigation.due_on", str(visit.pk), ["2027-02-18", "2027-02-17"]),
        ("notices.notice.ends_on", str(notice.pk), ["2027-02-18", "2027-02-17"]),
    ]


def test_a_deadline_that_does_not_move_only_stops_being_provisional(
    monkeypatch, network, staff, sysadmin
):
    set_today(monkeypatch, date(2027, 2, 20))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    notice = notice_services.notice_publish(actor=staff, notice=notice, starts_on=date(2027, 3, 1))
    assert (notice.ends_on, notice.due_provisional) == (date(2027, 3, 8), True)
    _official_spring_festival_2027(sysadmin)

    confirmation = services.calendar_year_confirm(actor=sysadmin, year=2027)

    notice.refresh_from_db()
    assert (notice.ends_on, notice.due_provisional) == (date(2027, 3, 8), False)
    assert (confirmation.checked, confirmation.moved) == (1, 0)
    assert not confirmation.moves.exists()


def test_a_deadline_reaching_into_a_year_still_provisional_stays_provisional(
    monkeypatch, network, staff, sysadmin
):
    # given: posted on Thu 2027-12-30; the count reaches into 2028, which nobody confirmed
    set_today(monkeypatch, date(2027, 12, 20))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    notice = notice_services.notice_publish(
        actor=staff, notice=notice, starts_on=date(2027, 12, 30)
    )
    provisional_end = notice.ends_on
    _official_spring_festival_2027(sysadmin)

    # when
    services.calendar_year_confirm(actor=sysadmin, year=2027)

    # then: 2028's 元旦 is still counted on the usual schedule
    notice.refresh_from_db()
    assert notice.due_provisional
    assert notice.ends_on == provisional_end == add_working_days(date(2027, 12, 30), 5)


def test_confirming_a_year_without_any_entry_is_refused_and_changes_nothing(year_2027, sysadmin):
    before = _state()

    with pytest.raises(ValidationError) as refused:
        services.calendar_year_confirm(actor=sysadmin, year=2027)

    assert refused.value.message.startswith("2027 年还没有录入任何节假日设置。")
    assert _state() == before


@pytest.mark.parametrize("role", ["staff", "leader", "auditor", "security_admin"])
def test_only_the_calendars_administrator_may_confirm(year_2027, sysadmin, role, request):
    _official_spring_festival_2027(sysadmin)
    user = request.getfixturevalue(role)
    before = _state()

    with pytest.raises(PermissionDenied):
        services.calendar_year_confirm(actor=user, year=2027)
    with pytest.raises(PermissionDenied):
        services.calendar_year_prefill(actor=user, year=2028)

    assert _state() == before


def test_confirming_a_year_the_package_knows_recounts_what_was_provisional(
    monkeypatch, network, staff, sysadmin
):
    # given: a notice counted while 2027 was unknown; then a newer package release knows 2027
    # (stood in for here by treating the usual schedule as the package's data)
    set_today(monkeypatch, date(2027, 1, 20))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    notice = notice_services.notice_publish(actor=staff, notice=notice, starts_on=date(2027, 2, 3))
    assert notice.due_provisional
    from bangfu.core import holidays, workdays

    monkeypatch.setattr(workdays, "package_covers", lambda year: 2004 <= year <= 2027)
    monkeypatch.setattr(workdays, "builtin_is_workday", holidays.usual_is_workday)
    assert deadlines.provisional_count(years={2027}) == 1
    assert workdays.year_status(2027) == "builtin"

    # when: no entry is needed: the package's data stands
    confirmation = services.calendar_year_confirm(actor=sysadmin, year=2027)

    # then
    notice.refresh_from_db()
    assert confirmation.source == "package"
    assert (notice.ends_on, notice.due_provisional) == (date(2027, 2, 18), False)
    assert deadlines.provisional_count(years={2027}) == 0


# Prefilling a provisional year -----------------------------------------------------------------


def test_prefill_enters_the_usual_breaks_with_one_audit_event(sysadmin):
    services.calendar_day_set(actor=sysadmin, day=date(2027, 2, 5), is_workday=True, name="上班")
    audits = AuditEvent.objects.count()

    rows = services.calendar_year_prefill(actor=sysadmin, year=2027)

    # 元旦 3 + 春节 8 (one already entered) + 清明 3 + 劳动节 5 + 端午 1 + 中秋 1 + 国庆 7
    assert len(rows) == 27
    assert CalendarDay.objects.get(date=date(2027, 2, 5)).is_workday  # kept as entered
    assert CalendarDay.objects.get(date=date(2027, 10, 7)).name == "国庆节"
    assert AuditEvent.objects.count() == audits + 1
    assert AuditEvent.objects.order_by("-seq")[0].action == "workbench.calendar_day.prefill"
    assert not calendar_known(2027)  # entries alone do not confirm the year


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (2025, "2025 年不是按暂定安排计算的年份,无需以暂定安排为底稿。"),
        (2003, "2003 年不是按暂定安排计算的年份,无需以暂定安排为底稿。"),
        (2100, "年份超出范围:只能是 2000 至 2099 年。"),
    ],
)
def test_prefill_is_refused_for_a_year_that_is_not_provisional(sysadmin, year, message):
    before = _state()

    with pytest.raises(ValidationError) as refused:
        services.calendar_year_prefill(actor=sysadmin, year=year)

    assert refused.value.message == message
    assert _state() == before


def test_prefill_twice_is_refused_the_second_time(sysadmin):
    services.calendar_year_prefill(actor=sysadmin, year=2027)
    before = _state()

    with pytest.raises(ValidationError) as refused:
        services.calendar_year_prefill(actor=sysadmin, year=2027)

    assert refused.value.message == "2027 年的暂定放假日都已有录入。"
    assert _state() == before


# Pages -------------------------------------------------------------------------------------


def test_the_confirm_page_shows_what_would_move_and_changes_nothing(year_2027, sysadmin, client):
    _official_spring_festival_2027(sysadmin)
    client.force_login(sysadmin)
    before = _state()

    response = client.get(reverse("workbench:calendar_confirm", args=[2027]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "2027 年第 1 批困难职工建档公示" in html
    assert "档案 XS-2027-0001 的入户调查" in html
    assert html.count("2027-02-18") == 2 and html.count("2027-02-17") >= 2
    assert _state() == before


def test_confirming_through_the_page_lists_what_moved(year_2027, sysadmin, client):
    _official_spring_festival_2027(sysadmin)
    client.force_login(sysadmin)

    response = client.post(reverse("workbench:calendar_confirm", args=[2027]))

    confirmation = CalendarConfirmation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "workbench:calendar_confirmation", args=[confirmation.pk]
    )
    html = client.get(response["Location"]).content.decode()
    assert "2 个期限重新计算,其中 2 个日期调整" in html
    assert "公示期截止" in html and "入户调查期限" in html
    assert "2027 年第 1 批困难职工建档公示" in html
    calendar = client.get(reverse("workbench:calendar"), {"year": 2027}).content.decode()
    assert 'data-testid="calendar-confirmed"' in calendar


def test_a_refused_confirmation_through_the_page_answers_400_and_changes_nothing(
    year_2027, sysadmin, client
):
    client.force_login(sysadmin)
    before = _state()

    response = client.post(reverse("workbench:calendar_confirm", args=[2027]))

    assert response.status_code == 400
    assert "2027 年还没有录入任何节假日设置。" in response.content.decode()
    assert _state() == before


def test_a_confirmation_out_of_reach_is_not_found(sysadmin, client):
    client.force_login(sysadmin)

    assert client.get(reverse("workbench:calendar_confirm", args=[2100])).status_code == 404
    missing = reverse("workbench:calendar_confirmation", args=[10**25])
    assert client.get(missing).status_code == 404


def test_the_calendar_administrator_is_asked_to_confirm_the_next_year(monkeypatch, sysadmin):
    from bangfu.workbench.due import calendar_due_items

    set_today(monkeypatch, date(2026, 9, 30))
    assert list(calendar_due_items(sysadmin)) == []

    set_today(monkeypatch, date(2026, 10, 1))
    items = list(calendar_due_items(sysadmin))
    assert [(i.title, i.due) for i in items] == [
        ("录入并确认 2027 年法定节假日安排", date(2026, 12, 1))
    ]


def test_selectors_preview_counts_moves_and_settled(year_2027, sysadmin):
    _official_spring_festival_2027(sysadmin)

    preview = selectors.calendar_year_preview(2027)

    assert preview.status == "provisional"
    assert [c.new.due for c in preview.moved] == [date(2027, 2, 17), date(2027, 2, 17)]
    assert preview.settled == 0
