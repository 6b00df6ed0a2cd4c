"""Procedure pages: the panel on the detail page, the action URLs, scope, the worklist."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household
from bangfu.archives.services import filing, procedure
from bangfu.archives.services.procedure import FILING
from bangfu.core.models import AuditEvent
from bangfu.core.worklist import due_items
from bangfu.kits.workflow.models import Case, Step, Visit
from bangfu.kits.workflow.tests.factories import make_case
from bangfu.notices.models import Notice

from .factories import make_household, make_id_number
from .filing_factories import household_input

S = Household.Status
SUBMITTED = {"level": "响水乡", "opinion": "公示期满无异议", "date": "2026-03-02", "by": "郭相妍",
             "step": "submit"}  # fmt: skip
ACTIONS = [
    "procedure_apply",
    "procedure_resubmit",
    "procedure_investigation",
    "procedure_review",
    "procedure_notice",
    "procedure_submit",
    "procedure_decide",
    "procedure_consent",
]


def _visit(staff, household) -> None:
    procedure.investigation_record(
        actor=staff,
        household=household,
        visited_on=date(2026, 3, 5),
        visitors=["甲", "乙"],
        findings="属实",
        recommendation="agree",
    )


@pytest.mark.parametrize("name", ACTIONS)
def test_liaison_gets_404_for_other_station_archive_on_every_procedure_url(
    client, network, staff, liaison_a, name
):
    # given an archive of station B in every interesting state
    other = make_household(network.station_b, filed_by=staff, status=S.APPLIED)
    client.force_login(liaison_a)
    events = AuditEvent.objects.count()
    url = reverse(f"archives:{name}", args=[other.pk])

    # when / then
    assert client.get(url).status_code == 404
    assert client.post(url, {"visited_on": "2026-03-05"}).status_code == 404
    other.refresh_from_db()
    assert other.status == S.APPLIED
    assert AuditEvent.objects.count() == events


def test_liaison_in_scope_may_not_record_visit(client, network, liaison_a):
    household = filing.household_create(actor=liaison_a, data=household_input(network.station_a))
    client.force_login(liaison_a)
    response = client.post(
        reverse("archives:procedure_investigation", args=[household.pk]),
        {
            "visited_on": "2026-03-05",
            "visitors": "甲\n乙",
            "findings": "属实",
            "recommendation": "agree",
        },
    )
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.status == S.APPLIED


def test_record_visit_through_the_page(client, network, staff):
    household = filing.household_create(actor=staff, data=household_input(network.station_a))
    client.force_login(staff)
    url = reverse("archives:procedure_investigation", args=[household.pk])

    # a form with errors comes back with what was typed
    response = client.post(
        url,
        {"visited_on": "2026-03-05", "visitors": "甲", "findings": "家中困难"},
    )
    html = response.content.decode()
    assert response.status_code == 400  # invalid input (core.formkit.action_response)
    assert "入户调查人员至少两人,请填写两个不同的姓名。" in html
    assert "家中困难" in html

    response = client.post(
        url,
        {
            "visited_on": "2026-03-05",
            "visitors": "甲、乙",
            "findings": "家中困难",
            "recommendation": "agree",
        },
    )
    assert response.status_code == 302
    assert Visit.objects.get().visitors == ["甲", "乙"]


def test_decide_page_refuses_the_maker_with_reason(client, network):
    both = make_user((Role.STAFF, network.township), (Role.LEADER, network.township))
    household = make_household(network.station_a, filed_by=both, status=S.PENDING_APPROVAL)
    make_case(FILING, household, step=Step.APPROVAL, maker=both)
    client.force_login(both)
    response = client.post(
        reverse("archives:procedure_decide", args=[household.pk]),
        {"outcome": "approved"},
    )
    assert response.status_code == 403
    assert "建档与审核须由不同的人" in response.content.decode()
    household.refresh_from_db()
    assert household.status == S.PENDING_APPROVAL


def test_conflict_shows_message(client, network, staff):
    household = filing.household_create(actor=staff, data=household_input(network.station_a))
    client.force_login(staff)
    response = client.post(reverse("archives:procedure_submit", args=[household.pk]), {"note": ""})
    assert response.status_code == 409
    assert "当前状态为“待入户调查”,不能执行此操作。" in response.content.decode()


def test_detail_page_shows_panel_with_due_date_and_visit_form(client, network, staff):
    household = filing.household_create(
        actor=staff, data=household_input(network.station_a, applied_on=date(2026, 3, 2))
    )
    client.force_login(staff)
    html = client.get(reverse("archives:household_detail", args=[household.pk])).content.decode()
    assert 'data-testid="procedure-panel"' in html
    assert "2026-03-09" in html
    assert "入户调查:申请后 5 个工作日" in html
    assert "已逾期" in html  # 9 March 2026 has passed
    assert 'data-testid="investigation-form"' in html


def test_detail_page_panel_for_leader_shows_decide_form(client, network, staff, leader):
    household = make_household(network.station_a, filed_by=staff, status=S.PENDING_APPROVAL)
    make_case(FILING, household, step=Step.APPROVAL, maker=staff)
    client.force_login(leader)
    html = client.get(reverse("archives:household_detail", args=[household.pk])).content.decode()
    assert 'data-testid="decide-form"' in html
    assert 'data-testid="investigation-form"' not in html


def test_worklist_items(network, staff, leader, liaison_a, settings):
    # given an application due, one waiting for approval, one returned to its filer
    applied = filing.household_create(actor=staff, data=household_input(network.station_a))
    pending = make_household(
        network.station_b,
        filed_by=staff,
        status=S.PENDING_APPROVAL,
        opinions=[SUBMITTED],
        archive_no="2026-09001",
    )
    make_case(FILING, pending, step=Step.APPROVAL, since=date(2026, 3, 2), maker=staff)
    returned = filing.household_create(actor=liaison_a, data=household_input(network.point_a1))
    Household.objects.filter(pk=returned.pk).update(status=S.RETURNED)
    Case.objects.filter(subject_id=returned.pk).update(step=Step.RETURNED)

    # then staff sees the visit due, with its rule
    staff_items = [i for i in due_items(staff) if i.context == "建档" and not i.waiting]
    assert [(i.title, i.due, i.rule) for i in staff_items] == [
        (f"入户调查:张三({applied.archive_no})", date(2026, 3, 9), "入户调查:申请后 5 个工作日")
    ]
    # the township leader sees the approval, due 5 working days after its submission
    leader_items = [i for i in due_items(leader) if i.context == "建档" and not i.waiting]
    assert [(i.title, i.due, i.rule) for i in leader_items] == [
        (
            f"建档审批:张三({pending.archive_no},金霞社区帮扶站)",
            date(2026, 3, 9),
            "审批:提交后 5 个工作日",
        )
    ]
    # the liaison sees its returned archive
    liaison_items = [i for i in due_items(liaison_a) if i.context == "建档" and not i.waiting]
    assert [i.title for i in liaison_items] == [f"退回修改:张三({returned.archive_no})"]

    # with approval at the parent level (fixed when the archive is submitted), the county
    # leader sees it and the township leader not
    settings.BANGFU_ARCHIVE_APPROVAL_LEVEL = "parent"
    Case.objects.filter(subject_id=pending.pk).update(approval_unit=network.county)
    county_leader = make_user((Role.LEADER, network.county))
    assert [i.title for i in due_items(county_leader) if i.context == "建档" and not i.waiting] == [
        f"建档审批:张三({pending.archive_no},金霞社区帮扶站)"
    ]
    assert [i for i in due_items(leader) if i.context == "建档" and not i.waiting] == []


def test_worklist_approval_due_follows_the_setting(network, staff, leader, settings):
    # given one archive submitted on Friday 6 March
    submitted = make_household(
        network.station_b,
        filed_by=staff,
        status=S.PENDING_APPROVAL,
        opinions=[{**SUBMITTED, "date": "2026-03-06"}],
    )
    make_case(FILING, submitted, step=Step.APPROVAL, since=date(2026, 3, 6), maker=staff)
    settings.BANGFU_APPROVAL_WORKING_DAYS = 3

    # when
    items = {i.url: i for i in due_items(leader) if i.context == "建档"}

    # then: 3 working days after the submission (the weekend not counted)
    first = items[reverse("archives:household_detail", args=[submitted.pk]) + "#panel-procedure"]
    assert (first.due, first.rule) == (date(2026, 3, 11), "审批:提交后 3 个工作日")


def test_worklist_approvals_query_count_does_not_grow(
    network, staff, leader, django_assert_max_num_queries
):
    for n in range(6):
        household = make_household(
            network.station_a if n % 2 else network.station_b,
            filed_by=staff,
            status=S.PENDING_APPROVAL,
            id_number=make_id_number(seq=900 + n),
            opinions=[{**SUBMITTED, "date": f"2026-03-0{n + 2}"}],
        )
        make_case(FILING, household, step=Step.APPROVAL, since=date(2026, 3, n + 2), maker=staff)
    from bangfu.archives.due import procedure_due_items

    # the user's grants, the approvals, the working-day calendar (the leader also files:
    # returned archives)
    with django_assert_max_num_queries(4):
        items = list(procedure_due_items(leader))
    assert len(items) == 6


def test_worklist_query_count_does_not_grow(network, staff, django_assert_max_num_queries):
    for n in range(6):
        filing.household_create(
            actor=staff, data=household_input(network.station_a, name=f"职工{n}")
        )
    Visit.objects.update(due_on=timezone.localdate() + timedelta(days=3))
    from bangfu.archives.due import procedure_due_items

    with django_assert_max_num_queries(4):
        items = list(procedure_due_items(staff))
    assert len(items) == 6


def _done_steps(html: str) -> list[str]:
    """The titles of the procedure steps marked 已完成 on the detail page."""
    steps = html.split('data-testid="procedure-step"')[1:]
    return [
        step.split("<strong>", 1)[1].split("</strong>", 1)[0]
        for step in steps
        if "已完成" in step.split("</li>", 1)[0]
    ]


def test_after_a_return_the_steps_of_the_new_round_are_not_shown_done(
    client, network, staff, leader
):
    # Given an archive visited, reviewed, publicised and submitted, then returned by the leader
    household = filing.household_create(
        actor=staff, data=household_input(network.station_a, applied_on=date(2026, 3, 2))
    )
    _visit(staff, household)
    procedure.review_record(
        actor=staff,
        household=household,
        held_on=date(2026, 3, 10),
        participants="评议小组 7 人",
        votes_for=7,
        votes_against=0,
        passed=True,
        record="同意。",
    )
    procedure.notice_start(actor=staff, household=household)
    Notice.objects.update(ends_on=timezone.localdate() - timedelta(days=1))  # period over
    procedure.submit_for_approval(actor=staff, household=household)
    procedure.decide(actor=leader, household=household, outcome="returned", reason="补充材料")
    procedure.household_resubmit(actor=staff, household=household)
    url = reverse("archives:household_detail", args=[household.pk])
    client.force_login(staff)

    # When the new round's visit is recorded
    assert _done_steps(client.get(url).content.decode()) == ["申请"]
    _visit(staff, household)
    html = client.get(url).content.decode()

    # Then the review and the notice are still to do (the earlier round's stay listed)
    assert _done_steps(html) == ["申请", "入户调查"]
    assert 'data-testid="review-record-form"' in html
    assert "公示期满,无异议" in html

    # And the new round goes on to a new notice, though `end_notices` never ran for the first
    procedure.review_record(
        actor=staff,
        household=household,
        held_on=timezone.localdate(),
        participants="评议小组 7 人",
        votes_for=7,
        votes_against=0,
        passed=True,
        record="补充材料后同意。",
    )
    procedure.notice_start(actor=staff, household=household)
    household.refresh_from_db()
    assert household.status == S.PUBLICIZING
    assert _done_steps(client.get(url).content.decode()) == ["申请", "入户调查", "民主评议"]
    # The notice line gives the period counted, as the notice itself does (not the posting day)
    notice = Notice.objects.latest("pk")
    line = f"公示中:{notice.counts_from:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}"
    assert notice.counts_from != notice.starts_on
    assert line in client.get(url).content.decode()


def test_in_english_the_due_rules_and_the_rule_version_are_english(client, network, staff):
    # Given an application waiting for its visit and an archive on its notice
    waiting = filing.household_create(
        actor=staff, data=household_input(network.station_a, applied_on=date(2026, 3, 2))
    )
    noticed = filing.household_create(
        actor=staff,
        data=household_input(
            network.station_a,
            name="李四",
            id_number=make_id_number(seq=77),
            applied_on=date(2026, 3, 2),
        ),
    )
    _visit(staff, noticed)
    procedure.review_record(
        actor=staff,
        household=noticed,
        held_on=date(2026, 3, 10),
        participants="评议小组 7 人",
        votes_for=7,
        votes_against=0,
        passed=True,
        record="同意。",
    )
    procedure.notice_start(actor=staff, household=noticed)
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    # When staff read the pages in English
    visit_page = client.get(reverse("archives:household_detail", args=[waiting.pk]))
    notice_page = client.get(reverse("archives:household_detail", args=[noticed.pk]))
    worklist = client.get(reverse("workbench:worklist"))

    # Then the rules are in English (they are kept in Chinese as written)
    assert "Home visit: 5 working days after the application" in visit_page.content.decode()
    assert "Home visit: 5 working days after the application" in worklist.content.decode()
    assert "Posted 5 working days (" in notice_page.content.decode()
    for page in (visit_page, notice_page, worklist):
        html = page.content.decode()
        assert "个工作日" not in html
        assert "全总 2021 年起困难职工认定办法" not in html


def test_notice_form_is_not_offered_without_publication_consent(client, network, staff):
    # Given an archive reviewed and passed, whose worker has not consented to publication
    household = filing.household_create(
        actor=staff,
        data=household_input(network.station_a, consent_publication_on=None),
    )
    _visit(staff, household)
    procedure.review_record(
        actor=staff,
        household=household,
        held_on=date(2026, 3, 10),
        participants="评议小组 7 人",
        votes_for=7,
        votes_against=0,
        passed=True,
        record="同意。",
    )
    url = reverse("archives:household_detail", args=[household.pk])
    client.force_login(staff)

    # When staff opens the archive
    html = client.get(url).content.decode()

    # Then no notice form: the panel says what is missing and links to the consent form
    assert 'data-testid="notice-form"' not in html
    assert 'data-testid="notice-blocked"' in html
    assert "职工尚未书面同意公示,不能公示。" in html
    assert 'href="#consent-form"' in html
    assert 'id="consent-form"' in html

    # And once the consent is recorded, the notice form is offered
    Household.objects.filter(pk=household.pk).update(consent_publication_on=date(2026, 3, 2))
    html = client.get(url).content.decode()
    assert 'data-testid="notice-form"' in html
    assert 'data-testid="notice-blocked"' not in html
