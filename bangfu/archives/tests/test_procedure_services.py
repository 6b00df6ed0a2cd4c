"""The filing procedure: 申请 → 入户调查 → 民主评议 → 公示 → 审批 → 在档."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household, IdRegistration
from bangfu.archives.services import filing, procedure
from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent
from bangfu.kits.workflow.models import SignOff, Visit
from bangfu.notices.models import Notice, NoticeItem

from .filing_factories import household_input

S = Household.Status


def _file(network, staff, **overrides) -> Household:
    return filing.household_create(
        actor=staff, data=household_input(network.station_a, **overrides)
    )


def _end_notice(household: Household) -> None:
    """Let the notice's period be over (the notices context decides it has then ended)."""
    notice_ids = NoticeItem.objects.filter(subject_id=household.pk).values_list("notice_id")
    Notice.objects.filter(pk__in=notice_ids).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )


def _to_reviewed(network, staff, **overrides) -> Household:
    return _to_reviewed_existing(staff, _file(network, staff, **overrides))


def _to_reviewed_existing(staff, household: Household) -> Household:
    procedure.investigation_record(
        actor=staff,
        household=household,
        visited_on=date(2026, 3, 5),
        visitors=["郭相妍", "李联络"],
        findings="家中两人,丈夫下岗,妻子无业。",
        recommendation="agree",
    )
    procedure.review_record(
        actor=staff,
        household=household,
        held_on=date(2026, 3, 10),
        participants="社区居民代表 7 人",
        votes_for=7,
        votes_against=0,
        passed=True,
        record="一致同意纳入困难职工档案。",
    )
    household.refresh_from_db()
    return household


def _to_pending(network, staff, **overrides) -> Household:
    household = _to_reviewed(network, staff, **overrides)
    procedure.notice_start(actor=staff, household=household)
    _end_notice(household)
    procedure.submit_for_approval(actor=staff, household=household)
    household.refresh_from_db()
    return household


def _snapshot(household: Household) -> tuple:
    household.refresh_from_db()
    return (
        household.status,
        household.opinions,
        SignOff.objects.count(),
        AuditEvent.objects.count(),
        IdRegistration.objects.count(),
    )


def test_full_procedure_happy_path(network, staff, leader):
    # given an application
    household = _file(network, staff)
    assert household.status == S.APPLIED

    # when the visit and the review are recorded
    household = _to_reviewed_existing(staff, household)
    assert household.status == S.REVIEWED
    visit = Visit.objects.get(case__subject_id=household.pk)
    assert visit.visitors == ["郭相妍", "李联络"]
    assert visit.recorded_by == staff

    # when the notice starts: it shows name, unit and kind only
    procedure.notice_start(actor=staff, household=household)
    household.refresh_from_db()
    assert household.status == S.PUBLICIZING
    item = NoticeItem.objects.get(subject_id=household.pk)
    assert (item.person_name, item.unit_name, item.aid_kind) == (
        "张三",
        "响水社区帮扶站",
        "困难职工建档",
    )
    assert item.notice.kind == "archive"
    assert item.notice.status == Notice.Status.PUBLISHED
    assert household.id_number not in item.notice.body + item.notice.title

    # when submitted before the period is over: refused
    with pytest.raises(Conflict) as exc:
        procedure.submit_for_approval(actor=staff, household=household)
    assert exc.value.message.startswith("公示期未满")

    # when the period is over and it is submitted and approved
    _end_notice(household)
    procedure.submit_for_approval(actor=staff, household=household)
    household.refresh_from_db()
    assert household.status == S.PENDING_APPROVAL
    decision = procedure.decide(
        actor=leader, household=household, outcome="approved", reason="同意建档"
    )

    # then
    household.refresh_from_db()
    today = timezone.localdate()
    assert household.status == S.ACTIVE
    assert household.filed_on == today
    assert household.checked_by == leader
    assert household.review_due_on == today.replace(year=today.year + 1)
    assert decision.level_unit == network.township
    assert [o["step"] for o in household.opinions] == ["submit", "decide"]
    assert household.opinions[1]["opinion"] == "同意建档"
    assert household.opinions[1]["level"] == "响水乡职工服务(帮扶)中心"
    actions = list(
        AuditEvent.objects.filter(object_type="archives.household", object_id=str(household.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "archives.household.create",
        "archives.procedure.investigation",
        "archives.procedure.review",
        "archives.procedure.notice",
        "archives.procedure.submit",
        "archives.procedure.decide",
    ]


def test_approver_who_filed_is_refused(network, staff):
    # given a leader who is also staff and made the record
    both = make_user((Role.STAFF, network.township), (Role.LEADER, network.township))
    household = _to_pending(network, both)
    before = _snapshot(household)

    # when
    with pytest.raises(PermissionDenied) as exc:
        procedure.decide(actor=both, household=household, outcome="approved")

    # then
    assert "建档与审核须由不同的人" in exc.value.message
    assert _snapshot(household) == before


def test_approver_who_recorded_the_visit_is_refused(network, staff):
    both = make_user((Role.STAFF, network.township), (Role.LEADER, network.township))
    household = _file(network, staff)
    procedure.investigation_record(
        actor=both,
        household=household,
        visited_on=date(2026, 3, 5),
        visitors=["甲", "乙"],
        findings="属实",
        recommendation="agree",
    )
    household.refresh_from_db()
    assert both.pk in procedure.makers(household)


def test_parent_level_lands_on_county_leader(network, staff, leader, settings):
    # given approval at the level above the township
    settings.BANGFU_ARCHIVE_APPROVAL_LEVEL = "parent"
    county_leader = make_user((Role.LEADER, network.county), username="county_leader")
    household = _to_pending(network, staff)
    assert procedure.approval_unit(household) == network.county
    before = _snapshot(household)

    # when the township leader tries: refused, nothing changes
    with pytest.raises(PermissionDenied) as exc:
        procedure.decide(actor=leader, household=household, outcome="approved")
    assert exc.value.message == "该档案由雨湖区总工会职工服务(帮扶)中心审批,您不在该级审批范围内。"
    assert _snapshot(household) == before

    # when the county leader decides
    decision = procedure.decide(actor=county_leader, household=household, outcome="approved")

    # then
    assert decision.level_unit == network.county
    household.refresh_from_db()
    assert household.status == S.ACTIVE


def test_notice_without_publication_consent_is_refused(network, staff):
    household = _to_reviewed(network, staff, consent_publication_on=None)
    before = _snapshot(household)
    with pytest.raises(Conflict) as exc:
        procedure.notice_start(actor=staff, household=household)
    assert exc.value.message.startswith("职工尚未书面同意公示,不能公示。")
    assert _snapshot(household) == before
    assert not Notice.objects.exists()


def test_consent_record_then_notice(network, staff):
    household = _to_reviewed(network, staff, consent_publication_on=None)
    procedure.consent_record(
        actor=staff, household=household, kind="publication", given_on=date(2026, 3, 11)
    )
    procedure.notice_start(actor=staff, household=household)
    household.refresh_from_db()
    assert household.consent_publication_on == date(2026, 3, 11)
    assert household.status == S.PUBLICIZING


def test_the_same_consent_posted_twice_writes_one_audit_event(network, staff):
    household = _to_reviewed(network, staff, consent_publication_on=None)
    procedure.consent_record(
        actor=staff, household=household, kind="publication", given_on=date(2026, 3, 11)
    )
    events = AuditEvent.objects.count()

    procedure.consent_record(
        actor=staff, household=household, kind="publication", given_on=date(2026, 3, 11)
    )

    assert AuditEvent.objects.count() == events
    household.refresh_from_db()
    assert household.consent_publication_on == date(2026, 3, 11)


def test_submit_without_sensitive_consent_is_refused(network, staff):
    household = _to_reviewed(network, staff, consent_sensitive_on=None)
    procedure.notice_start(actor=staff, household=household)
    _end_notice(household)
    before = _snapshot(household)
    with pytest.raises(Conflict):
        procedure.submit_for_approval(actor=staff, household=household)
    assert _snapshot(household) == before


def test_visit_needs_two_visitors_and_right_state(network, staff):
    household = _file(network, staff)
    before = _snapshot(household)
    with pytest.raises(ValidationError) as exc:
        procedure.investigation_record(
            actor=staff,
            household=household,
            visited_on=date(2026, 3, 1),  # before the application
            visitors=["郭相妍", " 郭相妍 "],
            findings="",
            recommendation="",
        )
    assert exc.value.errors == {
        "visited_on": "调查日期不能早于 2026-03-02。",
        "visitors": "入户调查人员至少两人,请填写两个不同的姓名。",
        "findings": "请填写调查情况。",
        "recommendation": "请选择调查意见。",
    }
    assert _snapshot(household) == before
    with pytest.raises(Conflict):
        procedure.review_record(
            actor=staff,
            household=household,
            held_on=date(2026, 3, 10),
            participants="代表",
            votes_for=1,
            votes_against=0,
            passed=True,
            record="同意",
        )
    assert _snapshot(household) == before


def test_return_and_resubmit_goes_back_to_visit(network, staff, leader):
    household = _to_pending(network, staff)
    with pytest.raises(ValidationError) as exc:
        procedure.decide(actor=leader, household=household, outcome="returned")
    assert exc.value.errors == {"reason": "退回或不予建档时请填写理由。"}

    procedure.decide(actor=leader, household=household, outcome="returned", reason="收入证明缺失")
    household.refresh_from_db()
    assert household.status == S.RETURNED

    procedure.household_resubmit(actor=staff, household=household)
    household.refresh_from_db()
    assert household.status == S.APPLIED
    assert Visit.objects.filter(case__subject_id=household.pk, visited_on__isnull=True).count() == 1


def test_refuse_releases_ids(network, staff, leader):
    household = _to_pending(network, staff)
    procedure.decide(actor=leader, household=household, outcome="refused", reason="收入超标")
    household.refresh_from_db()
    assert household.status == S.REFUSED
    assert not IdRegistration.objects.filter(household=household).exists()


def test_failed_review_goes_to_approver_who_cannot_approve(network, staff, leader):
    household = _file(network, staff)
    procedure.investigation_record(
        actor=staff,
        household=household,
        visited_on=date(2026, 3, 5),
        visitors=["甲", "乙"],
        findings="有隐瞒收入",
        recommendation="disagree",
    )
    procedure.review_record(
        actor=staff,
        household=household,
        held_on=date(2026, 3, 10),
        participants="代表 5 人",
        votes_for=1,
        votes_against=4,
        passed=False,
        record="多数不同意",
    )
    with pytest.raises(Conflict):
        procedure.notice_start(actor=staff, household=household)
    procedure.submit_for_approval(actor=staff, household=household)
    with pytest.raises(Conflict):
        procedure.decide(actor=leader, household=household, outcome="approved")
    procedure.decide(actor=leader, household=household, outcome="refused", reason="评议未通过")
    household.refresh_from_db()
    assert household.status == S.REFUSED


def test_liaison_cannot_record_visit_or_decide(network, staff, liaison_a):
    household = filing.household_create(actor=liaison_a, data=household_input(network.station_a))
    with pytest.raises(PermissionDenied):
        procedure.investigation_record(
            actor=liaison_a,
            household=household,
            visited_on=date(2026, 3, 5),
            visitors=["甲", "乙"],
            findings="属实",
            recommendation="agree",
        )
    with pytest.raises(PermissionDenied):
        procedure.decide(actor=liaison_a, household=household, outcome="approved")


def test_draft_apply_creates_visit(network, staff):
    household = filing.household_create(
        actor=staff, data=household_input(network.station_a), draft=True
    )
    procedure.household_apply(actor=staff, household=household)
    household.refresh_from_db()
    assert household.status == S.APPLIED
    assert Visit.objects.get(case__subject_id=household.pk).due_on == date(2026, 3, 9)
