"""Categories evaluated ahead of a bulk filing (`filing.households_evaluate_ahead`, run by the
import's helper process): the same outcomes as the filing's own evaluation, taken only where
the day, the area's figures and the archive's head are the same — else evaluated again."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bangfu.archives.models import Household
from bangfu.archives.rules import RuleResult
from bangfu.archives.services import categories, filing

from .factories import make_area, make_id_number, make_standards
from .filing_factories import household_input, member_input

# The filing takes outcomes evaluated ahead on PostgreSQL, where it determines the categories
# before writing the archives (`determinations_prepare_new`).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _items(network, n: int, start: int) -> list:
    area = make_area()
    make_standards(area)
    return [
        household_input(
            network.station_a,
            area=area,
            name=f"职工{i}",
            id_number=make_id_number(date(1970, 1, 1 + i), seq=start + i),
            wage_income=Decimal(6000 + 18000 * i),
            members=[
                member_input(
                    name=f"配偶{i}",
                    id_number=make_id_number(date(1972, 2, 2), sex="F", seq=start + i),
                )
            ],
        )
        for i in range(n)
    ]


def _determined(households: list[Household]) -> list[tuple[Any, ...]]:
    result: list[tuple[Any, ...]] = []
    for household in Household.objects.filter(pk__in=[h.pk for h in households]).order_by("pk"):
        d = household.latest_determination
        assert d is not None
        result.append((household.category, d.category, d.net_income_per_capita, d.reason, d.inputs))
    return result


def test_outcomes_evaluated_ahead_are_those_the_filing_finds(network, staff):
    # given: households with different incomes (different categories)
    items = _items(network, 4, start=100)

    # when: evaluated ahead, then filed without them
    ahead = filing.households_evaluate_ahead(items=items, status=Household.Status.ACTIVE)
    created = filing.household_create_many(actor=staff, items=items)

    # then: the same categories, incomes, reasons and inputs
    assert ahead is not None
    outcomes = [o for o in ahead.outcomes if isinstance(o, RuleResult)]
    assert len(outcomes) == 4
    assert [
        (o.category, o.category, o.net_income_per_capita, o.reason, o.inputs) for o in outcomes
    ] == _determined(created)
    assert len({o.category for o in outcomes}) > 1


def _forged(ahead: categories.EvaluatedAhead, reason: str) -> categories.EvaluatedAhead:
    outcomes = [
        dataclasses.replace(o, reason=reason) if isinstance(o, RuleResult) else o
        for o in ahead.outcomes
    ]
    return dataclasses.replace(ahead, outcomes=outcomes)


def test_the_filing_takes_outcomes_evaluated_ahead_when_they_hold(network, staff):
    # given: outcomes evaluated ahead, marked so that their use shows
    items = _items(network, 2, start=200)
    ahead = filing.households_evaluate_ahead(items=items, status=Household.Status.ACTIVE)
    assert ahead is not None

    # when
    created = filing.household_create_many(
        actor=staff, items=items, evaluated_ahead=_forged(ahead, "预先认定")
    )

    # then
    assert [row[3] for row in _determined(created)] == ["预先认定", "预先认定"]


@pytest.mark.parametrize("differs", ["day", "figures", "head", "count"])
def test_outcomes_that_do_not_hold_here_are_evaluated_again(network, staff, differs):
    # given: outcomes evaluated ahead (marked) with another day, other figures for the area,
    # another head for the first archive, or one outcome too few
    items = _items(network, 2, start=300)
    ahead = filing.households_evaluate_ahead(items=items, status=Household.Status.ACTIVE)
    assert ahead is not None
    forged = _forged(ahead, "预先认定")
    if differs == "day":
        forged = dataclasses.replace(forged, on=date(2020, 1, 1))
    elif differs == "figures":
        area_id = items[0].area.pk
        (standard, wage) = forged.figures[area_id]
        forged.figures[area_id] = ((standard[0], standard[1] + 1), wage)
    elif differs == "head":
        forged.heads[0] = "别人"
    else:
        forged = dataclasses.replace(forged, outcomes=forged.outcomes[:1], heads=forged.heads[:1])

    # when
    created = filing.household_create_many(actor=staff, items=items, evaluated_ahead=forged)

    # then: evaluated here where it did not hold (the second archive keeps its outcome when
    # only the first one's head differs)
    reasons = [row[3] for row in _determined(created)]
    assert reasons[0] != "预先认定"
    assert (reasons[1] == "预先认定") is (differs == "head")


def test_an_archive_that_cannot_be_determined_ahead_is_left_without_a_category(network, staff):
    # given: the first archive's outcome says why it cannot be determined
    items = _items(network, 2, start=400)
    ahead = filing.households_evaluate_ahead(items=items, status=Household.Status.ACTIVE)
    assert ahead is not None
    ahead.outcomes[0] = "该地区没有生效的低保标准"

    # when
    created = filing.household_create_many(actor=staff, items=items, evaluated_ahead=ahead)

    # then
    first, second = (Household.objects.get(pk=h.pk) for h in created)
    assert (first.category, first.latest_determination) == ("", None)
    assert second.category and second.latest_determination is not None


def test_nothing_is_evaluated_ahead_for_a_batch_with_an_error(network):
    # given: an item with an impossible ID
    items = _items(network, 2, start=500)
    items[1] = dataclasses.replace(items[1], id_number="123")

    # then
    assert filing.households_evaluate_ahead(items=items, status=Household.Status.ACTIVE) is None
