"""The latest determination kept on the archive, which the 应享未享低保 list reads: set by every
way a determination is stored, cleared when the income rises above the line, and filled for
archives that were determined before it existed (the backfill migration)."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from bangfu.archives.identity import mobile_index
from bangfu.archives.models import Household
from bangfu.archives.selectors.benefits import dibao_gap
from bangfu.archives.services.categories import household_determine, household_determine_many
from bangfu.archives.tests.factories import make_area, make_household, make_standards

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 1)
backfill = importlib.import_module("bangfu.archives.migrations.0005_scale_backfill")


@pytest.fixture
def area():
    area = make_area()
    make_standards(area)  # 650.00 from 2024-01-01
    return area


def archive(network, staff, area, wage, **fields):
    return make_household(
        network.station_a, filed_by=staff, area=area, wage_income=Decimal(wage), **fields
    )


def kept(household):
    row = Household.objects.get(pk=household.pk)
    return row.latest_determination_id, row.net_income_under_line


def test_a_determination_at_or_below_the_line_is_kept_with_its_income(network, staff, area):
    household = archive(network, staff, area, "7500")  # 625.00 a month

    determination = household_determine(actor=staff, household=household, on=ON)

    assert determination is not None
    assert kept(household) == (determination.pk, Decimal("625.00"))
    assert [h.pk for h in dibao_gap(user=staff, day=ON)] == [household.pk]


def test_a_later_determination_above_the_line_replaces_it(network, staff, area):
    household = archive(network, staff, area, "7500")
    household_determine(actor=staff, household=household, on=ON)
    Household.objects.filter(pk=household.pk).update(wage_income=Decimal("12000"))

    second = household_determine(actor=staff, household=household, on=ON)

    assert second is not None
    assert kept(household) == (second.pk, None)
    assert list(dibao_gap(user=staff, day=ON)) == []


def test_an_excluded_household_is_not_kept_as_under_the_line(network, staff, area):
    household = archive(network, staff, area, "6000", owns_vehicle=True)

    determination = household_determine(actor=staff, household=household, on=ON)

    assert determination is not None and determination.category == "not_eligible"
    assert kept(household) == (determination.pk, None)


def test_many_at_once_keep_each_latest(network, staff, area):
    low = archive(network, staff, area, "6000", name="甲")
    high = archive(network, staff, area, "30000", name="乙")

    stored = household_determine_many(actor=staff, households=[low, high], on=ON)

    by_household = {d.household_id: d for d in stored}
    assert kept(low) == (by_household[low.pk].pk, Decimal("500.00"))
    assert kept(high) == (by_household[high.pk].pk, None)


def test_the_backfill_fills_archives_determined_before(network, staff, area):
    # given: determinations stored, then the kept columns lost (as before the migration)
    low = archive(network, staff, area, "6000", name="甲", mobile="13800001111")
    high = archive(network, staff, area, "30000", name="乙", mobile="")
    household_determine(actor=staff, household=low, on=ON)
    newest = household_determine(actor=staff, household=low, on=date(2026, 4, 1))
    household_determine(actor=staff, household=high, on=ON)
    Household.objects.update(latest_determination=None, net_income_under_line=None, mobile_index="")

    # when
    backfill.fill_mobile_index(apps, None)
    backfill.fill_latest_determination(apps, None)

    # then
    assert newest is not None
    assert kept(low) == (newest.pk, Decimal("500.00"))
    assert kept(high)[1] is None and kept(high)[0] is not None
    assert Household.objects.get(pk=low.pk).mobile_index == mobile_index("13800001111")
    assert Household.objects.get(pk=high.pk).mobile_index == ""


def test_an_import_keeps_each_latest_like_a_single_determination(network, staff, area):
    """`household_create_many` determines its new archives without reading them again
    (`fresh`): each keeps the latest determination, its income under the line and its
    category exactly as a single determination of the same archive does."""
    from bangfu.archives.services import filing
    from bangfu.archives.tests.factories import make_id_number
    from bangfu.archives.tests.filing_factories import household_input

    items = [
        household_input(
            network.station_a,
            area=area,
            name=name,
            id_number=make_id_number(date(1970, 1, 1 + n), seq=400 + n),
            wage_income=Decimal(wage),
            **extra,
        )
        for n, (name, wage, extra) in enumerate(
            [("甲", "6000", {}), ("乙", "30000", {}), ("丙", "6000", {"owns_vehicle": True})]
        )
    ]

    created = filing.household_create_many(actor=staff, items=items)

    latest = [h.latest_determination for h in created]
    assert all(d is not None for d in latest)
    imported = [
        (kept(h), Household.objects.get(pk=h.pk).category, d.category)  # type: ignore[union-attr]
        for h, d in zip(created, latest, strict=True)
    ]
    for household in created:
        Household.objects.filter(pk=household.pk).update(
            latest_determination=None, net_income_under_line=None, category=""
        )
    again = []
    for household in created:
        fresh = Household.objects.get(pk=household.pk)
        determination = household_determine(actor=staff, household=fresh)
        assert determination is not None
        again.append(((determination.pk, kept(fresh)[1]), fresh.category, determination.category))
    assert [row[1:] for row in imported] == [row[1:] for row in again]
    assert [row[0][1] for row in imported] == [Decimal("500.00"), None, None]
    assert [row[0][1] for row in imported] == [row[0][1] for row in again]
    assert all(row[0][0] is not None for row in imported)
    assert [h.latest_determination_id for h in Household.objects.order_by("pk")] == [
        row[0][0] for row in again
    ]
