"""Working age for imputing idle members: the statutory retirement age of the 2024 decision
(渐进式延迟法定退休年龄, in force 2025-01-01) by month of birth, at the date of determination."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bangfu.archives import rules
from bangfu.archives.rules import HouseholdFacts, MemberFacts

AFTER = date(2026, 3, 1)


def _age(sex: str, born: date, on: date = AFTER, **kw) -> str:
    limit = rules.retirement_age(sex, born, on, **kw)
    assert limit is not None
    return limit.text


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (date(1964, 12, 31), "60 岁"),  # born before the table: unchanged
        (date(1965, 1, 1), "60 岁 1 个月"),  # the first month of the table
        (date(1965, 4, 30), "60 岁 1 个月"),
        (date(1965, 5, 1), "60 岁 2 个月"),  # every 4 months one more
        (date(1976, 8, 31), "62 岁 11 个月"),
        (date(1976, 9, 1), "63 岁"),  # the last step
        (date(1990, 5, 1), "63 岁"),
    ],
)
def test_men_from_60_to_63_one_month_every_four_months(born, expected):
    assert _age("M", born) == expected


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (date(1969, 12, 31), "55 岁"),
        (date(1970, 1, 1), "55 岁 1 个月"),
        (date(1970, 5, 1), "55 岁 2 个月"),
        (date(1981, 8, 31), "57 岁 11 个月"),
        (date(1981, 9, 1), "58 岁"),
    ],
)
def test_women_in_cadre_posts_from_55_to_58_one_month_every_four_months(born, expected):
    assert _age("F", born, female_cadre=True) == expected


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (date(1974, 12, 31), "50 岁"),
        (date(1975, 1, 1), "50 岁 1 个月"),
        (date(1975, 2, 28), "50 岁 1 个月"),
        (date(1975, 3, 1), "50 岁 2 个月"),  # every 2 months one more
        (date(1984, 10, 31), "54 岁 11 个月"),
        (date(1984, 11, 1), "55 岁"),
    ],
)
def test_other_women_from_50_to_55_one_month_every_two_months(born, expected):
    assert _age("F", born, female_cadre=False) == expected


def test_a_woman_whose_post_is_not_known_is_taken_at_the_lower_age():
    born = date(1972, 6, 10)

    assert _age("F", born) == "50 岁"
    assert _age("F", born, female_cadre=True) == "55 岁 8 个月"


def test_before_2025_the_original_ages_apply():
    born = date(1965, 1, 15)

    assert _age("M", born, on=date(2024, 12, 31)) == "60 岁"
    assert _age("M", born, on=date(2025, 1, 1)) == "60 岁 1 个月"


def test_the_age_is_reached_on_the_last_day_of_a_shorter_month():
    limit = rules.retirement_age("M", date(1965, 1, 31), AFTER)

    assert limit is not None
    assert limit.reached_on == date(2025, 2, 28)


# --- in the determination -----------------------------------------------------------------


def _idle(sex: str, born: date, **kw) -> MemberFacts:
    return MemberFacts(sex=sex, birth_date=born, identity="unemployed", **kw)


def _run(member: MemberFacts, on: date) -> rules.RuleResult:
    return rules.evaluate(
        rules.RULE_2021,
        HouseholdFacts(members=(member,)),
        standard=Decimal("650.00"),
        minimum_wage=Decimal("1930.00"),
        on=on,
    )


def test_a_man_past_60_but_short_of_his_age_in_the_table_is_imputed():
    # given: born 1965-01-15, so his age is 60 years 1 month, reached on 2025-02-15
    man = _idle("M", date(1965, 1, 15))

    # when: determined a few days after his 60th birthday, then on the day he reaches it
    before, after = _run(man, date(2025, 1, 20)), _run(man, date(2025, 2, 15))

    # then
    assert before.inputs["imputed_income"] == "23160.00"
    assert before.reason.endswith(
        ";劳动年龄上限按渐进式延迟法定退休年龄:"
        "成员 1(男,1965年1月生)法定退休年龄 60 岁 1 个月(男职工),未到,按最低工资计"
    )
    assert after.inputs["imputed_income"] == "0.00"
    assert after.reason == (
        "月人均净收入 0.00 元 ≤ 低保标准 650.00 元 → 深度困难;"
        "劳动年龄上限按渐进式延迟法定退休年龄:"
        "成员 1(男,1965年1月生)法定退休年龄 60 岁 1 个月(男职工),已到,不计"
    )


def test_the_born_month_before_the_table_retires_at_60():
    man = _idle("M", date(1964, 12, 20))

    assert _run(man, date(2024, 12, 19)).inputs["imputed_income"] == "23160.00"
    assert _run(man, date(2024, 12, 20)).inputs["imputed_income"] == "0.00"


def test_women_of_both_kinds_and_of_an_unknown_post():
    on = date(2026, 3, 1)
    born = date(1972, 6, 10)  # 53 years old

    unknown = _run(_idle("F", born), on)
    cadre = _run(_idle("F", born, female_cadre=True), on)

    assert unknown.inputs["imputed_income"] == "0.00"
    assert unknown.reason.endswith(
        "成员 1(女,1972年6月生)法定退休年龄 50 岁(原法定退休年龄 50 周岁的女职工,岗位不详)"
        ",已到,不计"
    )
    assert cadre.inputs["imputed_income"] == "23160.00"
    assert cadre.reason.endswith(
        "成员 1(女,1972年6月生)法定退休年龄 55 岁 8 个月(原法定退休年龄 55 周岁的女职工)"
        ",未到,按最低工资计"
    )


def test_no_limit_is_named_when_no_member_is_out_of_work():
    student = MemberFacts(sex="F", birth_date=date(2010, 1, 1), identity="student")

    result = rules.evaluate(
        rules.RULE_2021,
        HouseholdFacts(members=(student,)),
        standard=Decimal("650.00"),
        minimum_wage=None,
        on=AFTER,
    )

    assert "法定退休年龄" not in result.reason


def test_the_2012_rule_imputes_nobody_and_names_no_limit():
    result = rules.evaluate(
        rules.RULE_2012,
        HouseholdFacts(members=(_idle("M", date(1990, 1, 1)),)),
        standard=Decimal("650.00"),
        minimum_wage=Decimal("1930.00"),
        on=AFTER,
    )

    assert result.inputs["imputed_income"] == "0.00"
    assert "法定退休年龄" not in result.reason
