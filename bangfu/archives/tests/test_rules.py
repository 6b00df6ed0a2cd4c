"""The category rules, at their boundaries (pure functions: no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bangfu.archives import rules
from bangfu.archives.rules import HouseholdFacts, MemberFacts

STANDARD = Decimal("650.00")
WAGE = Decimal("1930.00")
ON = date(2026, 3, 1)


def household(per_capita_total: str, size: int = 1, **fields) -> HouseholdFacts:
    """A household whose wage income over 12 months is `per_capita_total` × size × 12."""
    members = fields.pop("members", None)
    if members is None:
        members = tuple(
            MemberFacts(sex="F", birth_date=date(2015, 1, 1), identity="student")
            for _ in range(size - 1)
        )
    wage = Decimal(per_capita_total) * size * 12
    return HouseholdFacts(wage_income=wage, members=members, **fields)


def run(facts: HouseholdFacts, version: str = rules.RULE_2021, **kw) -> rules.RuleResult:
    return rules.evaluate(
        version,
        facts,
        standard=kw.get("standard", STANDARD),
        minimum_wage=kw.get("minimum_wage", WAGE),
        on=kw.get("on", ON),
    )


# --- acftu-2021: the income lines ---------------------------------------------------------


def test_example_from_the_issue_reads_as_written():
    # given: 612.50 × 2 persons × 12 months
    facts = household("612.50", size=2)

    # when
    result = run(facts)

    # then
    assert result.category == "deep"
    assert result.net_income_per_capita == Decimal("612.50")
    assert result.reason == "月人均净收入 612.50 元 ≤ 低保标准 650.00 元 → 深度困难"
    assert result.category_label == "深度困难"


def test_exactly_at_the_standard_is_deep():
    result = run(household("650.00"))
    assert (result.category, result.net_income_per_capita) == ("deep", Decimal("650.00"))


def test_one_fen_over_the_standard_is_relative():
    result = run(household("650.01"))

    assert result.category == "relative"
    assert result.net_income_per_capita == Decimal("650.01")
    assert result.reason == (
        "月人均净收入 650.01 元 > 低保标准 650.00 元,且 < 2 倍低保标准 1300.00 元 → 相对困难"
    )


def test_one_fen_under_twice_the_standard_is_relative():
    result = run(household("1299.99"))
    assert (result.category, result.net_income_per_capita) == ("relative", Decimal("1299.99"))


def test_exactly_twice_the_standard_is_not_relative():
    result = run(household("1300.00"))

    assert result.category == "not_eligible"
    assert result.reason == "月人均净收入 1300.00 元 ≥ 2 倍低保标准 1300.00 元 → 不符合建档条件"


def test_sudden_hardship_above_the_lines_is_accident():
    result = run(household("1300.00", sudden_hardship=True))

    assert result.category == "accident"
    assert result.reason == (
        "月人均净收入 1300.00 元 ≥ 2 倍低保标准 1300.00 元,因突发事件致困 → 意外致困"
    )


def test_sudden_hardship_below_the_lines_keeps_the_income_category():
    assert run(household("650.00", sudden_hardship=True)).category == "deep"
    assert run(household("1299.99", sudden_hardship=True)).category == "relative"


def test_zero_income_is_deep():
    result = run(HouseholdFacts())
    assert (result.category, result.net_income_per_capita) == ("deep", Decimal("0.00"))


def test_spending_is_deducted_and_may_make_net_income_negative():
    # given: 12 000 income, 6 000 medical, 2 000 education, 1 000 housing, 500 disability,
    # 500 other, 2 persons → (12000 − 10000) / 2 / 12 = 83.33
    facts = HouseholdFacts(
        wage_income=Decimal("12000"),
        medical_spending=Decimal("6000"),
        education_spending=Decimal("2000"),
        housing_spending=Decimal("1000"),
        disability_spending=Decimal("500"),
        other_spending=Decimal("500"),
        members=(MemberFacts(sex="F", birth_date=date(1950, 1, 1), identity="retired"),),
    )
    assert run(facts).net_income_per_capita == Decimal("83.33")

    negative = HouseholdFacts(wage_income=Decimal("1200"), medical_spending=Decimal("2400"))
    result = run(negative)
    assert (result.category, result.net_income_per_capita) == ("deep", Decimal("-100.00"))
    assert result.reason == "月人均净收入 -100.00 元 ≤ 低保标准 650.00 元 → 深度困难"


def test_every_income_kind_counts():
    facts = HouseholdFacts(
        wage_income=Decimal("1200"),
        business_income=Decimal("1200"),
        property_income=Decimal("1200"),
        transfer_income=Decimal("1200"),
        other_income=Decimal("1200"),
    )
    assert run(facts).net_income_per_capita == Decimal("500.00")


def test_rounding_is_half_up_to_fen_and_the_comparison_uses_the_rounded_value():
    # given: 3 persons, 23 400.18 a year → 650.0050 → 650.01 (half up): relative
    facts = household("0", size=3)
    facts = HouseholdFacts(wage_income=Decimal("23400.18"), members=facts.members)

    result = run(facts)

    assert result.net_income_per_capita == Decimal("650.01")
    assert result.category == "relative"

    # and 23 400.17 → 650.00472… → 650.00: deep
    below = HouseholdFacts(wage_income=Decimal("23400.17"), members=facts.members)
    assert run(below).net_income_per_capita == Decimal("650.00")
    assert run(below).category == "deep"


def test_standard_is_compared_in_fen():
    result = run(household("650.00"), standard=Decimal("650.004"))
    assert result.category == "deep"
    assert result.inputs["dibao_standard"] == "650.00"


# --- acftu-2021: idle members at the minimum wage ----------------------------------------


def idle(**fields: Any) -> MemberFacts:
    values: dict[str, Any] = {
        "sex": "M",
        "birth_date": date(1990, 5, 1),
        "identity": "unemployed",
        "able_to_work": True,
        "monthly_income": Decimal("0"),
    }
    values.update(fields)
    return MemberFacts(**values)


def test_an_idle_working_age_member_counts_at_the_minimum_wage():
    # given: head earns 1 000 a month (in the wage income), an unemployed son with nothing
    facts = HouseholdFacts(wage_income=Decimal("12000"), members=(idle(),))

    # when
    result = run(facts)

    # then: (12 000 + 1 930 × 12) / 2 / 12 = 1 465.00 → above twice 650
    assert result.net_income_per_capita == Decimal("1465.00")
    assert result.category == "not_eligible"
    assert result.inputs["imputed_income"] == "23160.00"
    assert result.inputs["members"][0]["counted_at_minimum_wage"] is True
    assert result.inputs["members"][0]["counted_monthly_income"] == "1930.00"
    assert result.reason == (
        "月人均净收入 1465.00 元 ≥ 2 倍低保标准 1300.00 元 → 不符合建档条件;"
        "劳动年龄内有劳动能力未就业成员 1 人,按最低工资 1930.00 元/月计收入;"
        "劳动年龄上限按渐进式延迟法定退休年龄:"
        "成员 1(男,1990年5月生)法定退休年龄 63 岁(男职工),未到,按最低工资计"
    )


def test_an_idle_members_recorded_income_is_replaced_not_added():
    # given: the son's 500 a month of odd jobs is part of the 18 000 wage income
    facts = HouseholdFacts(
        wage_income=Decimal("18000"), members=(idle(monthly_income=Decimal("500")),)
    )

    # when
    result = run(facts)

    # then: 18 000 − 500 × 12 + 1 930 × 12 = 35 160 → / 2 / 12 = 1 465.00
    assert result.inputs["imputed_income"] == "17160.00"
    assert result.net_income_per_capita == Decimal("1465.00")


def test_an_idle_members_income_above_the_minimum_wage_is_kept():
    facts = HouseholdFacts(
        wage_income=Decimal("30000"), members=(idle(monthly_income=Decimal("2500")),)
    )

    result = run(facts)

    assert result.inputs["imputed_income"] == "0.00"
    assert result.inputs["members"][0]["counted_monthly_income"] == "2500.00"
    assert result.net_income_per_capita == Decimal("1250.00")


@pytest.mark.parametrize("identity", ["unemployed", "laid_off", "no_work"])
def test_each_idle_identity_is_imputed(identity):
    result = run(HouseholdFacts(members=(idle(identity=identity),)))
    assert result.net_income_per_capita == Decimal("965.00")


@pytest.mark.parametrize(
    "member",
    [
        idle(able_to_work=False),
        idle(identity="student"),
        idle(identity="employed"),
        idle(identity="retired"),
        idle(identity="other"),
        # a man born 1965-12: 60 years 3 months, reached on the determination date
        idle(sex="M", birth_date=date(1965, 12, 1)),
        # a woman whose post is not known: women originally at 50; born 1975-10: 50 y 5 m
        idle(sex="F", birth_date=date(1975, 10, 1)),
        # under 16 on the determination date
        idle(birth_date=date(2010, 3, 2)),
    ],
    ids=[
        "unable",
        "student",
        "employed",
        "retired",
        "other",
        "man-reached-60-and-3-months",
        "woman-reached-50-and-5-months",
        "one-day-short-of-16",
    ],
)
def test_members_outside_the_idle_definition_are_counted_as_recorded(member):
    result = run(HouseholdFacts(members=(member,)))

    assert result.inputs["imputed_income"] == "0.00"
    assert result.net_income_per_capita == Decimal("0.00")
    assert result.category == "deep"


@pytest.mark.parametrize(
    "member",
    [
        idle(sex="M", birth_date=date(1965, 12, 2)),  # 60 y 3 m tomorrow
        idle(sex="F", birth_date=date(1975, 10, 2)),  # 50 y 5 m tomorrow
        idle(birth_date=date(2010, 3, 1)),  # 16 today
    ],
    ids=["man-one-day-short", "woman-one-day-short", "sixteen-today"],
)
def test_working_age_bounds_are_taken_on_the_determination_date(member):
    assert run(HouseholdFacts(members=(member,))).inputs["imputed_income"] == "23160.00"


def test_the_head_is_not_imputed():
    facts = HouseholdFacts(head_monthly_income=Decimal("0"))
    assert run(facts).inputs["imputed_income"] == "0.00"


def test_an_idle_member_needs_the_minimum_wage():
    with pytest.raises(rules.MinimumWageRequired):
        run(HouseholdFacts(members=(idle(),)), minimum_wage=None)
    assert rules.needs_minimum_wage(rules.RULE_2021, HouseholdFacts(members=(idle(),)), ON)
    assert not rules.needs_minimum_wage(rules.RULE_2012, HouseholdFacts(members=(idle(),)), ON)
    # without idle members no minimum wage is needed
    assert run(household("100"), minimum_wage=None).category == "deep"


# --- the income basis ----------------------------------------------------------------------


def test_monthly_incomes_are_used_when_the_breakdown_is_empty():
    # given: an old roster: head 800 a month, wife 400 a month, no breakdown
    facts = HouseholdFacts(
        head_monthly_income=Decimal("800"),
        members=(
            MemberFacts(
                sex="F",
                birth_date=date(1960, 1, 1),
                identity="retired",
                monthly_income=Decimal("400"),
            ),
        ),
    )

    result = run(facts)

    assert result.inputs["income_basis"] == "per_person"
    assert result.inputs["recorded_income"] == "14400.00"
    assert result.net_income_per_capita == Decimal("600.00")


def test_the_breakdown_wins_over_monthly_incomes():
    facts = HouseholdFacts(wage_income=Decimal("24000"), head_monthly_income=Decimal("800"))

    result = run(facts)

    assert result.inputs["income_basis"] == "breakdown"
    assert result.net_income_per_capita == Decimal("2000.00")


# --- exclusions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("controlling_shareholder", "家庭成员为企业控股股东 → 不符合建档条件"),
        ("multiple_homes", "拥有两套及以上超标准住房 → 不符合建档条件"),
        ("owns_vehicle", "拥有机动车辆(残疾人功能性补偿代步车除外) → 不符合建档条件"),
        ("refuses_cooperation", "拒不配合调查或隐瞒收入 → 不符合建档条件"),
    ],
)
@pytest.mark.parametrize("version", [rules.RULE_2021, rules.RULE_2012])
def test_each_exclusion_refuses_whatever_the_income(field, reason, version):
    result = run(household("100.00", receives_dibao=True, **{field: True}), version)

    assert result.category == "not_eligible"
    assert result.reason == reason
    assert result.net_income_per_capita == Decimal("100.00")
    assert result.inputs[field] is True


def test_several_exclusions_are_all_named():
    result = run(household("100", controlling_shareholder=True, owns_vehicle=True))
    assert result.reason == (
        "家庭成员为企业控股股东、拥有机动车辆(残疾人功能性补偿代步车除外) → 不符合建档条件"
    )


# --- acftu-2012 ------------------------------------------------------------------------------


def test_2012_receiving_dibao():
    result = run(household("1500", receives_dibao=True), rules.RULE_2012)
    assert result.category == "dibao"
    assert result.reason == "家庭正在享受低保(月人均净收入 1500.00 元) → 享受低保"


def test_2012_at_the_line_without_dibao():
    result = run(household("650.00"), rules.RULE_2012)
    assert result.category == "no_dibao"
    assert result.reason == "月人均净收入 650.00 元 ≤ 低保标准 650.00 元,未享受低保 → 未享受低保"


def test_2012_above_the_line():
    assert run(household("650.01"), rules.RULE_2012).category == "above_dibao"
    assert run(household("1299.99"), rules.RULE_2012).category == "above_dibao"
    assert run(household("1300.00"), rules.RULE_2012).category == "not_eligible"
    assert (
        run(household("1300.00", sudden_hardship=True), rules.RULE_2012).category == "above_dibao"
    )


def test_2012_does_not_impute_idle_members():
    result = run(HouseholdFacts(members=(idle(),)), rules.RULE_2012, minimum_wage=None)
    assert result.inputs["imputed_income"] == "0.00"
    assert result.category == "no_dibao"


# --- the record ------------------------------------------------------------------------------


def test_inputs_record_everything_used_without_personal_data():
    facts = HouseholdFacts(
        wage_income=Decimal("12000"),
        members=(idle(monthly_income=Decimal("100")),),
    )

    inputs = run(facts).inputs

    assert inputs == {
        "wage_income": "12000.00",
        "business_income": "0.00",
        "property_income": "0.00",
        "transfer_income": "0.00",
        "other_income": "0.00",
        "medical_spending": "0.00",
        "disability_spending": "0.00",
        "education_spending": "0.00",
        "housing_spending": "0.00",
        "other_spending": "0.00",
        "head_monthly_income": "0.00",
        "income_basis": "breakdown",
        "recorded_income": "12000.00",
        "imputed_income": "21960.00",
        "spending": "0.00",
        "household_size": 2,
        "members": [
            {
                "index": 1,
                "sex": "M",
                "age": 35,
                "identity": "unemployed",
                "able_to_work": True,
                "monthly_income": "100.00",
                "counted_at_minimum_wage": True,
                "counted_monthly_income": "1930.00",
                "retirement_age": "63 岁",
                "retirement_table": "男职工",
            }
        ],
        "sudden_hardship": False,
        "receives_dibao": False,
        "controlling_shareholder": False,
        "multiple_homes": False,
        "owns_vehicle": False,
        "refuses_cooperation": False,
        "dibao_standard": "650.00",
        "minimum_wage": "1930.00",
        "determined_on": "2026-03-01",
        "net_income_per_capita": "1415.00",
        "category": "not_eligible",
        "rule_version": "acftu-2021",
    }


def test_an_unknown_rule_version_is_refused():
    with pytest.raises(KeyError):
        run(HouseholdFacts(), "acftu-1999")


def test_age_on_a_leap_day_birthday():
    assert rules.age_on(date(2008, 2, 29), date(2024, 2, 28)) == 15
    assert rules.age_on(date(2008, 2, 29), date(2024, 2, 29)) == 16
    assert rules.age_on(date(2008, 2, 29), date(2025, 3, 1)) == 17
