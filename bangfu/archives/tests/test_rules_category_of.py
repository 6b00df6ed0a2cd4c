"""`rules.category_of` (the re-evaluation's fast path) gives exactly the category that
`rules.evaluate` gives, for any facts, under both rule versions — on the boundaries too
(incomes a fen either side of the standard and of twice the standard)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bangfu.archives import rules
from bangfu.archives.models.choices import MemberIdentity
from bangfu.archives.rules import HouseholdFacts, MemberFacts

money = st.decimals(min_value=0, max_value=200_000, places=2, allow_nan=False)
monthly = st.one_of(
    st.decimals(min_value=0, max_value=5_000, places=2, allow_nan=False),
    st.sampled_from([Decimal("0.00"), Decimal("650.00"), Decimal("1300.00"), Decimal("1930.00")]),
)
members = st.builds(
    MemberFacts,
    sex=st.sampled_from(["M", "F"]),
    birth_date=st.dates(date(1940, 1, 1), date(2024, 12, 31)),
    identity=st.sampled_from(MemberIdentity.values),
    able_to_work=st.booleans(),
    monthly_income=monthly,
    female_cadre=st.sampled_from([None, True, False]),
)
facts = st.builds(
    HouseholdFacts,
    wage_income=st.one_of(money, st.just(Decimal("0.00"))),
    business_income=st.one_of(st.just(Decimal("0.00")), money),
    property_income=st.just(Decimal("0.00")) | money,
    transfer_income=st.just(Decimal("0.00")) | money,
    other_income=st.just(Decimal("0.00")) | money,
    medical_spending=st.just(Decimal("0.00")) | money,
    disability_spending=st.just(Decimal("0.00")) | money,
    education_spending=st.just(Decimal("0.00")) | money,
    housing_spending=st.just(Decimal("0.00")) | money,
    other_spending=st.just(Decimal("0.00")) | money,
    head_monthly_income=monthly,
    sudden_hardship=st.booleans(),
    receives_dibao=st.booleans(),
    controlling_shareholder=st.just(False) | st.booleans(),
    multiple_homes=st.just(False) | st.booleans(),
    owns_vehicle=st.just(False) | st.booleans(),
    refuses_cooperation=st.just(False) | st.booleans(),
    members=st.lists(members, max_size=5).map(tuple),
)
standards = st.sampled_from(["650.00", "649.995", "500", "1200.50"]).map(Decimal)
wages = st.one_of(st.none(), st.sampled_from(["1930.00", "2100.00", "0.00"]).map(Decimal))
days = st.dates(date(2018, 1, 1), date(2035, 12, 31))


def both(version, f, standard, wage, on):
    try:
        full = rules.evaluate(version, f, standard=standard, minimum_wage=wage, on=on).category
    except rules.MinimumWageRequired:
        full = "MinimumWageRequired"
    try:
        fast = rules.category_of(version, f, standard=standard, minimum_wage=wage, on=on)
    except rules.MinimumWageRequired:
        fast = "MinimumWageRequired"
    return full, fast


@pytest.mark.parametrize("version", [rules.RULE_2021, rules.RULE_2012])
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(f=facts, standard=standards, wage=wages, on=days)
@example(f=HouseholdFacts(wage_income=Decimal("7800.00")), standard=Decimal("650"), wage=None,
         on=date(2026, 6, 1))  # fmt: skip
@example(f=HouseholdFacts(wage_income=Decimal("15599.88")), standard=Decimal("650"), wage=None,
         on=date(2026, 6, 1))  # fmt: skip
def test_category_of_agrees_with_evaluate(version, f, standard, wage, on):
    full, fast = both(version, f, standard, wage, on)

    assert fast == full


@pytest.mark.parametrize("version", [rules.RULE_2021, rules.RULE_2012])
@pytest.mark.parametrize("fen", range(-3, 4))
@pytest.mark.parametrize("line", ["650.00", "1300.00"])
@pytest.mark.parametrize("sudden", [False, True])
def test_category_of_agrees_on_the_lines(version, fen, line, sudden):
    per_person = Decimal(line) + Decimal(fen) / 100
    f = HouseholdFacts(wage_income=per_person * 2 * 12, sudden_hardship=sudden,
                       members=(MemberFacts(sex="F", birth_date=date(2015, 1, 1),
                                            identity="student"),))  # fmt: skip

    full, fast = both(version, f, Decimal("650.00"), Decimal("1930.00"), date(2026, 6, 1))

    assert fast == full


def test_an_unknown_version_is_refused_as_evaluate_refuses_it():
    with pytest.raises(KeyError):
        rules.category_of("nope", HouseholdFacts(), standard=Decimal(1), minimum_wage=None,
                          on=date(2026, 1, 1))  # fmt: skip
