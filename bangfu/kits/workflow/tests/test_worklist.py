"""The kit's one worklist provider: every kind of due item, scoped, in a constant number of
queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.archives.models import Household
from bangfu.archives.tests.factories import make_household
from bangfu.kits.workflow import due, services

pytestmark = pytest.mark.django_db


def _subjects(network, staff, n, start=0):
    return [
        make_household(
            network.station_a, filed_by=staff, status=Household.Status.DRAFT, name=f"职工{i}"
        )
        for i in range(start, start + n)
    ]


def _submitted(aid, staff, subject):
    services.case_start(actor=staff, procedure=aid, subject=subject)
    services.visit_record(
        actor=staff,
        procedure=aid,
        subject=subject,
        visited_on=timezone.localdate(),
        visitors=["甲", "乙"],
        findings="属实",
        recommendation="disagree",
    )
    services.review_record(
        actor=staff,
        procedure=aid,
        subject=subject,
        held_on=timezone.localdate(),
        participants="代表",
        votes_for=0,
        votes_against=5,
        passed=False,
        record="未通过",
    )
    services.submit(actor=staff, procedure=aid, subject=subject)


def test_visits_due_go_to_the_staff_and_approvals_to_the_leader(aid, network, staff, leader):
    visiting, approving = _subjects(network, staff, 2)
    services.case_start(
        actor=staff,
        procedure=aid,
        subject=visiting,
        start=timezone.localdate() - timedelta(days=30),
    )
    _submitted(aid, staff, approving)

    staff_items = [i for i in due.items_of(staff, aid) if not i.waiting]
    leader_items = [i for i in due.items_of(leader, aid) if not i.waiting]

    assert [i.title for i in staff_items] == ["入户调查:职工0(测试)"]
    assert staff_items[0].overdue
    assert staff_items[0].url == f"/test/{visiting.pk}/"
    assert [i.title for i in leader_items] == [f"测试审批:职工1(测试)({network.station_a.name})"]
    assert leader_items[0].rule == "审批:提交后 5 个工作日"


def test_a_liaison_sees_its_stations_cases_waiting_on_others(
    aid, network, staff, leader, liaison_a
):
    # Given a case waiting for the centre's home visit and one waiting for the leader
    visiting, approving = _subjects(network, staff, 2)
    services.case_start(actor=staff, procedure=aid, subject=visiting)
    _submitted(aid, staff, approving)

    # When the station's liaison (who may start a case, not visit or approve) reads the worklist
    items = due.items_of(liaison_a, aid)

    # Then both are there, apart from the liaison's own to-dos, each saying who must act next
    assert all(i.waiting for i in items)
    by_title = {i.title: i for i in items}
    assert set(by_title) == {"职工0(测试)", "职工1(测试)"}
    assert by_title["职工0(测试)"].rule.startswith(
        f"等待{network.station_a.name}工作人员入户调查,截止 "
    )
    assert by_title["职工1(测试)"].rule == f"等待{network.township.name}领导审批"
    assert by_title["职工0(测试)"].url == f"/test/{visiting.pk}/"

    # And the staff who may visit sees only the approval as waiting on others
    staff_waiting = [i.title for i in due.items_of(staff, aid) if i.waiting]
    assert staff_waiting == ["职工1(测试)"]


def test_a_liaison_of_another_station_sees_nothing(aid, network, staff, liaison_b):
    (subject,) = _subjects(network, staff, 1)
    services.case_start(actor=staff, procedure=aid, subject=subject)

    assert due.items_of(liaison_b, aid) == []


def test_the_worklist_takes_the_same_number_of_queries_for_more_subjects(
    aid, network, staff, leader
):
    for subject in _subjects(network, staff, 2):
        _submitted(aid, staff, subject)
    due.items_of(leader, aid)  # the user's grants are read once and kept
    with CaptureQueriesContext(connection) as few:
        first = due.items_of(leader, aid)
    for subject in _subjects(network, staff, 6, start=2):
        _submitted(aid, staff, subject)

    with CaptureQueriesContext(connection) as many:
        second = due.items_of(leader, aid)

    assert (len(first), len(second)) == (2, 8)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_approver_is_told_it_is_theirs_to_approve(aid, network, staff, leader):
    from bangfu.kits.workflow import selectors
    from bangfu.kits.workflow.models import Case

    (subject,) = _subjects(network, staff, 1)
    _submitted(aid, staff, subject)
    case = Case.objects.get(subject_id=subject.pk)

    assert selectors.next_action(aid, case, None, leader) == (f"请您审批({network.township.name})")
    assert selectors.next_action(aid, case, None, staff) == f"等待{network.township.name}领导审批"
