"""金秋助学 batches: one decision per item (each audited, each refusable on its own), one
notice for the whole batch, an objection to one item blocking that item only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bangfu.archives.tests.factories import make_member
from bangfu.assistance.campaign import (
    ReviewDecision,
    SignOffDecision,
    batch_add,
    batch_create,
    batch_notice,
    batch_review,
    batch_send,
    batch_signoff,
    batch_submit,
)
from bangfu.assistance.models import Application, CampaignBatch, Kind
from bangfu.assistance.services import application_create
from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent
from bangfu.notices.models import Notice, NoticeItem
from bangfu.notices.services import objection_record

from .factories import aided_household, education_input, make_programme

S = Application.Status
NAMES = ("张三丰", "李四光", "王五")


def _today():
    return timezone.localdate()


@pytest.fixture
def campaign(network, staff):
    return make_programme(
        network.township,
        staff,
        kind=Kind.EDUCATION,
        campaign=True,
        name="2026 年金秋助学",
        rules={
            "requires_visit": False,
            "one_signoff_limit": Decimal("10000"),
            "county_limit": Decimal("10000"),
        },
    )


@pytest.fixture
def applications(network, staff, campaign):
    made = []
    for n, name in enumerate(NAMES):
        household = aided_household(network.station_a, staff, name=name)
        child = make_member(household, name=f"{name[0]}小明{n}", relation="son")
        made.append(
            application_create(
                actor=staff, household_id=household.pk, data=education_input(campaign, child.pk)
            )
        )
    return made


@pytest.fixture
def batch(network, staff, campaign, applications):
    return batch_create(
        actor=staff,
        programme=campaign,
        unit=network.township,
        name="第一批",
        application_ids=[a.pk for a in applications],
    )


def _reviewed(staff, batch, applications, *, failed=()):
    batch_submit(actor=staff, batch=batch)
    return batch_review(
        actor=staff,
        batch=batch,
        held_on=_today(),
        participants="职工代表 7 人",
        record="逐项评议。",
        decisions=[
            ReviewDecision(
                a.pk, a.pk not in failed, 2 if a.pk in failed else 7, 5 if a.pk in failed else 0
            )
            for a in applications
        ],
    )


def _end(notice):
    Notice.objects.filter(pk=notice.pk).update(ends_on=_today() - timedelta(days=1))


def _statuses(applications):
    return [Application.objects.get(pk=a.pk).status for a in applications]


def test_a_batch_gathers_the_campaign_applications_of_one_centre(staff, batch, applications):
    assert set(batch.applications.values_list("pk", flat=True)) == {a.pk for a in applications}
    event = AuditEvent.objects.get(action="assistance.batch.create")
    assert event.summary == "新建金秋助学批次 2026 年金秋助学 · 第一批(3 项申请)"


def test_an_application_of_another_programme_is_refused_and_nothing_is_made(
    network, staff, campaign, applications
):
    other = make_programme(network.township, staff, kind=Kind.EDUCATION, name="助学专项")
    household = aided_household(network.station_b, staff, name="赵六")
    child = make_member(household, name="赵小六", relation="son")
    stray = application_create(
        actor=staff, household_id=household.pk, data=education_input(other, child.pk)
    )

    with pytest.raises(ValidationError) as refused:
        batch_create(
            actor=staff,
            programme=campaign,
            unit=network.township,
            name="第一批",
            application_ids=[applications[0].pk, stray.pk],
        )

    assert refused.value.errors == {"applications": "赵六的申请不属于2026 年金秋助学。"}
    assert not CampaignBatch.objects.exists()
    assert not Application.objects.exclude(batch=None).exists()


def test_an_application_in_another_batch_cannot_join(network, staff, campaign, batch, applications):
    second = batch_create(actor=staff, programme=campaign, unit=network.township, name="第二批")

    with pytest.raises(ValidationError) as refused:
        batch_add(actor=staff, batch=second, application_ids=[applications[0].pk])

    assert refused.value.errors == {"applications": "张三丰的申请已在另一批次中。"}
    assert Application.objects.get(pk=applications[0].pk).batch_id == batch.pk


def test_a_station_liaison_cannot_open_a_centre_batch(network, liaison_a, campaign):
    with pytest.raises(PermissionDenied):
        batch_create(actor=liaison_a, programme=campaign, unit=network.township, name="第一批")

    assert not CampaignBatch.objects.exists()


def test_a_batch_of_a_programme_outside_the_campaign_is_refused(network, staff):
    programme = make_programme(network.township, staff, kind=Kind.EDUCATION, name="助学专项")

    with pytest.raises(ValidationError) as refused:
        batch_create(actor=staff, programme=programme, unit=network.township, name="第一批")

    assert refused.value.errors == {"programme": "只有金秋助学项目可以分批办理。"}


def test_the_review_decides_each_item_on_its_own_with_its_own_audit_event(
    staff, batch, applications
):
    results = _reviewed(staff, batch, applications, failed={applications[1].pk})

    assert [r.done for r in results] == [True, True, True]
    # The one that did not pass goes to the leaders without a notice (to be refused).
    assert _statuses(applications) == [S.REVIEWED, S.REVIEWED, S.REVIEWED]
    assert AuditEvent.objects.filter(action="assistance.application.review").count() == 3


def test_one_notice_for_the_whole_batch_showing_no_child_and_no_id(staff, batch, applications):
    _reviewed(staff, batch, applications, failed={applications[1].pk})

    notice, results = batch_notice(actor=staff, batch=batch)

    assert Notice.objects.count() == 1
    assert notice.title == "金秋助学公示:2026 年金秋助学 第一批"
    items = list(NoticeItem.objects.filter(notice=notice).order_by("subject_id"))
    assert [i.person_name for i in items] == ["张*丰", "王*"]
    assert {i.aid_kind for i in items} == {"助学"}
    assert {i.unit_name for i in items} == {"响水社区帮扶站"}
    assert [i.amount for i in items] == [Decimal("5000.00"), Decimal("5000.00")]
    shown = " ".join(f"{i.person_name} {i.unit_name} {i.category} {i.aid_kind}" for i in items)
    assert "小明" not in shown
    assert [r.done for r in results] == [True, False, True]
    assert "不能执行此操作" in results[1].error
    assert _statuses(applications) == [S.PUBLICIZING, S.REVIEWED, S.PUBLICIZING]
    assert AuditEvent.objects.filter(action="assistance.application.notice").count() == 2


def test_a_second_notice_of_the_same_batch_is_refused(staff, batch, applications):
    _reviewed(staff, batch, applications)
    batch_notice(actor=staff, batch=batch)

    with pytest.raises(Conflict) as refused:
        batch_notice(actor=staff, batch=batch)

    assert refused.value.message == "本批次没有待公示的申请(须先通过民主评议)。"
    assert Notice.objects.count() == 1


def test_an_objection_to_one_item_blocks_that_item_only(staff, batch, applications):
    _reviewed(staff, batch, applications)
    notice, _results = batch_notice(actor=staff, batch=batch)
    item = NoticeItem.objects.get(notice=notice, subject_id=applications[1].pk)
    objection_record(
        actor=staff,
        notice=notice,
        item=item,
        channel="phone",
        received_on=_today(),
        from_name="匿名",
        contact="",
        content="该户有两套住房。",
    )
    _end(notice)

    results = batch_send(actor=staff, batch=batch)

    assert [r.done for r in results] == [True, False, True]
    assert results[1].error == "公示有未处理的异议,处理后才能提交审批。"
    assert _statuses(applications) == [S.PENDING_APPROVAL, S.PUBLICIZING, S.PENDING_APPROVAL]


def test_one_signoff_decision_per_item_and_a_bad_one_is_refused_alone(
    staff, leader, batch, applications
):
    _reviewed(staff, batch, applications)
    notice, _results = batch_notice(actor=staff, batch=batch)
    _end(notice)
    batch_send(actor=staff, batch=batch)
    before = AuditEvent.objects.filter(action="assistance.application.signoff").count()

    results = batch_signoff(
        actor=leader,
        batch=batch,
        decisions=[
            SignOffDecision(applications[0].pk, "approved"),
            SignOffDecision(applications[1].pk, "refused", ""),
            SignOffDecision(applications[2].pk, "returned", "缺录取通知书。"),
        ],
    )

    assert [r.done for r in results] == [True, False, True]
    assert results[1].error == "退回或不予批准时请填写理由。"
    assert _statuses(applications) == [S.APPROVED, S.PENDING_APPROVAL, S.RETURNED]
    after = AuditEvent.objects.filter(action="assistance.application.signoff").count()
    assert after - before == 2


def test_the_maker_cannot_sign_off_the_batch(staff, leader, batch, applications):
    _reviewed(staff, batch, applications)
    notice, _results = batch_notice(actor=staff, batch=batch)
    _end(notice)
    batch_send(actor=staff, batch=batch)

    results = batch_signoff(
        actor=staff,
        batch=batch,
        decisions=[SignOffDecision(a.pk, "approved") for a in applications],
    )

    assert not any(r.done for r in results)
    assert _statuses(applications) == [S.PENDING_APPROVAL] * 3


def test_a_decision_for_an_application_outside_the_batch_is_refused(
    staff, leader, batch, applications, network, campaign
):
    household = aided_household(network.station_b, staff, name="赵六")
    child = make_member(household, name="赵小六", relation="son")
    stray = application_create(
        actor=staff, household_id=household.pk, data=education_input(campaign, child.pk)
    )

    with pytest.raises(ValidationError) as refused:
        batch_signoff(actor=leader, batch=batch, decisions=[SignOffDecision(stray.pk, "approved")])

    assert refused.value.errors == {"decisions": f"编号为 {stray.pk} 的申请不在本批次中。"}
