from datetime import date
from decimal import Decimal

import pytest

from bangfu.archives.models import Household
from bangfu.archives.tests.factories import make_member
from bangfu.assistance import hooks
from bangfu.assistance.models import Application, Kind, RuleVersion
from bangfu.assistance.selectors import current_rule, household_aid, payable
from bangfu.assistance.services import application_create, rule_revise
from bangfu.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent

from .factories import (
    aided_household,
    education_input,
    living_input,
    make_programme,
    medical_input,
)


@pytest.fixture
def household(network, staff):
    return aided_household(network.station_a, staff)


@pytest.fixture
def medical(network, staff):
    return make_programme(network.township, staff, kind=Kind.MEDICAL)


def test_medical_amount_is_the_self_paid_part_times_the_ratio_with_the_working(
    staff, household, medical
):
    application = application_create(
        actor=staff, household_id=household.pk, data=medical_input(medical)
    )

    assert application.status == Application.Status.DRAFT
    assert application.suggested_amount == Decimal("4320.00")
    assert application.amount == Decimal("4320.00")
    assert application.working == "自付 8,640.00 元 × 50% = 4,320.00 元,未超过年度上限 5,000.00 元"
    assert application.unit == household.unit
    assert application.rule.version == 1
    event = AuditEvent.objects.get(action="assistance.application.create")
    assert event.object_id == str(application.pk)


def test_medical_aid_is_held_to_the_yearly_cap_less_what_was_received(staff, household, medical):
    first = application_create(actor=staff, household_id=household.pk, data=medical_input(medical))
    Application.objects.filter(pk=first.pk).update(status=Application.Status.APPROVED)

    second = application_create(
        actor=staff,
        household_id=household.pk,
        data=medical_input(
            medical,
            period_start=first.period_end.replace(day=1).replace(month=5),
            period_end=first.period_end.replace(month=5),
        ),
    )

    assert second.suggested_amount == Decimal("680.00")
    assert "减去本年已获 4,320.00 元 = 680.00 元" in second.working


def test_nothing_is_left_under_the_yearly_cap_so_the_application_is_refused(
    staff, household, medical
):
    first = application_create(
        actor=staff,
        household_id=household.pk,
        data=medical_input(medical, amount=Decimal("5000"), amount_reason="治疗费用高"),
    )
    Application.objects.filter(pk=first.pk).update(status=Application.Status.APPROVED)

    with pytest.raises(ValidationError) as refused:
        application_create(
            actor=staff,
            household_id=household.pk,
            data=medical_input(
                medical, period_start=date(2026, 6, 1), period_end=date(2026, 6, 30)
            ),
        )

    assert refused.value.message == (
        "该户本年医疗救助已达上限(自付 8,640.00 元 × 50% = 4,320.00 元,超过年度上限 5,000.00 元 "
        "减去本年已获 5,000.00 元 = 0.00 元,按 0.00 元 计),不能再申请。"
    )
    assert Application.objects.count() == 1


def test_bills_that_do_not_add_up_are_refused_and_nothing_is_written(staff, household, medical):
    with pytest.raises(ValidationError) as refused:
        application_create(
            actor=staff,
            household_id=household.pk,
            data=medical_input(medical, self_paid=Decimal("9000.00")),
        )

    assert refused.value.errors == {
        "self_paid": "费用不相符:费用合计 12,000.00 元 − 医保报销 3,000.00 元 − 其他救助 360.00 元 "
        "= 8,640.00 元,而填写的个人自付为 9,000.00 元。"
    }
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="assistance.application").exists()


@pytest.mark.parametrize("status", [Household.Status.CLOSED, Household.Status.APPLIED])
def test_an_archive_not_in_the_roster_cannot_apply(network, staff, medical, status):
    household = aided_household(network.station_a, staff, status=status)

    with pytest.raises(ValidationError) as refused:
        application_create(actor=staff, household_id=household.pk, data=medical_input(medical))

    label = Household.Status(status).label
    assert refused.value.message == f"该户档案状态为「{label}」,不在档,不能申请救助。"
    assert not Application.objects.exists()


def test_an_amount_above_the_cap_is_refused(staff, household, medical):
    with pytest.raises(ValidationError) as refused:
        application_create(
            actor=staff,
            household_id=household.pk,
            data=medical_input(medical, amount=Decimal("6000"), amount_reason="病情重"),
        )

    assert refused.value.errors == {"amount": "申请金额 6,000.00 元超过上限 5,000.00 元。"}
    assert not Application.objects.exists()


def test_a_different_amount_within_the_cap_needs_a_reason(staff, household, medical):
    with pytest.raises(ValidationError) as refused:
        application_create(
            actor=staff,
            household_id=household.pk,
            data=medical_input(medical, amount=Decimal("5000")),
        )
    assert refused.value.errors == {"amount_reason": "申请金额与建议金额不同,请说明理由。"}

    application = application_create(
        actor=staff,
        household_id=household.pk,
        data=medical_input(medical, amount=Decimal("5000"), amount_reason="后续治疗费用高"),
    )
    assert application.amount == Decimal("5000.00")
    assert application.suggested_amount == Decimal("4320.00")


def test_living_aid_is_capped_at_a_year_of_the_households_dibao(network, staff, household):
    programme = make_programme(network.township, staff, kind=Kind.LIVING)

    application = application_create(
        actor=staff,
        household_id=household.pk,
        data=living_input(programme, expenses=Decimal("20000")),
    )

    # 650 元 × 12 × 2 persons × 1 = 15,600 元.
    assert application.cap == Decimal("15600.00")
    assert application.suggested_amount == Decimal("15600.00")
    assert application.working == (
        "支出 20,000.00 元,超过上限(低保标准 650.00 元/人·月 × 12 个月 × 2 人 × 1 倍 = "
        "15,600.00 元),按上限计"
    )


def test_education_aid_for_a_member_by_school_level(network, staff, household):
    programme = make_programme(network.township, staff, kind=Kind.EDUCATION, campaign=True)
    child = make_member(household, name="张小明", relation="child")

    application = application_create(
        actor=staff, household_id=household.pk, data=education_input(programme, child.pk)
    )

    assert application.suggested_amount == Decimal("5000.00")
    assert application.student == child
    assert application.working == "大学(含大专)每生每年 5,000.00 元"


def test_a_student_who_is_not_a_member_is_refused(network, staff, household):
    programme = make_programme(network.township, staff, kind=Kind.EDUCATION)
    other = aided_household(network.station_a, staff, name="王五")
    outsider = make_member(other, name="王小红", relation="child")

    with pytest.raises(ValidationError) as refused:
        application_create(
            actor=staff, household_id=household.pk, data=education_input(programme, outsider.pk)
        )

    assert refused.value.errors == {"student": "学生须是该户登记的家庭成员。"}
    assert not Application.objects.exists()


def test_the_same_household_kind_and_period_twice_is_refused(staff, household, medical):
    application_create(actor=staff, household_id=household.pk, data=medical_input(medical))

    with pytest.raises(ValidationError) as refused:
        application_create(actor=staff, household_id=household.pk, data=medical_input(medical))

    assert refused.value.message == (
        "该户在同一期间已有医疗救助申请(2026 年医疗救助,草稿),不能重复申请。"
    )
    assert Application.objects.count() == 1


def test_a_programme_may_flag_duplicates_instead(network, staff, household):
    programme = make_programme(
        network.township, staff, kind=Kind.MEDICAL, rules={"duplicates": "flag"}
    )
    first = application_create(
        actor=staff, household_id=household.pk, data=medical_input(programme)
    )

    second = application_create(
        actor=staff, household_id=household.pk, data=medical_input(programme)
    )

    assert second.duplicate_of == first


def test_an_archive_outside_the_scope_is_not_found(network, staff, liaison_b, medical):
    household = aided_household(network.station_a, staff)

    with pytest.raises(NotFound):
        application_create(actor=liaison_b, household_id=household.pk, data=medical_input(medical))
    assert not Application.objects.exists()


def test_editing_the_rules_makes_a_new_version_and_keeps_the_one_in_use(staff, household, medical):
    application = application_create(
        actor=staff, household_id=household.pk, data=medical_input(medical)
    )

    rule = rule_revise(
        actor=staff, programme=medical, rules={"medical_ratio": Decimal("0.6")}, note="提高比例"
    )

    assert rule.version == 2
    assert current_rule(medical) == rule
    application.refresh_from_db()
    assert application.rule.version == 1
    assert application.rule.medical_ratio == Decimal("0.5000")
    assert RuleVersion.objects.filter(programme=medical).count() == 2
    assert AuditEvent.objects.filter(action="assistance.rule.revise").count() == 1


def test_only_managers_of_programmes_revise_rules(leader, medical):
    with pytest.raises(PermissionDenied):
        rule_revise(actor=leader, programme=medical, rules={"medical_ratio": "0.6"}, note="x")
    assert RuleVersion.objects.filter(programme=medical).count() == 1


def test_the_household_aid_by_year_with_totals(staff, household, medical):
    first = application_create(actor=staff, household_id=household.pk, data=medical_input(medical))
    Application.objects.filter(pk=first.pk).update(status=Application.Status.APPROVED)

    [year] = household_aid(user=staff, household_id=household.pk)

    assert year.year == 2026
    assert year.granted == Decimal("4320.00")
    assert year.by_kind == {"医疗救助": Decimal("4320.00")}


def test_payable_lists_approved_items_whose_notice_ended(staff, household, medical):
    first = application_create(actor=staff, household_id=household.pk, data=medical_input(medical))
    Application.objects.filter(pk=first.pk).update(status=Application.Status.APPROVED)

    assert list(payable(user=staff, today=first.period_end)) == [first]
    Application.objects.filter(pk=first.pk).update(notice_ends_on=first.period_end)
    assert list(payable(user=staff, today=first.period_end)) == []


def test_an_approval_hook_may_refuse(staff, household, medical):
    application = application_create(
        actor=staff, household_id=household.pk, data=medical_input(medical)
    )

    def budget_short(*, application, actor):
        raise Conflict("预算不足")

    hooks.on_approval(budget_short)
    try:
        with pytest.raises(Conflict, match="预算不足"):
            hooks.run_approval_hooks(application=application, actor=staff)
    finally:
        hooks.remove_approval_hook(budget_short)


def test_a_programme_may_limit_the_categories_that_apply(network, staff):
    programme = make_programme(
        network.township, staff, kind=Kind.MEDICAL, rules={"eligible_categories": ["deep"]}
    )
    household = aided_household(network.station_a, staff, category="relative")

    with pytest.raises(ValidationError) as refused:
        application_create(actor=staff, household_id=household.pk, data=medical_input(programme))

    assert refused.value.message == "该户困难类别为「相对困难」,不在本项目可申请的类别之内。"
    assert not Application.objects.exists()
