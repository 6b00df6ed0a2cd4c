"""The application procedure on the workflow kit: every step dated with its actor and audit
event, sign-offs by amount, maker ≠ checker, a second click refused, an unsettled objection
blocking, the funds hook refusing inside the approval, batch approval one decision each."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.assistance import hooks
from bangfu.assistance.models import Application, Kind
from bangfu.assistance.selectors import awaiting_signoff, payable
from bangfu.assistance.services import (
    ApplicationInput,
    application_create,
    application_notice,
    application_release_duplicate,
    application_review,
    application_send,
    application_signoff,
    application_signoff_many,
    application_submit,
    application_visit,
)
from bangfu.core.errors import Conflict, PermissionDenied
from bangfu.core.models import AuditEvent
from bangfu.notices.models import Notice, NoticeItem, Objection
from bangfu.notices.services import objection_record

from .factories import aided_household, make_programme

S = Application.Status


def _today():
    return timezone.localdate()


@pytest.fixture
def leader2(network):
    return make_user((Role.LEADER, network.township), username="leader2", full_name="钱副主任")


@pytest.fixture
def festival(network, staff):
    return make_programme(
        network.township, staff, kind=Kind.FESTIVAL, rules={"standard_amount": Decimal("800")}
    )


def _apply(staff, household, programme, *, month=1, amount=None, reason=""):
    data = ApplicationInput(
        programme=programme,
        period_start=_today().replace(year=programme.year, month=month, day=1),
        period_end=_today().replace(year=programme.year, month=month, day=28),
        amount=amount,
        amount_reason=reason,
    )
    return application_create(actor=staff, household_id=household.pk, data=data)


def _end_notice(application) -> None:
    ids = NoticeItem.objects.filter(subject_id=application.pk).values_list("notice_id")
    Notice.objects.filter(pk__in=ids).update(ends_on=_today() - timedelta(days=1))


def _to_approval(staff, application):
    application = application_submit(actor=staff, application=application)
    application = application_visit(
        actor=staff,
        application=application,
        visited_on=_today(),
        visitors=["郭相妍", "李联络"],
        findings="家中两人,配偶患病。",
        recommendation="agree",
    )
    application = application_review(
        actor=staff,
        application=application,
        held_on=_today(),
        participants="职工代表 7 人",
        votes_for=7,
        votes_against=0,
        passed=True,
        record="一致同意。",
    )
    application = application_notice(actor=staff, application=application)
    _end_notice(application)
    return application_send(actor=staff, application=application)


def test_every_step_moves_the_status_with_its_audit_event(network, staff, leader, festival):
    household = aided_household(network.station_a, staff)
    application = _apply(staff, household, festival)

    statuses = [application.status]
    application = application_submit(actor=staff, application=application)
    statuses.append(application.status)
    application = application_visit(
        actor=staff,
        application=application,
        visited_on=_today(),
        visitors=["郭相妍", "李联络"],
        findings="属实",
        recommendation="agree",
    )
    statuses.append(application.status)
    application = application_review(
        actor=staff,
        application=application,
        held_on=_today(),
        participants="代表 7 人",
        votes_for=7,
        votes_against=0,
        passed=True,
        record="同意",
    )
    statuses.append(application.status)
    application = application_notice(actor=staff, application=application)
    statuses.append(application.status)
    _end_notice(application)
    application = application_send(actor=staff, application=application)
    statuses.append(application.status)
    application = application_signoff(actor=leader, application=application, outcome="approved")
    statuses.append(application.status)

    assert statuses == [
        S.DRAFT,
        S.SUBMITTED,
        S.VERIFIED,
        S.REVIEWED,
        S.PUBLICIZING,
        S.PENDING_APPROVAL,
        S.APPROVED,
    ]
    assert application.approved_on == _today()
    actions = list(
        AuditEvent.objects.filter(
            object_id=str(application.pk), object_type="assistance.application"
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "assistance.application.create",
        "assistance.application.submit",
        "assistance.application.visit",
        "assistance.application.review",
        "assistance.application.notice",
        "assistance.application.send_for_approval",
        "assistance.application.signoff",
    ]
    item = NoticeItem.objects.get(subject_id=application.pk)
    assert item.person_name == "张*"
    assert item.amount == Decimal("800.00")
    assert list(payable(user=staff)) == [application]


def test_above_1000_yuan_two_leaders_sign(network, staff, leader, leader2, festival):
    household = aided_household(network.station_a, staff)
    big = _to_approval(
        staff, _apply(staff, household, festival, amount=Decimal("1500"), reason="家中两人患病")
    )

    big = application_signoff(actor=leader, application=big, outcome="approved")
    assert big.status == S.PENDING_APPROVAL
    with pytest.raises(PermissionDenied, match="同一人不能签署两次"):
        application_signoff(actor=leader, application=big, outcome="approved")
    big = application_signoff(actor=leader2, application=big, outcome="approved")

    assert big.status == S.APPROVED


def test_the_maker_cannot_sign_off(network, staff, festival):
    household = aided_household(network.station_a, staff)
    application = _to_approval(staff, _apply(staff, household, festival))
    maker_leader = make_user((Role.LEADER, network.township), username="maker_leader")
    Application.objects.filter(pk=application.pk).update(created_by=maker_leader)
    application.refresh_from_db()

    with pytest.raises((PermissionDenied, Conflict)):
        application_signoff(actor=maker_leader, application=application, outcome="approved")

    assert Application.objects.get(pk=application.pk).status == S.PENDING_APPROVAL


def test_a_second_click_on_approve_is_refused_and_changes_nothing(network, staff, leader, festival):
    household = aided_household(network.station_a, staff)
    application = _to_approval(staff, _apply(staff, household, festival))
    application_signoff(actor=leader, application=application, outcome="approved")
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict):
        application_signoff(actor=leader, application=application, outcome="approved")

    assert AuditEvent.objects.count() == events


def test_a_step_from_the_wrong_state_is_refused(network, staff, festival):
    household = aided_household(network.station_a, staff)
    application = _apply(staff, household, festival)

    with pytest.raises(Conflict):
        application_notice(actor=staff, application=application)

    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_an_unsettled_objection_blocks_sending_for_approval(network, staff, festival):
    household = aided_household(network.station_a, staff)
    application = _apply(staff, household, festival)
    application = application_submit(actor=staff, application=application)
    application = application_visit(
        actor=staff,
        application=application,
        visited_on=_today(),
        visitors=["郭相妍", "李联络"],
        findings="属实",
        recommendation="agree",
    )
    application = application_review(
        actor=staff,
        application=application,
        held_on=_today(),
        participants="代表",
        votes_for=5,
        votes_against=0,
        passed=True,
        record="同意",
    )
    application = application_notice(actor=staff, application=application)
    notice = Notice.objects.get(items__subject_id=application.pk)
    objection_record(
        actor=staff,
        notice=notice,
        received_on=_today(),
        channel="visit",
        from_name="匿名群众",
        contact="",
        content="该户收入情况不实",
    )
    _end_notice(application)

    with pytest.raises(Conflict) as refused:
        application_send(actor=staff, application=application)

    assert refused.value.message == "公示有未处理的异议,处理后才能提交审批。"
    assert Application.objects.get(pk=application.pk).status == S.PUBLICIZING
    assert Objection.objects.count() == 1


def test_the_funds_hook_may_refuse_the_approval_and_nothing_is_kept(
    network, staff, leader, festival
):
    household = aided_household(network.station_a, staff)
    application = _to_approval(staff, _apply(staff, household, festival))

    def budget_short(*, application, actor):
        raise Conflict("预算不足:帮扶专项资金余额 300.00 元")

    hooks.on_approval(budget_short)
    try:
        with pytest.raises(Conflict, match="预算不足"):
            application_signoff(actor=leader, application=application, outcome="approved")
    finally:
        hooks.remove_approval_hook(budget_short)

    application.refresh_from_db()
    assert application.status == S.PENDING_APPROVAL
    assert application.approved_on is None
    assert not AuditEvent.objects.filter(action="assistance.application.signoff").exists()


def test_a_flagged_repeat_needs_a_leaders_reason_before_approval(network, staff, leader):
    programme = make_programme(
        network.township,
        staff,
        kind=Kind.FESTIVAL,
        rules={"standard_amount": Decimal("500"), "duplicates": "flag"},
    )
    household = aided_household(network.station_a, staff)
    _apply(staff, household, programme)
    repeat = _to_approval(staff, _apply(staff, household, programme))

    with pytest.raises(Conflict) as refused:
        application_signoff(actor=leader, application=repeat, outcome="approved")
    assert refused.value.message == "该申请疑似重复,须先由领导说明理由放行后才能批准。"

    application_release_duplicate(actor=leader, application=repeat, reason="春节与临时困难叠加")
    repeat = application_signoff(actor=leader, application=repeat, outcome="approved")
    assert repeat.status == S.APPROVED


def test_batch_approval_decides_each_and_refuses_each_on_its_own(network, staff, leader, festival):
    first = _to_approval(staff, _apply(staff, aided_household(network.station_a, staff), festival))
    second = _to_approval(
        staff, _apply(staff, aided_household(network.station_a, staff, name="李四"), festival)
    )
    draft = _apply(staff, aided_household(network.station_a, staff, name="王五"), festival)
    assert set(awaiting_signoff(user=leader)) == {first, second}

    results = application_signoff_many(
        actor=leader, applications=[first, draft, second], outcome="approved"
    )

    assert [bool(r.error) for r in results] == [False, True, False]
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {first.pk: S.APPROVED, second.pk: S.APPROVED, draft.pk: S.DRAFT}
    assert AuditEvent.objects.filter(action="assistance.application.signoff").count() == 2
