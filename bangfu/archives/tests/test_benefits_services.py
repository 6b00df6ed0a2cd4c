"""Policy benefits (应保尽保): benefit types, a household's benefits, and the list of archives
that qualify for 低保 but do not receive it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from bangfu.archives.models import BenefitType, HouseholdBenefit
from bangfu.archives.selectors.benefits import dibao_gap
from bangfu.archives.services import benefits as services
from bangfu.archives.services.categories import household_determine
from bangfu.archives.tests.factories import make_area, make_household, make_standards
from bangfu.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def dibao() -> BenefitType:
    return BenefitType.objects.get(code="dibao")


def test_the_default_benefit_types_are_seeded():
    assert list(BenefitType.objects.values_list("code", "name", "is_dibao", "active")) == [
        ("dibao", "低保", True, True),
        ("utilities", "水电优惠", False, True),
        ("cable_tv", "有线电视优惠", False, True),
        ("medical_insurance", "医疗保险", False, True),
        ("other", "其他", False, True),
    ]


# --- benefit types --------------------------------------------------------------------------


def test_admin_adds_and_switches_off_a_benefit_type(sysadmin):
    benefit = services.benefit_type_create(
        actor=sysadmin, code="Heating", name="取暖补贴", sort_order=50
    )
    assert (benefit.code, benefit.name, benefit.active) == ("heating", "取暖补贴", True)

    services.benefit_type_update(
        actor=sysadmin,
        benefit_type_id=benefit.pk,
        name="冬季取暖补贴",
        is_dibao=False,
        active=False,
        sort_order=50,
    )

    benefit.refresh_from_db()
    assert (benefit.name, benefit.active) == ("冬季取暖补贴", False)
    event = AuditEvent.objects.get(action="archives.benefit_type.update")
    assert event.changes == {"active": [True, False], "name": ["取暖补贴", "冬季取暖补贴"]}


@pytest.mark.parametrize(
    ("code", "name", "errors"),
    [
        ("dibao", "低保", {"code": "代码“dibao”已被使用。"}),
        ("1x", "甲", {"code": "代码只能用小写字母、数字和下划线,以字母开头,不超过 32 位。"}),
        ("", "", {"name": "请填写待遇名称。"}),
    ],
)
def test_bad_benefit_types_are_refused(sysadmin, code, name, errors):
    count = BenefitType.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.benefit_type_create(actor=sysadmin, code=code, name=name)
    assert caught.value.errors == errors
    assert BenefitType.objects.count() == count
    assert AuditEvent.objects.count() == 0


def test_a_benefit_type_without_a_code_gets_one_from_its_name(sysadmin):
    first = services.benefit_type_create(actor=sysadmin, code="", name="取暖补贴")
    second = services.benefit_type_create(actor=sysadmin, code=" ", name="取暖 补贴")

    assert (first.code, second.code) == ("qunuanbutie", "qunuanbutie_2")
    assert AuditEvent.objects.filter(action="archives.benefit_type.create").count() == 2


def test_staff_cannot_manage_benefit_types(staff):
    with pytest.raises(PermissionDenied):
        services.benefit_type_create(actor=staff, code="heating", name="取暖补贴")
    assert not BenefitType.objects.filter(code="heating").exists()


# --- a household's benefits -----------------------------------------------------------------


def test_staff_record_a_benefit_and_its_end(network, staff):
    household = make_household(network.station_a, filed_by=staff)

    row = services.household_benefit_add(
        actor=staff,
        household_id=household.pk,
        benefit_type_id=dibao().pk,
        started_on=date(2025, 5, 1),
        note=" 区民政局 ",
    )
    services.household_benefit_end(actor=staff, benefit_id=row.pk, ended_on=date(2026, 1, 31))

    row.refresh_from_db()
    assert (row.benefit.code, row.started_on, row.ended_on, row.note) == (
        "dibao",
        date(2025, 5, 1),
        date(2026, 1, 31),
        "区民政局",
    )
    added, ended = AuditEvent.objects.order_by("seq")
    assert (added.action, added.object_id, added.summary) == (
        "archives.benefit.add",
        str(household.pk),
        "登记享受政策待遇:低保",
    )
    assert ended.changes == {
        "household_benefit": [row.pk, row.pk],
        "ended_on": [None, "2026-01-31"],
    }


def test_a_liaison_records_for_its_own_station_only(network, staff, liaison_a, liaison_b):
    household = make_household(network.station_a, filed_by=staff)

    services.household_benefit_add(
        actor=liaison_a,
        household_id=household.pk,
        benefit_type_id=dibao().pk,
        started_on=date(2025, 5, 1),
    )
    with pytest.raises(NotFound):
        services.household_benefit_add(
            actor=liaison_b,
            household_id=household.pk,
            benefit_type_id=dibao().pk,
            started_on=date(2025, 5, 1),
        )
    row = HouseholdBenefit.objects.get()
    with pytest.raises(NotFound) as caught:
        services.household_benefit_end(
            actor=liaison_b, benefit_id=row.pk, ended_on=date(2026, 1, 1)
        )

    assert caught.value.message == "未找到该政策待遇记录。"
    assert HouseholdBenefit.objects.get().ended_on is None
    assert AuditEvent.objects.count() == 1


def test_bad_benefit_input_is_refused_naming_the_field(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    services.household_benefit_add(
        actor=staff,
        household_id=household.pk,
        benefit_type_id=dibao().pk,
        started_on=date(2025, 5, 1),
    )
    off = BenefitType.objects.get(code="other")
    off.active = False
    off.save()
    tomorrow = timezone.localdate() + timedelta(days=1)
    cases = [
        (dibao().pk, date(2025, 6, 1), {"benefit": "该户正在享受“低保”,请先登记结束再重新登记。"}),
        (off.pk, date(2025, 6, 1), {"benefit": "请选择享受的政策待遇。"}),
        ("", None, {"benefit": "请选择享受的政策待遇。", "started_on": "请填写开始日期。"}),
        (dibao().pk, tomorrow, {"started_on": "开始日期不能晚于今天。"}),
    ]
    for type_id, started_on, errors in cases:
        with pytest.raises(ValidationError) as caught:
            services.household_benefit_add(
                actor=staff,
                household_id=household.pk,
                benefit_type_id=type_id,
                started_on=started_on,
            )
        assert caught.value.errors == errors
    assert HouseholdBenefit.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_ending_is_checked(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    row = services.household_benefit_add(
        actor=staff,
        household_id=household.pk,
        benefit_type_id=dibao().pk,
        started_on=date(2025, 5, 1),
    )

    with pytest.raises(ValidationError) as caught:
        services.household_benefit_end(actor=staff, benefit_id=row.pk, ended_on=date(2025, 4, 30))
    assert caught.value.errors == {"ended_on": "结束日期不能早于开始日期 2025-05-01。"}
    services.household_benefit_end(actor=staff, benefit_id=row.pk, ended_on=date(2025, 5, 1))
    with pytest.raises(Conflict) as conflict:
        services.household_benefit_end(actor=staff, benefit_id=row.pk, ended_on=date(2025, 6, 1))

    assert conflict.value.message == "“低保”已于 2025-05-01 结束。"
    assert HouseholdBenefit.objects.get().ended_on == date(2025, 5, 1)
    assert AuditEvent.objects.count() == 2


def test_no_benefit_is_recorded_on_a_closed_archive(network, staff):
    household = make_household(network.station_a, filed_by=staff, status="closed")
    with pytest.raises(Conflict):
        services.household_benefit_add(
            actor=staff,
            household_id=household.pk,
            benefit_type_id=dibao().pk,
            started_on=date(2025, 5, 1),
        )
    assert HouseholdBenefit.objects.count() == 0


# --- 应享未享低保 ---------------------------------------------------------------------------


def test_the_dibao_gap_lists_qualifying_archives_without_dibao(network, staff, liaison_a):
    area = make_area()
    make_standards(area)  # 650
    today = timezone.localdate()

    def archive(name, wage_income, unit=network.station_a, **fields):
        household = make_household(
            unit, filed_by=staff, area=area, name=name, wage_income=Decimal(wage_income), **fields
        )
        household_determine(actor=staff, household=household, on=date(2026, 3, 1))
        return household

    at_line = archive("甲", "7800")  # 650.00: qualifies
    below = archive("乙", "6000")  # 500.00: qualifies
    above = archive("丙", "7800.12")  # 650.01: no
    receiving = archive("丁", "3000")
    HouseholdBenefit.objects.create(
        household=receiving, benefit=dibao(), started_on=date(2025, 1, 1)
    )
    ended = archive("戊", "3000")  # 低保 ended: qualifies again
    HouseholdBenefit.objects.create(
        household=ended,
        benefit=dibao(),
        started_on=date(2024, 1, 1),
        ended_on=today - timedelta(days=1),
    )
    marked = archive("己", "3000", receives_dibao=True)  # the file says it receives 低保
    excluded = archive("庚", "3000", owns_vehicle=True)  # not eligible
    other_station = archive("辛", "3000", unit=network.station_b)
    closed = archive("壬", "3000")
    closed.status = "closed"
    closed.save()
    never = make_household(network.station_a, filed_by=staff, area=area, name="癸")  # undetermined
    other_benefit = archive("子", "3000")
    HouseholdBenefit.objects.create(
        household=other_benefit,
        benefit=BenefitType.objects.get(code="utilities"),
        started_on=date(2025, 1, 1),
    )

    rows: list[Any] = list(dibao_gap(user=staff, day=today))

    assert [h.name for h in rows] == ["戊", "辛", "子", "乙", "甲"]
    assert [(h.net_income, h.dibao_line) for h in rows][-1] == (
        Decimal("650.00"),
        Decimal("650.00"),
    )
    assert {h.pk for h in rows}.isdisjoint(
        {above.pk, receiving.pk, marked.pk, excluded.pk, closed.pk, never.pk}
    )
    assert below.pk in {h.pk for h in rows} and at_line.pk in {h.pk for h in rows}
    assert other_station.pk not in {h.pk for h in dibao_gap(user=liaison_a, day=today)}
