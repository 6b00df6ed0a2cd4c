"""Re-evaluation after a 低保 standard changed: the job lists changes without making any; staff
confirm or dismiss them, one by one or all, within their scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Determination, Household, ReevaluationItem
from bangfu.archives.services import categories
from bangfu.archives.services.standards import dibao_standard_create
from bangfu.archives.tasks import reevaluate_area
from bangfu.archives.tests.factories import make_area, make_household, make_member, make_standards
from bangfu.core.errors import Conflict, NotFound
from bangfu.core.models import AuditEvent, Job

pytestmark = pytest.mark.django_db

NEW_DAY = date(2026, 7, 1)


def determined(unit, staff, area, wage_income: str, **fields) -> Household:
    """An archive of one person whose category was determined under the 650 standard."""
    household = make_household(
        unit, filed_by=staff, area=area, wage_income=Decimal(wage_income), **fields
    )
    categories.household_determine(actor=staff, household=household, on=date(2026, 3, 1))
    household.refresh_from_db()
    return household


def raise_standard(sysadmin, area, amount: str = "700.00"):
    saved = dibao_standard_create(actor=sysadmin, area=area, amount=amount, effective_from=NEW_DAY)
    reevaluation = saved.reevaluation
    assert reevaluation is not None
    reevaluate_area.call(job_id=str(reevaluation.job_id), reevaluation_id=reevaluation.pk)
    reevaluation.refresh_from_db()
    return reevaluation


@pytest.fixture
def area():
    area = make_area()
    make_standards(area)  # 650 from 2024
    return area


def test_the_job_lists_changes_and_changes_no_archive(network, staff, sysadmin, area):
    # given: 8 100 a year = 675.00 a month: relative at 650, deep at 700
    moves = determined(network.station_a, staff, area, "8100")
    stays = determined(network.station_a, staff, area, "6000", name="李明")  # 500: deep anyway
    closed = determined(network.station_b, staff, area, "8100", name="王五")
    Household.objects.filter(pk=closed.pk).update(status=Household.Status.CLOSED)
    other_area = make_area("430321", "湘潭县", "county")
    make_standards(other_area)
    elsewhere = determined(network.station_b, staff, other_area, "8100", name="赵六")
    determinations = Determination.objects.count()
    events = AuditEvent.objects.count()

    # when
    reevaluation = raise_standard(sysadmin, area)

    # then: one item, archives untouched
    item = ReevaluationItem.objects.get()
    assert (item.household, item.old_category, item.new_category) == (moves, "relative", "deep")
    assert item.reason == "月人均净收入 675.00 元 ≤ 低保标准 700.00 元 → 深度困难"
    assert item.status == "pending"
    assert reevaluation.evaluated == 2
    assert Household.objects.get(pk=moves.pk).category == "relative"
    assert Household.objects.get(pk=stays.pk).category == "deep"
    assert Household.objects.get(pk=elsewhere.pk).category == "relative"
    assert Determination.objects.count() == determinations
    # the standard's own event only
    assert AuditEvent.objects.count() == events + 1
    job = Job.objects.get(pk=reevaluation.job_id)
    assert job.status == "succeeded"
    assert job.message == "共评估 2 户,其中 1 户的困难类别将会变化,待工作人员确认。"
    assert job.result == {
        "ok": True,
        "evaluated": 2,
        "changed": 1,
        "skipped": 0,
        "url": f"/archives/reevaluations/{reevaluation.pk}/",
        "url_label": "查看待确认的类别变更",
    }
    assert (job.done, job.total) == (2, 2)


def test_the_job_does_not_query_per_archive(
    network, staff, sysadmin, area, django_assert_max_num_queries
):
    # given: 50 archives of 3 persons each
    for number in range(50):
        household = make_household(
            network.station_a,
            filed_by=staff,
            area=area,
            name=f"户{number}",
            wage_income=Decimal("24300"),  # 675.00 each for 3 persons
            category="relative",
        )
        make_member(household, identity="student", birth_date=date(2012, 1, 1))
        make_member(
            household, identity="unemployed", able_to_work=False, birth_date=date(1980, 1, 1)
        )
    saved = dibao_standard_create(
        actor=sysadmin, area=area, amount="700.00", effective_from=NEW_DAY
    )

    reevaluation = saved.reevaluation
    assert reevaluation is not None

    # when
    # (one of them: the worker looks for jobs whose worker died before it starts a task)
    with django_assert_max_num_queries(17):
        reevaluate_area.call(job_id=str(reevaluation.job_id), reevaluation_id=reevaluation.pk)

    # then
    assert ReevaluationItem.objects.count() == 50
    assert set(ReevaluationItem.objects.values_list("new_category", flat=True)) == {"deep"}


def test_a_missing_minimum_wage_is_reported_not_guessed(network, staff, sysadmin):
    from bangfu.archives.models import DibaoStandard

    area = make_area()
    DibaoStandard.objects.create(area=area, amount=Decimal("650"), effective_from=date(2024, 1, 1))
    household = make_household(network.station_a, filed_by=staff, area=area, category="deep")
    make_member(household, identity="unemployed", sex="M", birth_date=date(1990, 1, 1))

    reevaluation = raise_standard(sysadmin, area)

    job = Job.objects.get(pk=reevaluation.job_id)
    assert job.result["ok"] is False
    assert job.result["skipped"] == 1
    assert job.message == (
        "共评估 0 户,其中 0 户的困难类别将会变化,待工作人员确认。"
        " 另有 1 户因缺少最低工资标准未能评估。"
    )
    assert ReevaluationItem.objects.count() == 0


def test_staff_confirm_one_change(network, staff, sysadmin, area):
    household = determined(network.station_a, staff, area, "8100")
    raise_standard(sysadmin, area)
    item = ReevaluationItem.objects.get()

    # when
    determination = categories.reevaluation_item_confirm(actor=staff, item_id=item.pk)

    # then
    assert Household.objects.get(pk=household.pk).category == "deep"
    assert determination.category == "deep"
    assert determination.dibao_standard.amount == Decimal("700.00")
    # judged as of the new standard's first day, or today once it is in force
    assert determination.determined_on == max(NEW_DAY, timezone.localdate())
    assert determination.determined_by == staff
    item.refresh_from_db()
    assert (item.status, item.decided_by) == ("confirmed", staff)
    assert item.decided_at is not None
    event = AuditEvent.objects.filter(action="archives.household.determine").order_by("seq").last()
    assert event is not None
    assert event.summary == "低保标准调整后确认变更困难类别:相对困难 → 深度困难"
    assert event.changes == {
        "category": ["relative", "deep"],
        "determination": [None, determination.pk],
        "reevaluation_item": [None, item.pk],
    }

    # and a second confirmation is refused, changing nothing
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as caught:
        categories.reevaluation_item_confirm(actor=staff, item_id=item.pk)
    assert caught.value.message == "这条类别变更已经处理过了。"
    assert AuditEvent.objects.count() == events
    assert Determination.objects.filter(household=household).count() == 2


def test_staff_dismiss_one_change(network, staff, sysadmin, area):
    household = determined(network.station_a, staff, area, "8100")
    raise_standard(sysadmin, area)
    item = ReevaluationItem.objects.get()
    determinations = Determination.objects.count()

    categories.reevaluation_item_dismiss(actor=staff, item_id=item.pk)

    assert Household.objects.get(pk=household.pk).category == "relative"
    assert Determination.objects.count() == determinations
    item.refresh_from_db()
    assert item.status == "dismissed"
    assert AuditEvent.objects.filter(action="archives.reevaluation.dismiss").count() == 1


def test_an_archive_changed_since_is_not_confirmed_blindly(network, staff, sysadmin, area):
    household = determined(network.station_a, staff, area, "8100")
    raise_standard(sysadmin, area)
    item = ReevaluationItem.objects.get()
    # the income rose meanwhile: 20 000 a year → 1 666.67, not eligible
    Household.objects.filter(pk=household.pk).update(wage_income=Decimal("20000"))
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict) as caught:
        categories.reevaluation_item_confirm(actor=staff, item_id=item.pk)

    assert caught.value.message == (
        "档案情况在重新评估后已有变化,按现在的资料应为“不符合建档条件”,"
        "与待确认的“深度困难”不同。请不予变更,并在档案页重新认定类别。"
    )
    assert Household.objects.get(pk=household.pk).category == "relative"
    assert ReevaluationItem.objects.get().status == "pending"
    assert AuditEvent.objects.count() == events


def test_a_user_outside_the_scope_can_neither_see_nor_decide(network, staff, sysadmin, area):
    determined(network.station_a, staff, area, "8100")
    reevaluation = raise_standard(sysadmin, area)
    item = ReevaluationItem.objects.get()
    other_staff = make_user((Role.STAFF, network.other_township), username="other")
    events = AuditEvent.objects.count()

    with pytest.raises(NotFound):
        categories.reevaluation_item_confirm(actor=other_staff, item_id=item.pk)
    with pytest.raises(NotFound):
        categories.reevaluation_item_dismiss(actor=other_staff, item_id=item.pk)
    outcome = categories.reevaluation_confirm_all(actor=other_staff, reevaluation=reevaluation)

    assert (outcome.done, outcome.refused) == (0, [])
    assert ReevaluationItem.objects.get().status == "pending"
    assert AuditEvent.objects.count() == events


def test_confirm_all_and_dismiss_all(network, staff, sysadmin, area):
    first = determined(network.station_a, staff, area, "8100", name="甲")
    second = determined(network.station_b, staff, area, "8200", name="乙")  # 683.33
    reevaluation = raise_standard(sysadmin, area)
    assert ReevaluationItem.objects.count() == 2

    outcome = categories.reevaluation_confirm_all(actor=staff, reevaluation=reevaluation)

    assert (outcome.done, outcome.refused) == (2, [])
    assert set(
        Household.objects.filter(pk__in=[first.pk, second.pk]).values_list("category", flat=True)
    ) == {"deep"}
    assert AuditEvent.objects.filter(summary__startswith="低保标准调整后确认变更").count() == 2

    # and with nothing pending, dismissing all does nothing
    events = AuditEvent.objects.count()
    assert categories.reevaluation_dismiss_all(actor=staff, reevaluation=reevaluation).done == 0
    assert AuditEvent.objects.count() == events


def test_dismiss_all_keeps_every_category_with_one_event(network, staff, sysadmin, area):
    determined(network.station_a, staff, area, "8100", name="甲")
    determined(network.station_b, staff, area, "8200", name="乙")
    reevaluation = raise_standard(sysadmin, area)

    outcome = categories.reevaluation_dismiss_all(actor=staff, reevaluation=reevaluation)

    assert outcome.done == 2
    assert set(Household.objects.values_list("category", flat=True)) == {"relative"}
    assert set(ReevaluationItem.objects.values_list("status", flat=True)) == {"dismissed"}
    event = AuditEvent.objects.get(action="archives.reevaluation.dismiss_all")
    assert event.summary == "低保标准调整后不予变更困难类别(2 户)"
