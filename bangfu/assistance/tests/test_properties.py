"""Property tests: random sequences of applications, amounts and decisions never break the
caps (across kinds and years), and no refused input leaves anything behind."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bangfu.assistance.models import Application, Kind
from bangfu.assistance.selectors import COUNTING, received_this_year
from bangfu.assistance.services import ApplicationInput, application_create
from bangfu.core.errors import DomainError

from .factories import aided_household, make_programme

pytestmark = pytest.mark.django_db

# Hypothesis runs every example in the same test database: programme names must differ.
_RUN = itertools.count()

MONEY = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False)

ACTION = st.tuples(
    st.sampled_from(["medical", "living"]),  # kind
    st.sampled_from([2025, 2026]),  # year
    st.integers(min_value=1, max_value=12),  # month
    MONEY,  # self-paid part or living expenses
    st.one_of(st.none(), MONEY),  # an amount set by hand
    st.booleans(),  # approve at once (the status a decision would leave)
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(ACTION, min_size=1, max_size=8))
def test_caps_hold_across_kinds_and_years(network, staff, actions):
    Application.objects.all().delete()
    household = aided_household(network.station_a, staff)
    programmes = {}
    run = next(_RUN)
    for year in (2025, 2026):
        programmes[("medical", year)] = make_programme(
            network.township,
            staff,
            kind=Kind.MEDICAL,
            year=year,
            name=f"医疗{year}-{run}",
        )
        programmes[("living", year)] = make_programme(
            network.township,
            staff,
            kind=Kind.LIVING,
            year=year,
            name=f"生活{year}-{run}",
        )
    for kind, year, month, money, amount, approve in actions:
        programme = programmes[(kind, year)]
        facts = (
            {
                "illness": "病",
                "hospital": "医院",
                "bill_items": [("费用", money)],
                "insurance_paid": Decimal("0"),
                "other_aid": Decimal("0"),
                "self_paid": money,
            }
            if kind == "medical"
            else {"cause": "困难", "expenses": money}
        )
        data = ApplicationInput(
            programme=programme,
            period_start=date(year, month, 1),
            period_end=date(year, month, 28),
            amount=amount,
            amount_reason="按实际情况调整" if amount is not None else "",
            **facts,
        )
        before = Application.objects.count()
        try:
            application = application_create(actor=staff, household_id=household.pk, data=data)
        except DomainError:
            assert Application.objects.count() == before
            continue
        Application.objects.filter(pk=application.pk).update(
            status=Application.Status.APPROVED if approve else Application.Status.SUBMITTED
        )
    # The caps: medical 5,000 a year (the factory's), living one year of 低保 for two persons.
    for year in (2025, 2026):
        medical = received_this_year(household_id=household.pk, year=year, kinds=(Kind.MEDICAL,))
        living = received_this_year(
            household_id=household.pk, year=year, kinds=(Kind.LIVING, Kind.TEMPORARY)
        )
        assert medical <= Decimal("5000.00")
        assert living <= Decimal("650.00") * 12 * 2
    assert not Application.objects.filter(amount__lte=0, status__in=COUNTING).exists()
