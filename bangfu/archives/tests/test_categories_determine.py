"""Determining an archive's category: inputs from the archive, the standards in force, the
record it leaves, and what happens without a standard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bangfu.archives.models import Determination, Household
from bangfu.archives.services.categories import category_blocker, household_determine
from bangfu.archives.tests.factories import make_area, make_household, make_member, make_standards
from bangfu.core.errors import NotFound
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 1)


def test_determine_stores_the_determination_and_sets_the_category(network, staff):
    # given: 2 persons, 14 700 a year → 612.50 a month each
    area = make_area()
    standard, wage = make_standards(area)
    household = make_household(
        network.station_a, filed_by=staff, area=area, wage_income=Decimal("14700")
    )
    make_member(household, identity="retired", birth_date=date(1960, 1, 1))

    # when
    determination = household_determine(actor=staff, household=household, on=ON)

    # then
    assert determination is not None
    determination.refresh_from_db()
    assert determination.category == "deep"
    assert determination.reason == "月人均净收入 612.50 元 ≤ 低保标准 650.00 元 → 深度困难"
    assert determination.net_income_per_capita == Decimal("612.50")
    assert determination.rule_version == "acftu-2021"
    assert determination.dibao_standard == standard
    assert determination.minimum_wage == wage
    assert determination.determined_on == ON
    assert determination.determined_by == staff
    assert determination.inputs["household_size"] == 2
    assert Household.objects.get(pk=household.pk).category == "deep"
    assert household.category == "deep"
    event = AuditEvent.objects.get(action="archives.household.determine")
    assert event.object_id == str(household.pk)
    assert event.summary == "认定困难类别:深度困难"
    assert event.changes == {
        "category": ["", "deep"],
        "determination": [None, determination.pk],
    }


def test_determine_uses_the_standard_in_force_on_the_day(network, staff):
    area = make_area()
    old, _ = make_standards(area, dibao="600.00", effective_from=date(2025, 1, 1))
    new, _ = make_standards(area, dibao="650.00", effective_from=date(2026, 1, 1))
    household = make_household(
        network.station_a, filed_by=staff, area=area, wage_income=Decimal("7500")
    )

    first = household_determine(actor=staff, household=household, on=date(2025, 6, 1))
    second = household_determine(actor=staff, household=household, on=date(2026, 1, 1))

    assert first is not None and second is not None
    assert (first.dibao_standard, first.category) == (old, "relative")
    assert (second.dibao_standard, second.category) == (new, "deep")


def test_a_2012_file_keeps_being_evaluated_under_the_2012_rule(network, staff):
    area = make_area()
    make_standards(area)
    household = make_household(
        network.station_a,
        filed_by=staff,
        area=area,
        rule_version="acftu-2012",
        category="dibao",
        receives_dibao=True,
        wage_income=Decimal("6000"),
    )

    determination = household_determine(actor=staff, household=household, on=ON)

    assert determination is not None
    assert (determination.rule_version, determination.category) == ("acftu-2012", "dibao")
    assert Household.objects.get(pk=household.pk).category == "dibao"
    # the category did not change: the event names only the determination
    assert list(AuditEvent.objects.get().changes) == ["determination"]


def test_without_a_standard_nothing_changes_and_the_blocker_says_why(network, staff):
    # given: the area has a standard only from 2027 on
    area = make_area()
    make_standards(area, effective_from=date(2027, 1, 1))
    household = make_household(network.station_a, filed_by=staff, area=area, category="relative")

    # when
    result = household_determine(actor=staff, household=household, on=ON)

    # then
    assert result is None
    assert Household.objects.get(pk=household.pk).category == "relative"
    assert Determination.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert category_blocker(household=household, on=ON) == (
        "“雨湖区”在 2026-03-01 没有执行中的低保标准,请系统管理员先录入低保标准。"
    )
    assert category_blocker(household=household, on=date(2027, 1, 1)) is None


def test_an_idle_member_without_a_minimum_wage_blocks_the_determination(network, staff):
    from bangfu.archives.models import DibaoStandard

    area = make_area()
    DibaoStandard.objects.create(area=area, amount=Decimal("650"), effective_from=date(2024, 1, 1))
    household = make_household(network.station_a, filed_by=staff, area=area)
    make_member(household, identity="unemployed", birth_date=date(1990, 1, 1), sex="M")

    assert household_determine(actor=staff, household=household, on=ON) is None
    assert Determination.objects.count() == 0
    assert category_blocker(household=household, on=ON) == (
        "“雨湖区”在 2026-03-01 没有执行中的最低工资标准,"
        "无法按最低工资计算未就业成员的收入,请系统管理员先录入最低工资标准。"
    )


def test_idle_member_is_counted_at_the_minimum_wage_from_the_archive(network, staff):
    area = make_area()
    make_standards(area, minimum_wage="1930.00")
    household = make_household(network.station_a, filed_by=staff, area=area)
    make_member(
        household,
        identity="laid_off",
        able_to_work=True,
        sex="M",
        birth_date=date(1990, 1, 1),
        monthly_income=Decimal("0"),
    )
    make_member(household, identity="student", sex="F", birth_date=date(2012, 1, 1))

    determination = household_determine(actor=staff, household=household, on=ON)

    # 1 930 × 12 / 3 / 12 = 643.33 → deep
    assert determination is not None
    assert determination.net_income_per_capita == Decimal("643.33")
    assert determination.category == "deep"
    assert determination.reason.endswith(
        ";劳动年龄内有劳动能力未就业成员 1 人,按最低工资 1930.00 元/月计收入"
        ";劳动年龄上限按渐进式延迟法定退休年龄:"
        "成员 1(男,1990年1月生)法定退休年龄 63 岁(男职工),未到,按最低工资计"
    )


def test_the_same_determination_twice_stores_one(network, staff):
    area = make_area()
    make_standards(area)
    household = make_household(network.station_a, filed_by=staff, area=area)

    first = household_determine(actor=staff, household=household, on=ON)
    second = household_determine(actor=staff, household=household, on=date(2026, 3, 2))

    assert first == second
    assert Determination.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_a_user_outside_the_scope_cannot_determine(network, staff, liaison_b):
    area = make_area()
    make_standards(area)
    household = make_household(network.station_a, filed_by=staff, area=area)

    with pytest.raises(NotFound):
        household_determine(actor=liaison_b, household=household, on=ON)

    assert Determination.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert Household.objects.get(pk=household.pk).category == ""


def test_a_role_without_write_permissions_cannot_determine(network, staff, auditor):
    area = make_area()
    make_standards(area)
    household = make_household(network.station_a, filed_by=staff, area=area)

    with pytest.raises(NotFound):
        household_determine(actor=auditor, household=household, on=ON)
    assert Determination.objects.count() == 0


def test_the_system_may_determine(network, staff):
    area = make_area()
    make_standards(area)
    household = make_household(network.station_a, filed_by=staff, area=area)

    determination = household_determine(actor=None, household=household, on=ON)

    assert determination is not None and determination.determined_by is None
    assert AuditEvent.objects.get().actor_name == "系统"
