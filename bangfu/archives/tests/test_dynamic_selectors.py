"""Reviews due, the worklist, 脱困 candidates at their boundaries, closed archives."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bangfu.archives.due import recovery_proposals, reviews_due
from bangfu.archives.models import Household, MonthlyIncome
from bangfu.archives.selectors import dynamic as selectors
from bangfu.archives.services.dynamic import recovery_runs_refresh
from bangfu.archives.tests.factories import make_area, make_household, make_standards
from bangfu.core import worklist
from bangfu.core.dates import add_months

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


# --- reviews due and the worklist -------------------------------------------------------------


def test_reviews_due_lists_due_within_30_days_or_overdue_earliest_first(network, staff):
    t = today()
    in_20 = make_household(
        network.station_a, filed_by=staff, name="甲", review_due_on=t + timedelta(20)
    )
    overdue = make_household(
        network.station_a, filed_by=staff, name="乙", review_due_on=t - timedelta(5)
    )
    in_30 = make_household(
        network.station_b, filed_by=staff, name="丙", review_due_on=t + timedelta(30)
    )
    make_household(network.station_a, filed_by=staff, name="丁", review_due_on=t + timedelta(31))
    make_household(
        network.station_a,
        filed_by=staff,
        name="戊",
        review_due_on=t - timedelta(100),
        status=Household.Status.CLOSED,
    )
    make_household(network.other_township, filed_by=staff, name="己", review_due_on=t)

    rows = list(selectors.reviews_due(user=staff))

    assert [h.pk for h in rows] == [overdue.pk, in_20.pk, in_30.pk]


def test_worklist_shows_reviews_due_in_due_order_with_the_rule(network, staff, liaison_a):
    t = today()
    later = make_household(
        network.station_a, filed_by=staff, name="甲", review_due_on=t + timedelta(9)
    )
    sooner = make_household(
        network.station_a, filed_by=staff, name="乙", review_due_on=t - timedelta(2)
    )

    items = [i for i in worklist.due_items(staff) if i.rule.startswith("年度复核")]

    assert [(i.title, i.due, i.rule) for i in items] == [
        (f"年度复核:{sooner}(响水社区帮扶站)", t - timedelta(2), "年度复核:上次复核后 12 个月"),
        (f"年度复核:{later}(响水社区帮扶站)", t + timedelta(9), "年度复核:上次复核后 12 个月"),
    ]
    assert items[0].overdue
    # A liaison cannot review, so nothing lands on their worklist.
    assert list(reviews_due(liaison_a)) == []


def test_worklist_summarises_beyond_its_limit(network, staff, monkeypatch):
    monkeypatch.setattr("bangfu.archives.due.DYNAMIC_LIMIT", 2)
    t = today()
    for days in (1, 2, 3, 4):
        make_household(network.station_a, filed_by=staff, review_due_on=t + timedelta(days))

    items = list(reviews_due(staff))

    assert [i.due for i in items] == [t + timedelta(1), t + timedelta(2), t + timedelta(3)]
    assert items[-1].title == "另有 2 份档案复核到期,见“复核到期”列表"
    assert items[-1].url == "/archives/reviews/due/"


# --- 脱困 candidates --------------------------------------------------------------------------


def months_back(n: int) -> list[date]:
    """The n months ending last month, oldest first."""
    last = add_months(today().replace(day=1), -1)
    return [add_months(last, -i) for i in reversed(range(n))]


def record(household, staff, amounts: dict[date, str]) -> None:
    """Incomes written in bulk, as an import would, with the archive's 脱困 run worked out
    as every write of incomes does (`services.dynamic.recovery_runs_refresh`)."""
    MonthlyIncome.objects.bulk_create(
        MonthlyIncome(
            household=household, month=m, net_income_per_capita=Decimal(a), recorded_by=staff
        )
        for m, a in amounts.items()
    )
    recovery_runs_refresh(Household.objects.filter(pk=household.pk))


@pytest.fixture
def area():
    area = make_area()
    make_standards(area, dibao="650.00", effective_from=date(2020, 1, 1))
    return area


def candidates(user) -> list[str]:
    return [c.household.name for c in selectors.recovery_candidates(user=user)]


def test_six_months_above_the_standard_make_a_candidate(network, staff, area):
    household = make_household(network.station_a, filed_by=staff, area=area, name="甲")
    record(household, staff, dict.fromkeys(months_back(6), "650.01"))

    result = selectors.recovery_candidates(user=staff)

    assert [c.household.pk for c in result] == [household.pk]
    assert [m.month for m in result[0].months] == months_back(6)
    assert result[0].months[0].standard == Decimal("650.00")


def test_income_equal_to_the_standard_is_not_above(network, staff, area):
    household = make_household(network.station_a, filed_by=staff, area=area, name="甲")
    months = months_back(6)
    record(household, staff, {**dict.fromkeys(months, "900.00"), months[2]: "650.00"})

    assert candidates(staff) == []


def test_five_months_are_not_enough(network, staff, area):
    household = make_household(network.station_a, filed_by=staff, area=area, name="甲")
    record(household, staff, dict.fromkeys(months_back(5), "900.00"))

    assert candidates(staff) == []


def test_a_gap_month_breaks_the_run(network, staff, area):
    household = make_household(network.station_a, filed_by=staff, area=area, name="甲")
    months = months_back(7)
    del months[3]  # six records over seven months
    record(household, staff, dict.fromkeys(months, "900.00"))

    assert candidates(staff) == []


def test_only_the_last_six_months_count(network, staff, area):
    recovered = make_household(network.station_a, filed_by=staff, area=area, name="甲")
    relapsed = make_household(network.station_a, filed_by=staff, area=area, name="乙")
    months = months_back(8)
    record(recovered, staff, {**dict.fromkeys(months, "900.00"), months[0]: "100.00"})
    record(relapsed, staff, {**dict.fromkeys(months, "900.00"), months[-1]: "100.00"})

    assert candidates(staff) == ["甲"]


def test_each_month_is_compared_with_the_standard_in_force_that_month(network, staff, area):
    months = months_back(6)
    # The standard rises to 800 from the fourth month on.
    make_standards(area, dibao="800.00", minimum_wage="2000.00", effective_from=months[3])
    above_both = make_household(network.station_a, filed_by=staff, area=area, name="甲")
    above_old_only = make_household(network.station_a, filed_by=staff, area=area, name="乙")
    record(
        above_both,
        staff,
        {**dict.fromkeys(months[:3], "700.00"), **dict.fromkeys(months[3:], "800.01")},
    )
    record(above_old_only, staff, dict.fromkeys(months, "700.00"))

    assert candidates(staff) == ["甲"]


def test_a_month_without_a_standard_is_not_above(network, staff):
    area = make_area("430321", "湘潭县", "county")
    months = months_back(6)
    make_standards(area, dibao="500.00", effective_from=months[1])
    household = make_household(network.station_a, filed_by=staff, area=area, name="甲")
    record(household, staff, dict.fromkeys(months, "900.00"))

    assert candidates(staff) == []


def test_candidates_are_scoped_active_and_found_in_a_fixed_number_of_queries(
    network, staff, liaison_b, area, django_assert_num_queries
):
    months = months_back(6)
    for i in range(5):
        h = make_household(network.station_a, filed_by=staff, area=area, name=f"甲{i}")
        record(h, staff, dict.fromkeys(months, "900.00"))
    closed = make_household(
        network.station_a, filed_by=staff, area=area, status=Household.Status.CLOSED
    )
    record(closed, staff, dict.fromkeys(months, "900.00"))
    # One query for the user's grants is cached on the user object after the first call.
    selectors.recovery_candidates(user=staff)

    with django_assert_num_queries(3):  # months, standards, the archives read
        result = list(selectors.recovery_candidates(user=staff))

    assert len(result) == 5
    assert selectors.recovery_candidates(user=liaison_b) == []


def test_worklist_proposes_recovery(network, staff, area):
    household = make_household(network.station_a, filed_by=staff, area=area, name="甲")
    record(household, staff, dict.fromkeys(months_back(6), "900.00"))

    items = list(recovery_proposals(staff))

    assert [(i.title, i.due, i.rule) for i in items] == [
        (
            f"建议脱困:{household}(响水社区帮扶站)",
            today().replace(day=1),
            "建议脱困:月人均收入连续 6 个月高于低保标准",
        )
    ]


# --- closed archives ------------------------------------------------------------------------


def test_closed_list_flags_retention_review(network, staff):
    t = today()
    due = make_household(
        network.station_a,
        filed_by=staff,
        status=Household.Status.CLOSED,
        closed_on=t - timedelta(days=3700),
        retention_review_on=t - timedelta(days=50),
    )
    make_household(
        network.station_a,
        filed_by=staff,
        status=Household.Status.CLOSED,
        closed_on=t - timedelta(days=30),
        retention_review_on=t + timedelta(days=3620),
    )
    make_household(network.station_a, filed_by=staff)

    assert selectors.closed_households(user=staff).count() == 2
    assert list(selectors.closed_households(user=staff, retention_due_only=True)) == [due]
