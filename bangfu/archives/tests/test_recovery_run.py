"""The 脱困 run kept on the archive (`recovery_run`, `recovery_run_end`): every write that
changes an income, a 低保 standard or the archive's area keeps it, the migration fills it, and
the candidates are read from it in a number of queries that does not grow with them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from bangfu.archives.models import Household, MonthlyIncome
from bangfu.archives.selectors import dynamic as selectors
from bangfu.archives.services import dynamic, filing
from bangfu.archives.services.standards import dibao_standard_create, dibao_standard_delete
from bangfu.archives.tests.factories import make_area, make_household, make_standards
from bangfu.archives.tests.filing_factories import household_input
from bangfu.core.dates import add_months

pytestmark = pytest.mark.django_db


def months_back(n: int) -> list[date]:
    """The n months ending last month, oldest first."""
    last = add_months(timezone.localdate().replace(day=1), -1)
    return [add_months(last, -i) for i in reversed(range(n))]


@pytest.fixture
def area():
    area = make_area()
    make_standards(area, dibao="650.00", effective_from=date(2020, 1, 1))
    return area


@pytest.fixture
def household(network, staff, area):
    return make_household(
        network.station_a, filed_by=staff, area=area, filed_on=date(2020, 1, 1), name="甲"
    )


def run_of(household: Household) -> tuple[int, date | None]:
    household.refresh_from_db()
    return household.recovery_run, household.recovery_run_end


def test_recording_incomes_keeps_the_run(staff, household):
    months = months_back(6)

    for month in months:
        dynamic.monthly_income_record(actor=staff, household=household, month=month, amount="700")

    assert run_of(household) == (6, months[-1])
    assert [c.household.pk for c in selectors.recovery_candidates(user=staff)] == [household.pk]


def test_correcting_a_month_to_the_standard_breaks_the_run(staff, household):
    months = months_back(6)
    for month in months:
        dynamic.monthly_income_record(actor=staff, household=household, month=month, amount="700")

    dynamic.monthly_income_record(actor=staff, household=household, month=months[2], amount="650")

    assert run_of(household) == (3, months[-1])
    assert selectors.recovery_candidates(user=staff) == []


def test_a_latest_month_below_the_standard_ends_the_run(staff, household):
    months = months_back(2)
    dynamic.monthly_income_record(actor=staff, household=household, month=months[0], amount="700")
    assert run_of(household) == (1, months[0])

    dynamic.monthly_income_record(actor=staff, household=household, month=months[1], amount="100")

    assert run_of(household) == (0, None)


def test_a_refused_income_leaves_the_run_unchanged(staff, household):
    months = months_back(1)
    dynamic.monthly_income_record(actor=staff, household=household, month=months[0], amount="700")

    with pytest.raises(Exception, match="不能为负数"):
        dynamic.monthly_income_record(
            actor=staff, household=household, month=months[0], amount="-1"
        )

    assert run_of(household) == (1, months[0])


def test_a_new_standard_measures_its_months_again_and_its_deletion_restores_them(
    sysadmin, staff, household, area
):
    months = months_back(6)
    for month in months:
        dynamic.monthly_income_record(actor=staff, household=household, month=month, amount="700")
    assert run_of(household) == (6, months[-1])

    # when: a standard of 750 from the fourth month on
    saved = dibao_standard_create(
        actor=sysadmin, area=area, amount="750.00", effective_from=months[3]
    )

    # then: the last three months are no longer above it
    assert run_of(household) == (0, None)
    assert selectors.recovery_candidates(user=staff) == []

    # when: it was a mistake
    dibao_standard_delete(actor=sysadmin, standard=saved.standard)

    assert run_of(household) == (6, months[-1])


def test_moving_the_archive_to_another_area_measures_it_against_that_area(
    network, staff, household
):
    months = months_back(6)
    for month in months:
        dynamic.monthly_income_record(actor=staff, household=household, month=month, amount="700")
    county = make_area("430321", "湘潭县", "county")
    make_standards(county, dibao="800.00", effective_from=date(2020, 1, 1))

    filing.household_update(
        actor=staff,
        household=household,
        data=household_input(network.station_a, area=county, id_number=household.id_number),
    )

    assert run_of(household) == (0, None)


def test_candidates_are_read_in_three_queries_however_many_there_are(
    network, staff, area, django_assert_num_queries
):
    months = months_back(6)

    def add(n: int) -> None:
        for i in range(n):
            h = make_household(network.station_a, filed_by=staff, area=area, name=f"乙{i}")
            MonthlyIncome.objects.bulk_create(
                MonthlyIncome(
                    household=h, month=m, net_income_per_capita=Decimal("900"), recorded_by=staff
                )
                for m in months
            )
        dynamic.recovery_runs_refresh(Household.objects.all())

    add(2)
    selectors.recovery_candidates(user=staff)  # the user's grants, cached on the user
    with django_assert_num_queries(3):  # keys, the months with their archives, the standards
        assert len(list(selectors.recovery_candidates(user=staff))) == 2

    add(30)
    with django_assert_num_queries(3):
        result = list(selectors.recovery_candidates(user=staff))

    assert len(result) == 32
    assert all(len(c.months) == 6 and c.months[0].month == months[0] for c in result)


def test_the_migration_fills_the_runs_as_the_services_keep_them(network, staff, area):
    """0009 writes the rule out again (a migration must not import code that may change):
    on the same incomes it gives exactly what `recovery_runs_refresh` gives."""
    months = months_back(9)
    cases = {
        "above": dict.fromkeys(months, "700"),
        "gap": {m: "700" for m in months if m != months[4]},
        "equal last": {**dict.fromkeys(months, "700"), months[-1]: "650"},
        "one": {months[-1]: "650.01"},
        "none": {},
    }
    households = {}
    for label, amounts in cases.items():
        h = make_household(network.station_a, filed_by=staff, area=area, name=label)
        MonthlyIncome.objects.bulk_create(
            MonthlyIncome(household=h, month=m, net_income_per_capita=Decimal(a), recorded_by=staff)
            for m, a in amounts.items()
        )
        households[label] = h
    dynamic.recovery_runs_refresh(Household.objects.all())
    kept = dict(Household.objects.values_list("name", "recovery_run"))
    Household.objects.update(recovery_run=0, recovery_run_end=None)

    import_module("bangfu.archives.migrations.0009_scale_recovery_run_fill").fill(apps, None)

    assert dict(Household.objects.values_list("name", "recovery_run")) == kept
    assert kept == {"above": 9, "gap": 4, "equal last": 0, "one": 1, "none": 0}
    assert Household.objects.get(name="above").recovery_run_end == months[-1]
    assert Household.objects.get(name="equal last").recovery_run_end is None
