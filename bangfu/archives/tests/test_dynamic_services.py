"""Dynamic management services: yearly reviews, spot checks, monthly incomes, closing, reopening."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import (
    AnnualReview,
    Household,
    IdRegistration,
    MonthlyIncome,
    SpotCheck,
    SpotCheckItem,
)
from bangfu.archives.services import dynamic as services
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.dates import add_months
from bangfu.core.errors import Conflict, DomainError, NotFound, ValidationError
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


# --- yearly review --------------------------------------------------------------------------


def test_review_sets_last_review_and_due_date_twelve_months_later(network, staff):
    household = make_household(network.station_a, filed_by=staff, filed_on=date(2025, 1, 10))
    events = AuditEvent.objects.count()

    review = services.annual_review_record(
        actor=staff,
        household=household,
        reviewed_on=date(2025, 8, 31),
        findings="家庭情况无变化,继续在档。",
        outcome=AnnualReview.Outcome.CONTINUE,
    )

    household.refresh_from_db()
    assert household.last_reviewed_on == date(2025, 8, 31)
    assert household.review_due_on == date(2026, 8, 31)
    assert review.next_due_on == date(2026, 8, 31)
    assert review.reviewed_by == staff
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "archives.annual_review.record"
    assert event.changes["review_due_on"] == [None, "2026-08-31"]


def test_the_same_review_posted_twice_is_recorded_once(network, staff):
    # Given a review recorded by a first click
    household = make_household(network.station_a, filed_by=staff, filed_on=date(2025, 1, 10))
    fields: dict[str, Any] = {
        "reviewed_on": date(2025, 8, 31),
        "findings": "家庭情况无变化,继续在档。",
        "outcome": AnnualReview.Outcome.CONTINUE,
    }
    services.annual_review_record(actor=staff, household=household, **fields)
    events = AuditEvent.objects.count()

    # When the second click's POST arrives
    with pytest.raises(Conflict) as exc:
        services.annual_review_record(actor=staff, household=household, **fields)

    # Then it is refused with a message, and nothing is written
    assert exc.value.message == "2025-08-31 的复核已经记录,请勿重复提交。"
    assert AnnualReview.objects.filter(household=household).count() == 1
    assert AuditEvent.objects.count() == events


def test_review_interval_is_a_setting(network, staff, settings):
    settings.BANGFU_REVIEW_INTERVAL_MONTHS = 6
    household = make_household(network.station_a, filed_by=staff)

    services.annual_review_record(
        actor=staff,
        household=household,
        reviewed_on=date(2025, 8, 31),
        findings="复核情况",
        outcome=AnnualReview.Outcome.CONTINUE,
    )

    household.refresh_from_db()
    assert household.review_due_on == date(2026, 2, 28)


def test_review_of_a_closed_archive_is_refused_and_changes_nothing(network, staff):
    household = make_household(network.station_a, filed_by=staff, status=Household.Status.CLOSED)
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict) as exc:
        services.annual_review_record(
            actor=staff,
            household=household,
            reviewed_on=today(),
            findings="复核情况",
            outcome=AnnualReview.Outcome.CONTINUE,
        )

    assert "只有在档的档案才能复核" in exc.value.message
    household.refresh_from_db()
    assert household.last_reviewed_on is None
    assert AnnualReview.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_review_in_the_future_or_without_findings_is_refused(network, staff):
    household = make_household(network.station_a, filed_by=staff)

    with pytest.raises(ValidationError) as future:
        services.annual_review_record(
            actor=staff,
            household=household,
            reviewed_on=today() + timedelta(days=1),
            findings="复核情况",
            outcome=AnnualReview.Outcome.CONTINUE,
        )
    with pytest.raises(ValidationError) as empty:
        services.annual_review_record(
            actor=staff,
            household=household,
            reviewed_on=today(),
            findings=" ",
            outcome=AnnualReview.Outcome.CONTINUE,
        )

    assert future.value.errors == {"reviewed_on": f"复核日期不能晚于今天({today():%Y-%m-%d})。"}
    assert empty.value.errors == {"findings": "请填写复核情况(至少 2 个字)。"}
    assert AnnualReview.objects.count() == 0


def test_review_outside_the_actors_scope_is_not_found(network):
    other_staff = make_user((Role.STAFF, network.other_township), username="other_staff")
    household = make_household(network.station_a, filed_by=other_staff)

    with pytest.raises(NotFound):
        services.annual_review_record(
            actor=other_staff,
            household=household,
            reviewed_on=today(),
            findings="复核情况",
            outcome=AnnualReview.Outcome.CONTINUE,
        )

    assert AnnualReview.objects.count() == 0


# --- spot checks ----------------------------------------------------------------------------


def _archives(unit, staff, n, **fields):
    return [make_household(unit, filed_by=staff, **fields) for _ in range(n)]


def test_spot_check_samples_ceil_of_the_rate_from_active_archives_under_the_centre(network, staff):
    inside = [
        *_archives(network.station_a, staff, 4),
        *_archives(network.point_a1, staff, 2),
        *_archives(network.station_b, staff, 1),
    ]
    _archives(network.station_a, staff, 2, status=Household.Status.CLOSED)
    _archives(network.station_a, staff, 1, status=Household.Status.APPLIED)
    _archives(network.other_township, staff, 3)

    spot_check = services.spot_check_draw(actor=staff, centre=network.township, year=2025)

    # 7 archives in the roster × 30 % = 2.1 → 3.
    assert spot_check.population == 7
    assert spot_check.rate_percent == 30
    sampled = set(spot_check.items.values_list("household_id", flat=True))
    assert len(sampled) == 3
    assert sampled <= {h.pk for h in inside}
    assert spot_check.seed.startswith(f"{network.township.pk}-2025-")


@pytest.mark.parametrize(
    ("population", "rate", "size"),
    [(0, 30, 0), (1, 30, 1), (10, 30, 3), (11, 30, 4), (100, 30, 30), (3, 100, 3), (7, 1, 1)],
)
def test_sample_size_is_the_ceiling(population, rate, size):
    assert services.spot_check_sample_size(population, rate) == size


def test_the_same_seed_always_draws_the_same_sample(network, staff):
    _archives(network.station_a, staff, 20)

    spot_check = services.spot_check_draw(
        actor=staff, centre=network.township, year=2025, rate_percent=25
    )

    recorded = sorted(spot_check.items.values_list("household_id", flat=True))
    population = services.spot_check_population(network.township)
    redrawn = services.spot_check_sample(
        seed=spot_check.seed, household_ids=list(reversed(population)), rate_percent=25
    )
    assert sorted(redrawn) == recorded
    assert len(recorded) == 5
    assert services.spot_check_sample(
        seed="7-2025-abc", household_ids=range(1, 21), rate_percent=25
    ) == services.spot_check_sample(seed="7-2025-abc", household_ids=range(1, 21), rate_percent=25)
    assert services.spot_check_sample(
        seed="7-2025-abc", household_ids=range(1, 21), rate_percent=25
    ) != services.spot_check_sample(seed="7-2025-abd", household_ids=range(1, 21), rate_percent=25)


def test_a_second_draw_for_the_same_centre_and_year_is_refused(network, staff):
    _archives(network.station_a, staff, 5)
    first = services.spot_check_draw(actor=staff, centre=network.township, year=2025)
    items = sorted(first.items.values_list("household_id", flat=True))
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict) as exc:
        services.spot_check_draw(actor=staff, centre=network.township, year=2025)

    assert exc.value.message == (
        "响水乡职工服务(帮扶)中心 2025 年度的抽查已经抽取,每个中心每年只抽一次。"
    )
    assert SpotCheck.objects.count() == 1
    assert sorted(first.items.values_list("household_id", flat=True)) == items
    assert AuditEvent.objects.count() == events


def test_spot_check_of_a_centre_outside_scope_or_of_a_station_is_refused(network, staff):
    with pytest.raises(NotFound):
        services.spot_check_draw(actor=staff, centre=network.other_township, year=2025)
    with pytest.raises(ValidationError) as exc:
        services.spot_check_draw(actor=staff, centre=network.station_a, year=2025)

    assert exc.value.errors == {"centre": "请选择一个帮扶中心。"}
    assert SpotCheck.objects.count() == 0


def test_spot_check_result_is_recorded_per_item(network, staff):
    _archives(network.station_a, staff, 3)
    spot_check = services.spot_check_draw(actor=staff, centre=network.township, year=2025)
    item = spot_check.items.order_by("pk")[0]

    services.spot_check_result_record(
        actor=staff, item=item, checked_on=date(2025, 11, 3), finding="与纸质档案一致。"
    )

    item = SpotCheckItem.objects.get(pk=item.pk)
    assert (item.checked_on, item.finding, item.checked_by) == (
        date(2025, 11, 3),
        "与纸质档案一致。",
        staff,
    )


# --- monthly income -------------------------------------------------------------------------


def test_monthly_income_is_kept_per_month_and_corrected_in_place(network, staff):
    household = make_household(network.station_a, filed_by=staff)

    services.monthly_income_record(
        actor=staff, household=household, month=date(2025, 5, 17), amount="700.5"
    )
    services.monthly_income_record(
        actor=staff, household=household, month=date(2025, 5, 1), amount=Decimal("720.00")
    )

    rows = list(MonthlyIncome.objects.values_list("month", "net_income_per_capita"))
    assert rows == [(date(2025, 5, 1), Decimal("720.00"))]


def test_the_same_monthly_income_posted_twice_writes_one_audit_event(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    services.monthly_income_record(
        actor=staff, household=household, month=date(2025, 5, 1), amount="650"
    )
    events = AuditEvent.objects.count()

    services.monthly_income_record(
        actor=staff, household=household, month=date(2025, 5, 1), amount="650.00"
    )

    assert AuditEvent.objects.count() == events
    rows = list(MonthlyIncome.objects.values_list("month", "net_income_per_capita"))
    assert rows == [(date(2025, 5, 1), Decimal("650.00"))]


def test_monthly_income_in_a_future_month_or_negative_is_refused(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    next_month = add_months(today().replace(day=1), 1)

    with pytest.raises(ValidationError) as future:
        services.monthly_income_record(
            actor=staff, household=household, month=next_month, amount="700"
        )
    with pytest.raises(ValidationError) as negative:
        services.monthly_income_record(
            actor=staff, household=household, month=date(2025, 1, 1), amount="-1"
        )

    assert future.value.errors == {"month": "月份不能晚于本月。"}
    assert negative.value.errors == {"amount": "月人均净收入不能为负数。"}
    assert MonthlyIncome.objects.count() == 0


# --- closing and reopening ------------------------------------------------------------------


def test_close_releases_the_ids_so_a_new_archive_can_take_them(network, staff):
    head_id, member_id = make_id_number(), make_id_number(sex="F")
    household = make_household(network.station_a, filed_by=staff, id_number=head_id)
    make_member(household, id_number=member_id)
    events = AuditEvent.objects.count()

    services.household_close(
        actor=staff,
        household=household,
        reason=Household.CloseReason.RECOVERED,
        closed_on=date(2026, 1, 15),
        note="收入连续 6 个月高于低保标准。",
    )

    household.refresh_from_db()
    assert household.status == Household.Status.CLOSED
    assert household.closed_on == date(2026, 1, 15)
    assert household.close_reason == "recovered"
    assert household.retention_review_on == date(2036, 1, 15)
    assert IdRegistration.objects.filter(household=household).count() == 0
    assert Household.objects.filter(pk=household.pk).exists()
    assert household.members.count() == 1
    assert AuditEvent.objects.count() == events + 1
    # The ID can now be filed again.
    newer = make_household(network.station_b, filed_by=staff, id_number=head_id)
    assert IdRegistration.objects.get(id_index=household.id_index).household == newer


def test_close_of_an_application_in_procedure_is_refused(network, staff):
    household = make_household(network.station_a, filed_by=staff, status=Household.Status.APPLIED)

    with pytest.raises(Conflict):
        services.household_close(
            actor=staff,
            household=household,
            reason=Household.CloseReason.RETIRED,
            closed_on=today(),
        )

    household.refresh_from_db()
    assert household.status == Household.Status.APPLIED
    assert IdRegistration.objects.filter(household=household).count() == 1


def test_close_for_another_reason_needs_a_note(network, staff):
    household = make_household(network.station_a, filed_by=staff)

    with pytest.raises(ValidationError) as exc:
        services.household_close(
            actor=staff,
            household=household,
            reason=Household.CloseReason.OTHER,
            closed_on=today(),
            note="",
        )

    assert exc.value.errors == {"note": "撤档原因为“其他”时,请填写撤档说明。"}
    household.refresh_from_db()
    assert household.status == Household.Status.ACTIVE


def test_reopen_registers_the_ids_again_with_a_new_review_date(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    services.household_close(
        actor=staff,
        household=household,
        reason=Household.CloseReason.TRANSFERRED,
        closed_on=today(),
    )

    services.household_reopen(actor=staff, household=household, reason="调回本乡工作,仍然困难。")

    household.refresh_from_db()
    assert household.status == Household.Status.ACTIVE
    assert household.review_due_on == add_months(today(), 12)
    assert (household.closed_on, household.close_reason, household.retention_review_on) == (
        None,
        "",
        None,
    )
    assert IdRegistration.objects.filter(household=household).count() == 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "archives.household.reopen"
    assert event.changes["status"] == ["closed", "active"]
    assert event.changes["close_reason"] == ["transferred", ""]


def test_reopen_is_refused_when_the_id_was_taken_meanwhile_and_nothing_changes(network, staff):
    head_id = make_id_number()
    household = make_household(network.station_a, filed_by=staff, id_number=head_id)
    services.household_close(
        actor=staff,
        household=household,
        reason=Household.CloseReason.TRANSFERRED,
        closed_on=today(),
    )
    other = make_household(network.station_b, filed_by=staff, id_number=head_id, name="张三丰")
    events = AuditEvent.objects.count()

    with pytest.raises(DomainError) as exc:
        services.household_reopen(actor=staff, household=household, reason="调回本乡工作。")

    assert exc.value.message.endswith(
        f"{other.centre.name}的档案 {other.archive_no or '未编号'} 中。"
    )
    assert head_id not in exc.value.message
    household.refresh_from_db()
    assert household.status == Household.Status.CLOSED
    assert household.closed_on == today()
    assert IdRegistration.objects.get(id_index=household.id_index).household == other
    assert IdRegistration.objects.filter(household=household).count() == 0
    assert AuditEvent.objects.count() == events


def test_reopen_of_an_active_archive_is_refused(network, staff):
    household = make_household(network.station_a, filed_by=staff)

    with pytest.raises(Conflict):
        services.household_reopen(actor=staff, household=household, reason="误操作。")
