"""The procedure kit's transitions over a test procedure (see `procedures.py`)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household
from bangfu.archives.tests.factories import make_household
from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent
from bangfu.kits.workflow import selectors, services
from bangfu.kits.workflow.models import Case, SignOff, Step, Visit
from bangfu.notices.models import Notice, NoticeItem

from .procedures import AMOUNTS, NO_VISIT

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _subject(network, staff, name="张三"):
    return make_household(
        network.station_a, filed_by=staff, status=Household.Status.DRAFT, name=name
    )


def _end_notice(subject) -> None:
    ids = NoticeItem.objects.filter(subject_id=subject.pk).values_list("notice_id")
    Notice.objects.filter(pk__in=ids).update(ends_on=_today() - timedelta(days=1))


def _visit(aid, staff, subject, **overrides):
    data = {
        "visited_on": _today(),
        "visitors": ["郭相妍", "李联络"],
        "findings": "家中两人,丈夫下岗。",
        "recommendation": "agree",
    }
    data.update(overrides)
    return services.visit_record(actor=staff, procedure=aid, subject=subject, **data)


def _review(aid, staff, subject, passed=True):
    return services.review_record(
        actor=staff,
        procedure=aid,
        subject=subject,
        held_on=_today(),
        participants="居民代表 7 人",
        votes_for=7 if passed else 1,
        votes_against=0 if passed else 6,
        passed=passed,
        record="评议记录。",
    )


def _to_approval(aid, staff, subject, amount=None):
    if amount is not None:
        AMOUNTS[subject.pk] = Decimal(amount)
    services.case_start(
        actor=staff, procedure=aid, subject=subject, start=_today() - timedelta(days=10)
    )
    if subject.pk not in NO_VISIT:
        _visit(aid, staff, subject)
    _review(aid, staff, subject)
    services.notice_start(actor=staff, procedure=aid, subject=subject)
    _end_notice(subject)
    return services.submit(actor=staff, procedure=aid, subject=subject)


def _sign(aid, user, subject, outcome="approved", opinion=""):
    return services.signoff_record(
        actor=user, procedure=aid, subject=subject, outcome=outcome, opinion=opinion
    )


def test_start_opens_the_home_visit_due_in_working_days(aid, network, staff):
    subject = _subject(network, staff)
    start = _today() - timedelta(days=3)

    case = services.case_start(actor=staff, procedure=aid, subject=subject, start=start)

    assert case.step == Step.VISIT
    assert case.round == 1
    visit = Visit.objects.get(case=case)
    assert visit.due_from == start
    assert visit.due_rule == "入户调查:申请后 5 个工作日"
    assert visit.due_on == case.visit_due_on > start
    event = AuditEvent.objects.filter(object_id=str(subject.pk)).get()
    assert event.action == "archives.procedure.apply"


def test_a_second_start_is_refused_and_writes_nothing(aid, network, staff):
    subject = _subject(network, staff)
    services.case_start(actor=staff, procedure=aid, subject=subject)

    with pytest.raises(Conflict) as refused:
        services.case_start(actor=staff, procedure=aid, subject=subject)

    assert str(refused.value) == "“张三(测试)”当前环节为“入户调查”,不能执行此操作。"
    assert Case.objects.count() == 1
    assert Visit.objects.count() == 1
    assert AuditEvent.objects.filter(object_id=str(subject.pk)).count() == 1


def test_a_visit_with_one_visitor_is_refused_and_changes_nothing(aid, network, staff):
    subject = _subject(network, staff)
    services.case_start(actor=staff, procedure=aid, subject=subject)

    with pytest.raises(ValidationError) as refused:
        _visit(aid, staff, subject, visitors=["郭相妍", " 郭相妍 "])

    assert refused.value.errors == {"visitors": "入户调查人员至少两人,请填写两个不同的姓名。"}
    assert Case.objects.get().step == Step.VISIT
    assert Visit.objects.get().visited_on is None


def test_a_second_click_on_the_visit_is_refused_naming_the_step(aid, network, staff):
    subject = _subject(network, staff)
    services.case_start(actor=staff, procedure=aid, subject=subject)
    _visit(aid, staff, subject)

    with pytest.raises(Conflict) as refused:
        _visit(aid, staff, subject)

    assert str(refused.value) == "“张三(测试)”当前环节为“民主评议”,不能执行此操作。"
    assert Visit.objects.count() == 1


def test_a_subject_without_a_home_visit_starts_at_the_review(aid, network, staff):
    subject = _subject(network, staff)
    NO_VISIT.add(subject.pk)

    case = services.case_start(actor=staff, procedure=aid, subject=subject)

    assert case.step == Step.REVIEW
    assert not Visit.objects.exists()


def test_submit_before_the_notice_ends_is_refused(aid, network, staff):
    subject = _subject(network, staff)
    services.case_start(actor=staff, procedure=aid, subject=subject)
    _visit(aid, staff, subject)
    _review(aid, staff, subject)
    case = services.notice_start(actor=staff, procedure=aid, subject=subject)

    with pytest.raises(Conflict) as refused:
        services.submit(actor=staff, procedure=aid, subject=subject)

    assert case.notice_ends_on is not None
    assert str(refused.value) == (
        f"公示期未满(至 {case.notice_ends_on.isoformat()}),期满后才能提交审批。"
    )
    assert Case.objects.get().step == Step.NOTICE


def test_up_to_1000_yuan_one_leader_of_the_centre_completes_it(aid, network, staff, leader):
    subject = _subject(network, staff)
    _to_approval(aid, staff, subject, amount="800")

    signoff = _sign(aid, leader, subject)

    case = Case.objects.get()
    assert case.step == Step.APPROVED
    assert signoff.level_unit == network.township
    assert signoff.signed_by == leader


def test_above_1000_yuan_two_leaders_sign_and_the_same_one_never_twice(aid, network, staff, leader):
    subject = _subject(network, staff)
    _to_approval(aid, staff, subject, amount="3000")
    second = make_user((Role.LEADER, network.township), username="leader2", full_name="刘副")

    _sign(aid, leader, subject)
    assert Case.objects.get().step == Step.APPROVAL
    with pytest.raises(PermissionDenied) as twice:
        _sign(aid, leader, subject)
    _sign(aid, second, subject)

    assert str(twice.value) == "您已签署过本轮审批,同一人不能签署两次。"
    assert Case.objects.get().step == Step.APPROVED
    assert SignOff.objects.count() == 2


def test_above_5000_yuan_the_county_signs_after_the_centre(aid, network, staff, leader):
    subject = _subject(network, staff)
    _to_approval(aid, staff, subject, amount="8000")
    second = make_user((Role.LEADER, network.township), username="leader2", full_name="刘副")
    county = make_user((Role.LEADER, network.county), username="county", full_name="县领导")

    _sign(aid, leader, subject)
    _sign(aid, second, subject)
    waiting = Case.objects.get()
    _sign(aid, county, subject)

    assert waiting.step == Step.APPROVAL
    assert waiting.approval_unit == network.county
    assert Case.objects.get().step == Step.APPROVED
    assert [s.level_unit for s in SignOff.objects.order_by("pk")] == [
        network.township,
        network.township,
        network.county,
    ]


def test_whoever_recorded_the_visit_cannot_sign_it_off(aid, network, staff):
    both = make_user(
        (Role.STAFF, network.township), (Role.LEADER, network.township), username="both"
    )
    subject = _subject(network, staff)
    services.case_start(actor=staff, procedure=aid, subject=subject)
    _visit(aid, both, subject)
    _review(aid, staff, subject)
    services.notice_start(actor=staff, procedure=aid, subject=subject)
    _end_notice(subject)
    services.submit(actor=staff, procedure=aid, subject=subject)

    with pytest.raises(PermissionDenied) as refused:
        _sign(aid, both, subject)

    assert str(refused.value) == (
        "您参与了该事项的经办、入户调查或民主评议记录,不能审批(经办与审核须由不同的人)。"
    )
    assert not SignOff.objects.exists()
    assert Case.objects.get().step == Step.APPROVAL


def test_a_return_needs_a_reason(aid, network, staff, leader):
    subject = _subject(network, staff)
    _to_approval(aid, staff, subject)

    with pytest.raises(ValidationError) as refused:
        _sign(aid, leader, subject, outcome="returned", opinion="  ")

    assert refused.value.errors == {"opinion": "退回或不予批准时请填写理由。"}
    assert not SignOff.objects.exists()


def test_after_a_return_a_new_round_starts_and_the_old_one_stays_visible(
    aid, network, staff, leader
):
    subject = _subject(network, staff)
    _to_approval(aid, staff, subject)
    _sign(aid, leader, subject, outcome="returned", opinion="收入证明缺失")

    case = services.case_resubmit(actor=staff, procedure=aid, subject=subject)
    view = selectors.procedure_view(aid, subject, leader)

    assert case.round == 2
    assert case.step == Step.VISIT
    assert [s.opinion for s in view.signoffs] == ["收入证明缺失"]
    assert [step.state for step in view.steps] == ["current", "waiting", "waiting", "waiting"]
    assert selectors.latest_review(case) is None


def test_refusing_ends_the_case(aid, network, staff, leader):
    subject = _subject(network, staff)
    _to_approval(aid, staff, subject)

    _sign(aid, leader, subject, outcome="refused", opinion="不符合条件")

    case = Case.objects.get()
    assert case.step == Step.REFUSED
    assert case.decided_on == _today()


def test_a_review_that_did_not_pass_can_only_be_returned_or_refused(aid, network, staff, leader):
    subject = _subject(network, staff)
    services.case_start(actor=staff, procedure=aid, subject=subject)
    _visit(aid, staff, subject)
    _review(aid, staff, subject, passed=False)
    services.submit(actor=staff, procedure=aid, subject=subject)

    with pytest.raises(Conflict) as refused:
        _sign(aid, leader, subject)

    assert str(refused.value) == "民主评议未通过,不能批准;请退回或不予批准。"
    assert not SignOff.objects.exists()


def test_a_batch_makes_one_signoff_each_and_refuses_each_on_its_own(aid, network, staff, leader):
    ready = [_subject(network, staff, name=f"职工{i}") for i in range(3)]
    for subject in ready:
        _to_approval(aid, staff, subject)
    not_ready = _subject(network, staff, name="未提交")
    services.case_start(actor=staff, procedure=aid, subject=not_ready)
    events_before = AuditEvent.objects.count()

    results = services.signoff_many(
        actor=leader, procedure=aid, subjects=[*ready, not_ready], outcome="approved"
    )

    assert [bool(r.signoff) for r in results] == [True, True, True, False]
    assert results[3].error == "“未提交(测试)”当前环节为“入户调查”,不能执行此操作。"
    assert SignOff.objects.count() == 3
    assert AuditEvent.objects.count() == events_before + 3


def test_the_next_action_names_who_must_act_and_the_due_date(aid, network, staff, leader):
    subject = _subject(network, staff)
    case = services.case_start(actor=staff, procedure=aid, subject=subject)

    view = selectors.procedure_view(aid, subject, leader)

    due = case.visit_due_on
    assert due is not None
    assert view.next_action == (
        f"等待{network.station_a.name}工作人员入户调查,截止 {due.month}月{due.day}日"
    )
    assert view.actions == []
    staff_view = selectors.procedure_view(aid, subject, staff)
    assert staff_view.actions == ["visit"]
    assert staff_view.next_action == f"请您入户调查,截止 {due.month}月{due.day}日"


def test_cases_open_starts_many_in_a_constant_number_of_queries_and_audits_nothing(
    aid, network, staff, django_assert_max_num_queries
):
    few = [_subject(network, staff, name=f"甲{i}") for i in range(2)]
    many = [_subject(network, staff, name=f"乙{i}") for i in range(8)]
    NO_VISIT.add(many[0].pk)
    events = AuditEvent.objects.count()
    start = _today() - timedelta(days=2)

    with transaction.atomic(), CaptureQueriesContext(connection) as first:
        services.cases_open(actor=staff, procedure=aid, subjects=few, start_of=lambda s: start)
    with transaction.atomic(), CaptureQueriesContext(connection) as second:
        cases = services.cases_open(
            actor=staff, procedure=aid, subjects=many, start_of=lambda s: start
        )

    assert len(second.captured_queries) == len(first.captured_queries)
    assert [c.step for c in cases[:2]] == [Step.REVIEW, Step.VISIT]
    assert Visit.objects.filter(case__in=cases).count() == 7
    assert Case.objects.get(pk=cases[1].pk).visit_due_on == Visit.objects.get(case=cases[1]).due_on
    assert AuditEvent.objects.count() == events


def test_an_audit_action_of_no_context_is_refused_and_nothing_is_written(aid, network, staff):
    subject = _subject(network, staff)
    broken = dataclasses.replace(aid, audit_action=lambda verb: "tests.aid.start")

    with pytest.raises(TypeError):
        services.case_start(actor=staff, procedure=broken, subject=subject)

    assert not Case.objects.exists()
    assert not Visit.objects.exists()


def test_after_a_return_the_earlier_rounds_notice_does_not_let_it_be_submitted(
    aid, network, staff, leader
):
    subject = _subject(network, staff)
    _to_approval(aid, staff, subject)
    _sign(aid, leader, subject, outcome="returned", opinion="补材料")
    services.case_resubmit(actor=staff, procedure=aid, subject=subject)
    _visit(aid, staff, subject)
    _review(aid, staff, subject)

    with pytest.raises(Conflict) as refused:
        services.submit(actor=staff, procedure=aid, subject=subject)

    assert str(refused.value) == "尚无有效的公示,请先公示。"
    assert Case.objects.get().step == Step.NOTICE


def test_the_panel_block_shows_the_steps_the_next_action_and_every_rounds_signoffs(
    aid, network, staff, leader
):
    subject = _subject(network, staff)
    _to_approval(aid, staff, subject)
    _sign(aid, leader, subject, outcome="returned", opinion="收入证明缺失")
    services.case_resubmit(actor=staff, procedure=aid, subject=subject)

    html = render_to_string(
        "workflow/steps.html", {"view": selectors.procedure_view(aid, subject, staff)}
    )

    assert 'data-testid="next-action"' in html
    assert "请您入户调查" in html  # the staff who may visit is asked to, not told to wait
    assert html.count('data-testid="workflow-step"') == 4
    assert html.count("已完成") == 0  # the new round has done nothing yet
    assert "收入证明缺失" in html and "退回修改" in html
