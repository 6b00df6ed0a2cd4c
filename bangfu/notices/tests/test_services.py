from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent, CalendarDay
from bangfu.notices import services
from bangfu.notices.models import Notice, NoticeItem, Objection
from bangfu.notices.services import NoticeItemInput, contains_id_or_card

from .factories import item_for, make_notice, make_subject, set_today

ID_NUMBER = "11010519491231002X"
BANK_CARD = "6222021234567890128"


def _counts() -> tuple[int, int, int, int]:
    return (
        Notice.objects.count(),
        NoticeItem.objects.count(),
        Objection.objects.count(),
        AuditEvent.objects.count(),
    )


# --- the period -------------------------------------------------------------------------------


def test_publish_before_national_day_skips_the_holiday_and_counts_the_make_up_saturday(
    network, staff, monkeypatch
):
    # Given 2025's schedule: 1–8 October off, Saturday 11 October a make-up working day
    set_today(monkeypatch, date(2025, 9, 30))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])

    # When the notice is published on Tuesday 30 September
    services.notice_publish(actor=staff, notice=notice)

    # Then it counts 9, 10, 11 (Sat), 13, 14 October
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.starts_on == date(2025, 9, 30)
    assert notice.counts_from == date(2025, 10, 9)
    assert notice.ends_on == date(2025, 10, 14)
    assert notice.working_days == 5
    assert notice.due_rule == "公示 5 个工作日(2025-10-09 至 2025-10-14)"
    assert notice.published_by == staff


def test_publish_on_friday_does_not_count_the_day_itself_nor_the_weekend(
    network, staff, monkeypatch
):
    set_today(monkeypatch, date(2026, 11, 27))  # a Friday
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])

    services.notice_publish(actor=staff, notice=notice)

    notice.refresh_from_db()
    assert (notice.counts_from, notice.ends_on) == (date(2026, 11, 30), date(2026, 12, 4))
    assert notice.due_rule == "公示 5 个工作日(2026-11-30 至 2026-12-04)"


def test_publish_on_a_saturday_given_ahead_ends_on_the_same_friday(network, staff, monkeypatch):
    set_today(monkeypatch, date(2026, 11, 27))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])

    services.notice_publish(actor=staff, notice=notice, starts_on=date(2026, 11, 28))

    notice.refresh_from_db()
    assert (notice.starts_on, notice.ends_on) == (date(2026, 11, 28), date(2026, 12, 4))


def test_publish_follows_the_admin_holiday_table_and_the_setting(
    network, staff, monkeypatch, settings
):
    # Given an extra day off on Wednesday 2 December and a 3-day period
    settings.BANGFU_NOTICE_WORKING_DAYS = 3
    CalendarDay.objects.create(
        date=date(2026, 12, 2), is_workday=False, name="测试停工", created_by=staff
    )
    set_today(monkeypatch, date(2026, 11, 27))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])

    services.notice_publish(actor=staff, notice=notice)

    notice.refresh_from_db()
    assert notice.ends_on == date(2026, 12, 3)  # Mon 30, Tue 1, (Wed 2 off), Thu 3
    assert notice.due_rule == "公示 3 个工作日(2026-11-30 至 2026-12-03)"


def test_publish_on_a_past_day_is_refused_and_changes_nothing(network, staff, monkeypatch):
    set_today(monkeypatch, date(2026, 11, 27))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    before = _counts()

    with pytest.raises(ValidationError) as exc:
        services.notice_publish(actor=staff, notice=notice, starts_on=date(2026, 11, 26))

    assert exc.value.errors == {"starts_on": "发布日期不能早于今天。"}
    notice.refresh_from_db()
    assert (notice.status, notice.starts_on, notice.ends_on) == (Notice.Status.DRAFT, None, None)
    assert _counts() == before


def test_publish_twice_is_refused(network, staff):
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    services.notice_publish(actor=staff, notice=notice)
    before = _counts()

    with pytest.raises(Conflict) as exc:
        services.notice_publish(actor=staff, notice=notice)

    assert exc.value.message == "只有草稿可以发布;该公示的状态是“公示中”。"
    assert _counts() == before


# --- what a notice may show -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        ID_NUMBER,
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "440524880101001",  # a legacy 15-digit ID
        BANK_CARD,
        "6222 0212 3456 7890 128",
        "6222-0212-3456-7890",
        "张三 身份证 430302198001011234",
    ],
)
def test_ids_and_bank_cards_are_detected(text):
    assert contains_id_or_card(text)


@pytest.mark.parametrize(
    "text", ["张三", "430302********1234", "2025-10-09 至 2025-10-14", "湘潭电机厂 3 号车间", ""]
)
def test_ordinary_display_text_passes(text):
    assert not contains_id_or_card(text)


def test_create_with_an_id_in_a_display_field_is_refused_and_writes_nothing(network, staff):
    subject = make_subject(network.station_a)
    before = _counts()

    with pytest.raises(ValidationError) as exc:
        services.notice_create(
            actor=staff,
            unit=network.township,
            kind=Notice.Kind.ARCHIVE,
            title="建档公示",
            body="",
            items=[item_for(subject, unit_name=f"湘潭电机厂 {ID_NUMBER}")],
        )

    assert exc.value.errors == {
        "items": "第 1 项的“单位”中含有疑似身份证号或银行卡号的数字,公示不得公开。"
    }
    assert _counts() == before


def test_create_with_a_bank_card_in_the_body_is_refused(network, staff):
    before = _counts()

    with pytest.raises(ValidationError) as exc:
        services.notice_create(
            actor=staff,
            unit=network.township,
            kind=Notice.Kind.ASSISTANCE,
            title="救助公示",
            body=f"补助发放至卡号 {BANK_CARD}",
            items=[item_for(make_subject(network.station_a))],
        )

    assert exc.value.errors == {
        "body": "“公示说明”中含有疑似身份证号或银行卡号的数字,公示不得公开。"
    }
    assert _counts() == before


def test_publish_checks_the_display_text_again(network, staff):
    # Given a draft whose item was changed behind the service's back
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    NoticeItem.objects.filter(notice=notice).update(category=f"深度困难 {ID_NUMBER}")
    before = _counts()

    with pytest.raises(ValidationError) as exc:
        services.notice_publish(actor=staff, notice=notice)

    assert exc.value.errors == {
        "items": "第 1 项的“困难类别”中含有疑似身份证号或银行卡号的数字,公示不得公开。"
    }
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    assert _counts() == before


def test_create_keeps_display_fields_and_amount_and_writes_one_audit_event(network, staff):
    subject_a = make_subject(network.station_a, "张三")
    subject_b = make_subject(network.station_b, "李四")
    before = AuditEvent.objects.count()

    notice = services.notice_create(
        actor=staff,
        unit=network.township,
        kind=Notice.Kind.ASSISTANCE,
        title=" 2026 年春节送温暖 ",
        body="拟发放生活救助。",
        items=[
            NoticeItemInput(
                subject_a, "张三", "湘潭电机厂", "深度困难", "生活救助", Decimal("800")
            ),
            NoticeItemInput(subject_b, "李四", "金霞社区", aid_kind="医疗救助"),
        ],
    )

    assert notice.status == Notice.Status.DRAFT
    assert notice.title == "2026 年春节送温暖"
    rows = list(
        notice.items.values_list(
            "person_name", "unit_name", "category", "aid_kind", "amount", "sort_order"
        )
    )
    assert rows == [
        ("张三", "湘潭电机厂", "深度困难", "生活救助", Decimal("800.00"), 1),
        ("李四", "金霞社区", "", "医疗救助", None, 2),
    ]
    assert notice.items.order_by("sort_order")[0].subject == subject_a
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_id) == ("notices.notice.create", str(notice.pk))


def test_create_without_items_or_title_names_the_fields(network, staff):
    before = _counts()

    with pytest.raises(ValidationError) as exc:
        services.notice_create(
            actor=staff, unit=network.township, kind="bogus", title=" ", body="", items=[]
        )

    assert exc.value.errors == {
        "kind": "请选择公示类别。",
        "title": "请填写标题。",
        "items": "公示至少要有一个公示对象。",
    }
    assert _counts() == before


def test_a_subject_on_an_open_notice_of_the_same_kind_is_refused(network, staff):
    subject = make_subject(network.station_a, "张三")
    make_notice(staff, network.township, [subject], title="第一批")
    before = _counts()

    with pytest.raises(Conflict) as exc:
        make_notice(staff, network.township, [make_subject(network.station_b), subject])

    assert exc.value.message == "“张三”已在公示“第一批”(草稿)中,不能再列入同类公示。"
    assert _counts() == before


def test_a_subject_may_be_on_a_notice_of_another_kind_and_again_after_a_withdrawal(network, staff):
    subject = make_subject(network.station_a)
    first = make_notice(staff, network.township, [subject])
    make_notice(staff, network.township, [subject], kind=Notice.Kind.ASSISTANCE)
    services.notice_withdraw(actor=staff, notice=first, reason="名单有误,重新公示")

    again = make_notice(staff, network.township, [subject])

    assert again.items.get().subject == subject


def test_the_same_subject_twice_in_one_notice_is_refused(network, staff):
    subject = make_subject(network.station_a)

    with pytest.raises(ValidationError) as exc:
        make_notice(staff, network.township, [subject, subject])

    assert exc.value.errors == {"items": "第 2 项与前面的公示对象重复。"}
    assert Notice.objects.count() == 0


# --- who may ----------------------------------------------------------------------------------


def test_a_liaison_may_not_create_a_notice(network, liaison_a):
    before = _counts()

    with pytest.raises(PermissionDenied):
        make_notice(liaison_a, network.station_a, [make_subject(network.station_a)])

    assert _counts() == before


def test_staff_of_another_township_cannot_publish_withdraw_or_record(network, staff):
    other = make_user((Role.STAFF, network.other_township))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    before = _counts()

    with pytest.raises(NotFound):
        services.notice_publish(actor=other, notice=notice)
    with pytest.raises(NotFound):
        services.notice_withdraw(actor=other, notice=notice, reason="无")
    with pytest.raises(ValidationError) as exc:
        make_notice(other, network.township, [make_subject(network.station_b)])

    assert exc.value.errors == {"unit": "发布单位不在您的管理范围内。"}
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    assert _counts() == before


# --- withdrawal and the end -------------------------------------------------------------------


def test_withdraw_needs_a_reason(network, staff):
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    before = _counts()

    with pytest.raises(ValidationError) as exc:
        services.notice_withdraw(actor=staff, notice=notice, reason="  ")

    assert exc.value.errors == {"reason": "请填写撤回原因。"}
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    assert _counts() == before


def test_withdraw_a_published_notice(network, staff):
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    services.notice_publish(actor=staff, notice=notice)

    services.notice_withdraw(actor=staff, notice=notice, reason="名单有误")

    notice.refresh_from_db()
    assert (notice.status, notice.withdrawn_reason, notice.withdrawn_by) == (
        Notice.Status.WITHDRAWN,
        "名单有误",
        staff,
    )


def test_end_due_ends_only_past_notices_once(network, staff, monkeypatch):
    set_today(monkeypatch, date(2026, 11, 27))
    ending = make_notice(staff, network.township, [make_subject(network.station_a)], title="甲")
    running = make_notice(staff, network.township, [make_subject(network.station_b)], title="乙")
    services.notice_publish(actor=staff, notice=ending)  # ends 2026-12-04
    services.notice_publish(actor=staff, notice=running, starts_on=date(2026, 12, 1))  # ends 12-08
    events = AuditEvent.objects.count()

    set_today(monkeypatch, date(2026, 12, 4))
    assert services.notice_end_due() == 0  # the last day itself still counts
    set_today(monkeypatch, date(2026, 12, 5))
    assert services.notice_end_due() == 1
    assert services.notice_end_due() == 0

    ending.refresh_from_db()
    running.refresh_from_db()
    assert (ending.status, running.status) == (Notice.Status.ENDED, Notice.Status.PUBLISHED)
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_id, event.actor_name) == ("notices.notice.end", None, "系统")


def test_an_ended_notice_cannot_be_withdrawn(network, staff, monkeypatch):
    set_today(monkeypatch, date(2026, 11, 27))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    services.notice_publish(actor=staff, notice=notice)
    set_today(monkeypatch, date(2026, 12, 7))
    services.notice_end_due()
    before = _counts()

    with pytest.raises(Conflict) as exc:
        services.notice_withdraw(actor=staff, notice=notice, reason="晚了")

    assert exc.value.message == "只有草稿或公示中的公示可以撤回;该公示的状态是“公示期满”。"
    assert _counts() == before


def test_a_notice_whose_period_has_passed_cannot_be_withdrawn_before_end_notices_runs(
    network, staff, monkeypatch
):
    # Given a notice whose last day (4 December) has passed, not recorded as ended
    set_today(monkeypatch, date(2026, 11, 27))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    services.notice_publish(actor=staff, notice=notice)
    set_today(monkeypatch, date(2026, 12, 5))
    before = _counts()

    # When someone tries to withdraw it
    with pytest.raises(Conflict) as exc:
        services.notice_withdraw(actor=staff, notice=notice, reason="晚了")

    # Then it is refused as ended, and nothing changed
    assert exc.value.message == "只有草稿或公示中的公示可以撤回;该公示的状态是“公示期满”。"
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    assert _counts() == before


# --- objections -------------------------------------------------------------------------------


def test_objection_contact_is_encrypted_at_rest_and_masked_in_the_trail(network, staff):
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    services.notice_publish(actor=staff, notice=notice)

    objection = services.objection_record(
        actor=staff,
        notice=notice,
        item=notice.items.get(),
        received_on=timezone.localdate(),
        channel=Objection.Channel.PHONE,
        from_name="王五",
        contact="13800001234",
        content="其家中有两套住房。",
    )

    objection.refresh_from_db()
    assert objection.contact == "13800001234"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM notices_objection WHERE id = %s", [objection.pk])
        stored = cursor.fetchone()[0]
    assert "13800001234" not in stored
    event = AuditEvent.objects.latest("seq")
    assert event.action == "notices.objection.record"
    assert "13800001234" not in str(event.changes)
    assert "王五" not in str(event.changes)


def test_objection_on_a_draft_is_refused(network, staff):
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    before = _counts()

    with pytest.raises(Conflict):
        services.objection_record(
            actor=staff,
            notice=notice,
            received_on=timezone.localdate(),
            channel=Objection.Channel.VISIT,
            from_name="",
            contact="",
            content="有异议",
        )

    assert _counts() == before


def test_objection_bad_input_names_the_fields(network, staff, monkeypatch):
    set_today(monkeypatch, date(2026, 11, 27))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    services.notice_publish(actor=staff, notice=notice)
    before = _counts()

    with pytest.raises(ValidationError) as exc:
        services.objection_record(
            actor=staff,
            notice=notice,
            received_on=date(2026, 11, 28),
            channel="fax",
            from_name="",
            contact="",
            content=" ",
        )

    assert exc.value.errors == {
        "received_on": "收到日期不能晚于今天。",
        "channel": "请选择反映方式。",
        "content": "请填写异议内容。",
    }
    assert _counts() == before


def test_settling_twice_is_refused(network, staff, leader):
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    services.notice_publish(actor=staff, notice=notice)
    objection = services.objection_record(
        actor=staff,
        notice=notice,
        received_on=timezone.localdate(),
        channel=Objection.Channel.LETTER,
        from_name="",
        contact="",
        content="匿名来信",
    )
    services.objection_settle(
        actor=leader, objection=objection, upheld=False, resolution="经核实不属实"
    )
    before = _counts()

    with pytest.raises(Conflict) as exc:
        services.objection_settle(actor=leader, objection=objection, upheld=True, resolution="再议")

    assert exc.value.message == "该异议已办结(异议不成立)。"
    objection.refresh_from_db()
    assert (objection.status, objection.resolution, objection.settled_by) == (
        Objection.Status.DISMISSED,
        "经核实不属实",
        leader,
    )
    assert _counts() == before


def test_a_subject_whose_notice_period_has_passed_may_go_on_a_new_notice_before_end_notices_runs(
    network, staff, monkeypatch
):
    # Given a notice published Friday 2026-11-27 (ends 2026-12-04); `end_notices` has not run
    set_today(monkeypatch, date(2026, 11, 27))
    subject = make_subject(network.station_a, "张三")
    first = make_notice(staff, network.township, [subject], title="第一批")
    services.notice_publish(actor=staff, notice=first)
    set_today(monkeypatch, date(2026, 12, 7))
    assert Notice.objects.get(pk=first.pk).status == Notice.Status.PUBLISHED

    # When the archive is returned, corrected and put on a new notice
    again = make_notice(staff, network.township, [subject], title="第二批")

    # Then that is allowed: the first notice's period is over
    assert again.items.get().subject == subject


def test_a_subject_on_a_notice_still_running_is_refused_on_its_last_day(
    network, staff, monkeypatch
):
    set_today(monkeypatch, date(2026, 11, 27))
    subject = make_subject(network.station_a, "张三")
    first = make_notice(staff, network.township, [subject], title="第一批")
    services.notice_publish(actor=staff, notice=first)
    set_today(monkeypatch, date(2026, 12, 4))  # the last day still counts
    before = _counts()

    with pytest.raises(Conflict) as exc:
        make_notice(staff, network.township, [subject], title="第二批")

    assert exc.value.message == "“张三”已在公示“第一批”(公示中)中,不能再列入同类公示。"
    assert _counts() == before


def test_the_same_objection_posted_twice_is_recorded_once(network, staff, monkeypatch):
    set_today(monkeypatch, date(2026, 11, 27))
    notice = make_notice(staff, network.township, [make_subject(network.station_a)])
    services.notice_publish(actor=staff, notice=notice)
    fields: dict[str, Any] = {
        "item": notice.items.get(),
        "received_on": date(2026, 11, 27),
        "channel": Objection.Channel.VISIT,
        "from_name": "张某",
        "contact": "",
        "content": "反映其在外打零工有收入。",
    }
    services.objection_record(actor=staff, notice=notice, **fields)
    before = _counts()

    with pytest.raises(Conflict) as exc:
        services.objection_record(actor=staff, notice=notice, **fields)

    assert exc.value.message == "这条异议已经登记,请勿重复提交。"
    assert _counts() == before
    # A different objection on the same day is recorded
    services.objection_record(actor=staff, notice=notice, **{**fields, "content": "另有异议。"})
    assert Objection.objects.count() == 2
