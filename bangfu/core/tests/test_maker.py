"""`core.bulk.maker`: new instances made as the model's constructor makes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import router
from django.db.models.signals import post_init

from bangfu.archives.models import Household, HouseholdMember, IdRegistration
from bangfu.core.bulk import maker
from bangfu.core.models import AuditEvent
from bangfu.network.models import OrgUnit


def _fields(obj) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def test_made_as_the_constructor_makes_them():
    unit = OrgUnit(pk=7, name="响水社区帮扶站")
    values = {
        "unit": unit,
        "status": Household.Status.ACTIVE,
        "archive_no": "XS-2026-0001",
        "applied_on": date(2026, 3, 1),
        "wage_income": Decimal("9600.00"),
    }
    made, built = maker(Household)(**values), Household(**values)
    assert _fields(made) == _fields(built)
    assert made.unit_id == 7 and made.unit is unit  # the relation's id and its object
    assert (made._state.adding, made._state.db) == (built._state.adding, built._state.db)
    assert made.pk is None

    household = Household(pk=3)
    member = maker(HouseholdMember)(household=household, name="配偶", sort_order=1)
    assert _fields(member) == _fields(
        HouseholdMember(household=household, name="配偶", sort_order=1)
    )
    assert member.household is household
    registration = maker(IdRegistration)(id_index="x", household=household, member=member)
    assert registration.member is member and registration.household_id == 3
    assert _fields(maker(AuditEvent)()) == _fields(AuditEvent())


def test_a_callable_default_is_called_for_each_instance():
    first, second = maker(Household)(), maker(Household)()
    first.secondary_causes.append(2)
    assert second.secondary_causes == []
    assert Household().secondary_causes == []


def test_a_model_with_init_receivers_is_made_by_its_constructor():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=HouseholdMember)
    try:
        member = maker(HouseholdMember)(name="子")
    finally:
        post_init.disconnect(receiver, sender=HouseholdMember)
    assert seen == [member]
    maker(HouseholdMember)(name="女")
    assert seen == [member]


def test_relations_are_set_as_their_descriptors_set_them():
    unit = OrgUnit(pk=7, name="响水社区帮扶站")
    made, built = maker(Household)(unit=unit), Household(unit=unit)
    assert made._state.db == built._state.db == "default"
    assert made._state.fields_cache == built._state.fields_cache == {"unit": unit}
    assert unit._state.db == "default"  # the related instance gets the database too

    # None clears the key as the descriptor does; a wrong type is refused with its message.
    assert _fields(maker(Household)(unit=None)) == _fields(Household(unit=None))
    with pytest.raises(ValueError) as by_maker:
        maker(Household)(unit=Household(pk=1))
    with pytest.raises(ValueError) as by_constructor:
        Household(unit=Household(pk=1))  # type: ignore[misc]
    assert str(by_maker.value) == str(by_constructor.value)

    # A relation across databases is refused as Django refuses it (the instance took the
    # first relation's database).
    elsewhere = OrgUnit(pk=8)
    elsewhere._state.db = "other"
    with pytest.raises(ValueError) as by_maker:
        maker(Household)(unit=unit, centre=elsewhere)
    with pytest.raises(ValueError) as by_constructor:
        Household(unit=unit, centre=elsewhere)
    assert str(by_maker.value) == str(by_constructor.value)


def test_with_database_routers_the_descriptor_decides(monkeypatch):
    class Refusing:
        def allow_relation(self, obj1, obj2, **hints):
            return False

    monkeypatch.setattr(router, "routers", [Refusing()])
    with pytest.raises(ValueError, match="router prevents"):
        Household(unit=OrgUnit(pk=7))
    with pytest.raises(ValueError, match="router prevents"):
        maker(Household)(unit=OrgUnit(pk=7))
