"""Versioned category rules: pure functions over plain inputs (no database).

A rule set takes a household's facts, the 低保 standard and the minimum wage in force, and the
date of the determination, and returns the category with the net income per person per month
and the reason in words. Every determination stores the rule version it used, so older files
keep being evaluated under the rules they were filed under (`acftu-2012`), while new files use
`acftu-2021`.

Decisions (see also the tests in `tests/test_rules.py`):

* Net household income per person per month (both versions) =
  (recorded income + imputed income − spending) ÷ household size ÷ 12, rounded half-up to
  fen, and compared after rounding. Household size = head + members.
* Recorded income is the household's 12-month breakdown (wages + business + property +
  transfer + other). Older rosters carry only the head's and the members' monthly incomes:
  when the breakdown is all zero, the recorded income is (head's monthly income + each
  member's monthly income) × 12 instead. `inputs["income_basis"]` says which was used.
* Spending deducted: medical + disability + non-compulsory education + housing + other
  unavoidable spending, 12 months. A net below zero is kept as it is (it is still ≤ the line).
* Idle members (acftu-2021 only, members other than the head): a member of working age at
  the determination date — from the 16th birthday up to (not including) the day the member
  reaches the statutory retirement age (`retirement_age`, below) — able to work, whose
  identity is unemployed, laid off or no work, is counted at the monthly minimum wage. Their
  recorded monthly income is part of the recorded income above, so the rule adds (minimum
  wage − recorded monthly income) × 12 for each: their income is replaced, never counted twice.
  A recorded income above the minimum wage is kept (the imputation never lowers income). The
  head is not imputed: the head is the worker the archive is for, whose work status is usually
  the very cause of hardship.
* Exclusions (both versions) come first: any one gives 不符合建档条件 with the reason, whatever
  the income.
* acftu-2021: net ≤ standard → 深度困难; net < 2 × standard → 相对困难; otherwise, with sudden
  hardship → 意外致困; otherwise 不符合建档条件. A household hit by sudden hardship whose income
  is below the lines gets the income category (ACFTU practice: 意外致困 is for families whose
  income is above the lines but who are in hardship after an accident, disaster or illness).
* acftu-2012: receives 低保 → 享受低保; net ≤ standard → 未享受低保; net < 2 × standard or sudden
  hardship → 低保线以上; otherwise 不符合建档条件.

* The statutory retirement age [law: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的
  决定, 13 September 2024, with its 附件 国务院关于渐进式延迟法定退休年龄的办法; in force
  1 January 2025] rises by month of birth: men from 60 to 63, one month later for every 4 months
  of birth from January 1965 (born 1965-01 to 1965-04: 60 years 1 month; from 1976-09: 63);
  women whose original age was 55 (cadre posts) from 55 to 58, likewise from January 1970 (from
  1981-09: 58); other women, originally 50, from 50 to 55, one month for every 2 months of
  birth from January 1975 (from 1984-11: 55). A determination before 2025 uses the old ages
  (60, 55, 50). The age is reached on the day the birth date plus that many years and months
  falls (the last day of a shorter month). Each determination's reason names the limit applied
  to every member it was applied to (out of work and able to work, 16 or older).
* A member's kind of post is not on the national form: the archive records no "cadre" field.
  A woman is therefore taken at the lower age (originally 50, the table of other women) unless
  `female_cadre` is given: imputing income to someone past her statutory age would wrongly
  count wages she cannot be expected to earn and could refuse the household; not imputing a
  cadre woman between the two ages errs for the household, and the reason says which age was
  applied so a reviewer can see it.

Reasons are stored with the determination as a record in Chinese (the language of the file),
not translated with the interface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_noop

from .models.choices import Category, MemberIdentity, Sex

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONTHS = 12

RULE_2021 = "acftu-2021"
RULE_2012 = "acftu-2012"

# Working age: from the 16th birthday up to (not including) the day the statutory retirement
# age is reached (see the module's docstring and `retirement_age`).
WORKING_AGE_FROM = 16
IDLE_IDENTITIES = frozenset(
    {MemberIdentity.UNEMPLOYED.value, MemberIdentity.LAID_OFF.value, MemberIdentity.NO_WORK.value}
)

# Field → how the reason names it. Order is the order reasons list them in.
EXCLUSIONS: tuple[tuple[str, str], ...] = (
    ("controlling_shareholder", "家庭成员为企业控股股东"),
    ("multiple_homes", "拥有两套及以上超标准住房"),
    ("owns_vehicle", "拥有机动车辆(残疾人功能性补偿代步车除外)"),
    ("refuses_cooperation", "拒不配合调查或隐瞒收入"),
)

CATEGORY_LABELS = {
    Category.DEEP.value: "深度困难",
    Category.RELATIVE.value: "相对困难",
    Category.ACCIDENT.value: "意外致困",
    Category.DIBAO.value: "享受低保",
    Category.ABOVE_DIBAO.value: "低保线以上",
    Category.NO_DIBAO.value: "未享受低保",
    Category.NOT_ELIGIBLE.value: "不符合建档条件",
}


@dataclass(frozen=True)
class RetirementTable:
    """One line of the 2024 decision's table: the original age, from which birth month it rises,
    by one month for every `every_months` months of birth, up to `max_delay_months`."""

    label: str
    base_years: int
    first_born: tuple[int, int]  # (year, month) of the first birth month delayed
    every_months: int
    max_delay_months: int


# 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024), 附件 the State
# Council's 办法, 附件 1–3: the tables for men, women originally at 55 and women originally at 50.
RETIREMENT_REFORM_FROM = date(2025, 1, 1)
MEN = RetirementTable("男职工", 60, (1965, 1), 4, 36)
WOMEN_CADRE = RetirementTable("原法定退休年龄 55 周岁的女职工", 55, (1970, 1), 4, 36)
WOMEN_OTHER = RetirementTable("原法定退休年龄 50 周岁的女职工", 50, (1975, 1), 2, 60)


@dataclass(frozen=True)
class RetirementAge:
    """The statutory retirement age that applies to one person on one day."""

    table: RetirementTable
    years: int
    months: int
    reached_on: date

    @property
    def text(self) -> str:
        """The age in words as the decision writes it: "60 岁" or "60 岁 4 个月"."""
        if self.months:
            return f"{self.years} 岁 {self.months} 个月"
        return f"{self.years} 岁"


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    # The last day of a shorter month (born on the 31st, reached on the 30th or 28th/29th).
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


def retirement_table(sex: str, *, female_cadre: bool | None = None) -> RetirementTable | None:
    """Return the table that applies: men; women originally at 55 when `female_cadre` is True;
    otherwise (False, or not known) women originally at 50 — see the module's docstring."""
    if sex == Sex.MALE.value:
        return MEN
    if sex == Sex.FEMALE.value:
        return WOMEN_CADRE if female_cadre else WOMEN_OTHER
    return None


def retirement_age(
    sex: str, birth_date: date, on: date, *, female_cadre: bool | None = None
) -> RetirementAge | None:
    """Return the statutory retirement age of a person on the day `on` (None for an unknown
    sex): the 2024 decision's table by month of birth from 2025, the original ages before."""
    table = retirement_table(sex, female_cadre=female_cadre)
    if table is None:
        return None
    delay = 0
    if on >= RETIREMENT_REFORM_FROM:
        first_year, first_month = table.first_born
        since = (birth_date.year - first_year) * 12 + birth_date.month - first_month
        if since >= 0:
            delay = min(table.max_delay_months, since // table.every_months + 1)
    total = table.base_years * 12 + delay
    return RetirementAge(
        table=table,
        years=total // 12,
        months=total % 12,
        reached_on=_add_months(birth_date, total),
    )


class MinimumWageRequired(ValueError):
    """The household has idle working-age members but no minimum wage was given."""


@dataclass(frozen=True)
class MemberFacts:
    """What the rules need of one member other than the head (no name, no ID)."""

    sex: str
    birth_date: date
    identity: str
    able_to_work: bool = True
    monthly_income: Decimal = ZERO
    # Whether a woman's original retirement age is 55 (a cadre post): None when not known,
    # which the archive never records today (see the module's docstring).
    female_cadre: bool | None = None


@dataclass(frozen=True)
class HouseholdFacts:
    """What the rules need of one household. Amounts are yuan over the last 12 months,
    except the monthly incomes of the head and the members."""

    wage_income: Decimal = ZERO
    business_income: Decimal = ZERO
    property_income: Decimal = ZERO
    transfer_income: Decimal = ZERO
    other_income: Decimal = ZERO
    medical_spending: Decimal = ZERO
    disability_spending: Decimal = ZERO
    education_spending: Decimal = ZERO
    housing_spending: Decimal = ZERO
    other_spending: Decimal = ZERO
    head_monthly_income: Decimal = ZERO
    sudden_hardship: bool = False
    receives_dibao: bool = False
    controlling_shareholder: bool = False
    multiple_homes: bool = False
    owns_vehicle: bool = False
    refuses_cooperation: bool = False
    members: Sequence[MemberFacts] = field(default_factory=tuple)


@dataclass(frozen=True)
class RuleResult:
    category: str
    net_income_per_capita: Decimal
    reason: str
    inputs: dict[str, Any]

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]


INCOME_FIELDS = (
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "other_income",
)
SPENDING_FIELDS = (
    "medical_spending",
    "disability_spending",
    "education_spending",
    "housing_spending",
    "other_spending",
)


def money(value: Decimal) -> Decimal:
    """Return `value` rounded half-up to fen."""
    if value.__class__ is not Decimal:  # a Decimal is not copied first (a million an import)
        value = Decimal(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _yuan(value: Decimal) -> str:
    return f"{money(value):.2f}"


def age_on(birth_date: date, day: date) -> int:
    """Return the age in full years on `day` (a 29 February birthday counts on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_working_age(
    sex: str, birth_date: date, day: date, *, female_cadre: bool | None = None
) -> bool:
    """Return whether a person is 16 or older on `day` and has not reached the statutory
    retirement age."""
    limit = retirement_age(sex, birth_date, day, female_cadre=female_cadre)
    if limit is None:
        return False
    return age_on(birth_date, day) >= WORKING_AGE_FROM and day < limit.reached_on


def _out_of_work(member: MemberFacts, day: date) -> bool:
    """Out of work, able to work and 16 or older: whether the retirement age decides."""
    return (
        member.identity in IDLE_IDENTITIES
        and member.able_to_work
        and age_on(member.birth_date, day) >= WORKING_AGE_FROM
    )


def is_idle(member: MemberFacts, day: date) -> bool:
    """Return whether the member is of working age, able to work and out of work on `day`."""
    return _out_of_work(member, day) and is_working_age(
        member.sex, member.birth_date, day, female_cadre=member.female_cadre
    )


def _age_limit_note(index: int, member: MemberFacts, day: date, idle: bool) -> str:
    limit = retirement_age(member.sex, member.birth_date, day, female_cadre=member.female_cadre)
    sex = "男" if member.sex == Sex.MALE.value else "女"
    born = f"{member.birth_date.year}年{member.birth_date.month}月生"
    if limit is None:  # pragma: no cover - sex is required on every member
        return f"成员 {index}({born})性别不详,不计"
    basis = limit.table.label
    if member.sex == Sex.FEMALE.value and member.female_cadre is None:
        basis += ",岗位不详"
    outcome = "未到,按最低工资计" if idle else "已到,不计"
    return f"成员 {index}({sex},{born})法定退休年龄 {limit.text}({basis}),{outcome}"


@dataclass(frozen=True)
class _Income:
    net: Decimal
    inputs: dict[str, Any]
    idle_count: int
    # For each member out of work and able to work: the retirement age applied, in words.
    age_notes: tuple[str, ...] = ()


def _net_income(
    facts: HouseholdFacts,
    *,
    standard: Decimal,
    minimum_wage: Decimal | None,
    on: date,
    impute_idle: bool,
) -> _Income:
    size = 1 + len(facts.members)
    breakdown = sum((money(getattr(facts, name)) for name in INCOME_FIELDS), ZERO)
    head = money(facts.head_monthly_income)
    monthly = sum((money(m.monthly_income) for m in facts.members), head)
    per_person = monthly * MONTHS
    if breakdown == 0 and per_person != 0:
        basis, recorded = "per_person", per_person
    else:
        basis, recorded = "breakdown", breakdown
    spending = sum((money(getattr(facts, name)) for name in SPENDING_FIELDS), ZERO)

    members: list[dict[str, Any]] = []
    imputed = ZERO
    idle_count = 0
    age_notes: list[str] = []
    for index, member in enumerate(facts.members, start=1):
        idle = impute_idle and is_idle(member, on)
        limit_applied = impute_idle and _out_of_work(member, on)
        if limit_applied:
            age_notes.append(_age_limit_note(index, member, on, idle))
        counted = money(member.monthly_income)
        if idle:
            if minimum_wage is None:
                raise MinimumWageRequired("An idle working-age member needs the minimum wage.")
            idle_count += 1
            counted = max(counted, money(minimum_wage))
            imputed += (counted - money(member.monthly_income)) * MONTHS
        members.append(
            {
                "index": index,
                "sex": member.sex,
                "age": age_on(member.birth_date, on),
                "identity": member.identity,
                "able_to_work": member.able_to_work,
                "monthly_income": _yuan(member.monthly_income),
                "counted_at_minimum_wage": idle,
                "counted_monthly_income": _yuan(counted),
            }
        )
        if limit_applied:
            limit = retirement_age(
                member.sex, member.birth_date, on, female_cadre=member.female_cadre
            )
            if limit is not None:
                members[-1]["retirement_age"] = limit.text
                members[-1]["retirement_table"] = limit.table.label

    net = money((recorded + imputed - spending) / size / MONTHS)
    inputs: dict[str, Any] = {
        **{name: _yuan(getattr(facts, name)) for name in INCOME_FIELDS + SPENDING_FIELDS},
        "head_monthly_income": _yuan(facts.head_monthly_income),
        "income_basis": basis,
        "recorded_income": _yuan(recorded),
        "imputed_income": _yuan(imputed),
        "spending": _yuan(spending),
        "household_size": size,
        "members": members,
        "sudden_hardship": facts.sudden_hardship,
        "receives_dibao": facts.receives_dibao,
        **{name: bool(getattr(facts, name)) for name, _label in EXCLUSIONS},
        "dibao_standard": _yuan(standard),
        "minimum_wage": _yuan(minimum_wage) if minimum_wage is not None else None,
        "determined_on": on.isoformat(),
        "net_income_per_capita": _yuan(net),
    }
    return _Income(net=net, inputs=inputs, idle_count=idle_count, age_notes=tuple(age_notes))


def _exclusion_reason(facts: HouseholdFacts) -> str | None:
    found = [label for name, label in EXCLUSIONS if getattr(facts, name)]
    if not found:
        return None
    return f"{'、'.join(found)} → {CATEGORY_LABELS[Category.NOT_ELIGIBLE]}"


def _with_idle_note(reason: str, income: _Income, minimum_wage: Decimal | None) -> str:
    if income.idle_count and minimum_wage is not None:
        reason = (
            f"{reason};劳动年龄内有劳动能力未就业成员 {income.idle_count} 人,"
            f"按最低工资 {_yuan(minimum_wage)} 元/月计收入"
        )
    if income.age_notes:
        reason = f"{reason};劳动年龄上限按渐进式延迟法定退休年龄:{';'.join(income.age_notes)}"
    return reason


def _result(category: str, text: str, income: _Income, minimum_wage: Decimal | None) -> RuleResult:
    reason = _with_idle_note(f"{text} → {CATEGORY_LABELS[category]}", income, minimum_wage)
    inputs = {**income.inputs, "category": category}
    return RuleResult(category, income.net, reason, inputs)


def evaluate_2021(
    facts: HouseholdFacts, *, standard: Decimal, minimum_wage: Decimal | None, on: date
) -> RuleResult:
    """Return the ACFTU category in force since 2021 (深度困难 / 相对困难 / 意外致困).

    Raise MinimumWageRequired when an idle working-age member must be counted at the minimum
    wage and none is given.
    """
    standard = money(standard)
    income = _net_income(
        facts, standard=standard, minimum_wage=minimum_wage, on=on, impute_idle=True
    )
    net, double = income.net, standard * 2
    excluded = _exclusion_reason(facts)
    if excluded is not None:
        inputs = {**income.inputs, "category": Category.NOT_ELIGIBLE.value}
        return RuleResult(Category.NOT_ELIGIBLE.value, net, excluded, inputs)
    line = f"月人均净收入 {_yuan(net)} 元"
    if net <= standard:
        return _result(
            Category.DEEP, f"{line} ≤ 低保标准 {_yuan(standard)} 元", income, minimum_wage
        )
    if net < double:
        text = f"{line} > 低保标准 {_yuan(standard)} 元,且 < 2 倍低保标准 {_yuan(double)} 元"
        return _result(Category.RELATIVE, text, income, minimum_wage)
    text = f"{line} ≥ 2 倍低保标准 {_yuan(double)} 元"
    if facts.sudden_hardship:
        return _result(Category.ACCIDENT, f"{text},因突发事件致困", income, minimum_wage)
    return _result(Category.NOT_ELIGIBLE, text, income, minimum_wage)


def evaluate_2012(
    facts: HouseholdFacts, *, standard: Decimal, minimum_wage: Decimal | None, on: date
) -> RuleResult:
    """Return the 2012-era category (享受低保 / 未享受低保 / 低保线以上) for older files.

    Idle members are not imputed (that practice came with the 2021 rule); `minimum_wage` is
    only recorded.
    """
    standard = money(standard)
    income = _net_income(
        facts, standard=standard, minimum_wage=minimum_wage, on=on, impute_idle=False
    )
    net, double = income.net, standard * 2
    excluded = _exclusion_reason(facts)
    if excluded is not None:
        inputs = {**income.inputs, "category": Category.NOT_ELIGIBLE.value}
        return RuleResult(Category.NOT_ELIGIBLE.value, net, excluded, inputs)
    line = f"月人均净收入 {_yuan(net)} 元"
    if facts.receives_dibao:
        return _result(Category.DIBAO, f"家庭正在享受低保({line})", income, None)
    if net <= standard:
        text = f"{line} ≤ 低保标准 {_yuan(standard)} 元,未享受低保"
        return _result(Category.NO_DIBAO, text, income, None)
    if net < double:
        text = f"{line} > 低保标准 {_yuan(standard)} 元,且 < 2 倍低保标准 {_yuan(double)} 元"
        return _result(Category.ABOVE_DIBAO, text, income, None)
    text = f"{line} ≥ 2 倍低保标准 {_yuan(double)} 元"
    if facts.sudden_hardship:
        return _result(Category.ABOVE_DIBAO, f"{text},因突发事件致困", income, None)
    return _result(Category.NOT_ELIGIBLE, text, income, None)


Rule = Callable[..., RuleResult]

RULES: dict[str, Rule] = {RULE_2021: evaluate_2021, RULE_2012: evaluate_2012}
# Marked for the catalog (translated where shown); the module itself stays plain.
RULE_LABELS = {
    RULE_2021: gettext_noop("全总 2021 年起困难职工认定办法(深度困难 / 相对困难 / 意外致困)"),
    RULE_2012: gettext_noop("2012 年困难职工分类(享受低保 / 低保线以上 / 未享受低保)"),
}
# Categories each rule version can give, for forms and checks.
RULE_CATEGORIES = {
    RULE_2021: (
        Category.DEEP.value,
        Category.RELATIVE.value,
        Category.ACCIDENT.value,
        Category.NOT_ELIGIBLE.value,
    ),
    RULE_2012: (
        Category.DIBAO.value,
        Category.NO_DIBAO.value,
        Category.ABOVE_DIBAO.value,
        Category.NOT_ELIGIBLE.value,
    ),
}


def evaluate(
    rule_version: str,
    facts: HouseholdFacts,
    *,
    standard: Decimal,
    minimum_wage: Decimal | None,
    on: date,
) -> RuleResult:
    """Evaluate `facts` under `rule_version`. Raise KeyError for an unknown version."""
    try:
        rule = RULES[rule_version]
    except KeyError:
        raise KeyError(f"Unknown rule version {rule_version!r}.") from None
    result = rule(facts, standard=standard, minimum_wage=minimum_wage, on=on)
    result.inputs["rule_version"] = rule_version
    return result


# --- the category alone (a re-evaluation of a whole province) ----------------------------------


def _net_only(
    facts: HouseholdFacts, *, minimum_wage: Decimal | None, on: date, impute_idle: bool
) -> Decimal:
    """Return the net income per person exactly as `_net_income` works it out (the same
    figures, rounded the same way, in the same order), without the inputs and notes that a
    stored determination keeps."""
    members = facts.members
    breakdown = sum((money(getattr(facts, name)) for name in INCOME_FIELDS), ZERO)
    counted = [money(m.monthly_income) for m in members]
    monthly = sum(counted, money(facts.head_monthly_income))
    per_person = monthly * MONTHS
    recorded = per_person if breakdown == 0 and per_person != 0 else breakdown
    spending = sum((money(getattr(facts, name)) for name in SPENDING_FIELDS), ZERO)
    imputed = ZERO
    if impute_idle:
        for member, income in zip(members, counted, strict=True):
            if is_idle(member, on):
                if minimum_wage is None:
                    raise MinimumWageRequired("An idle working-age member needs the minimum wage.")
                imputed += (max(income, money(minimum_wage)) - income) * MONTHS
    return money((recorded + imputed - spending) / (1 + len(members)) / MONTHS)


def category_of(
    rule_version: str,
    facts: HouseholdFacts,
    *,
    standard: Decimal,
    minimum_wage: Decimal | None,
    on: date,
) -> str:
    """Return the category `evaluate` gives (`evaluate(...).category`), without its reason
    and inputs: a re-evaluation of every open archive asks only whether the category changes,
    and evaluates in full the few whose category does. Raise KeyError and
    MinimumWageRequired as `evaluate` does. (`test_rules_category_of` checks the two agree.)"""
    if rule_version not in RULES:
        raise KeyError(f"Unknown rule version {rule_version!r}.")
    modern = rule_version == RULE_2021
    net = _net_only(facts, minimum_wage=minimum_wage, on=on, impute_idle=modern)
    if any(getattr(facts, name) for name, _label in EXCLUSIONS):
        return Category.NOT_ELIGIBLE.value
    standard = money(standard)
    if modern:
        if net <= standard:
            return Category.DEEP.value
        if net < standard * 2:
            return Category.RELATIVE.value
        return Category.ACCIDENT.value if facts.sudden_hardship else Category.NOT_ELIGIBLE.value
    if facts.receives_dibao:
        return Category.DIBAO.value
    if net <= standard:
        return Category.NO_DIBAO.value
    if net < standard * 2 or facts.sudden_hardship:
        return Category.ABOVE_DIBAO.value
    return Category.NOT_ELIGIBLE.value


def needs_minimum_wage(rule_version: str, facts: HouseholdFacts, on: date) -> bool:
    """Return whether evaluating `facts` needs the minimum wage (an idle member, 2021 rule)."""
    return rule_version == RULE_2021 and any(is_idle(m, on) for m in facts.members)
