"""The household field list is written once (HouseholdInput): the archive form and the API
input serializer are made from it, and a field added there reaches both."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured

from bangfu.archives.api.households import HouseholdInputSerializer
from bangfu.archives.forms import filing as filing_forms
from bangfu.archives.forms.filing import FIELDSETS, Fieldset, HouseholdForm
from bangfu.archives.inputs import (
    SYSTEM_FIELDS,
    HouseholdInput,
    household_fields_of,
    household_input_fields,
)
from bangfu.archives.services.filing import MONEY_FIELDS
from bangfu.core.money import MoneyField


def test_the_form_and_the_api_take_exactly_the_fields_a_user_gives():
    given = set(household_input_fields())

    assert given == {f.name for f in dataclasses.fields(HouseholdInput)} - SYSTEM_FIELDS
    assert set(HouseholdForm.base_fields) == given
    assert set(HouseholdInputSerializer().fields) == given | {"members"}


def test_the_form_shows_its_fields_in_the_order_of_its_fieldsets():
    assert list(HouseholdForm.base_fields) == [n for fs in FIELDSETS for n in fs.names]


def test_a_field_comes_from_the_model_field_with_the_inputs_default():
    fields = HouseholdForm.base_fields

    political = fields["political_status"]
    industry = fields["industry"]
    assert isinstance(political, forms.ChoiceField) and isinstance(industry, forms.ChoiceField)
    assert (str(political.label), political.initial) == ("政治面貌", "masses")
    first: dict[str, Any] = {
        name: next(iter(field.choices))  # type: ignore[arg-type]
        for name, field in (("political", political), ("industry", industry))
    }
    assert first["political"] != ("", "—")  # a default: never blank
    assert first["industry"] == ("", "—")  # no default: may be left blank
    assert fields["union_member"].initial is True
    assert isinstance(fields["wage_income"], forms.DecimalField)
    assert getattr(fields["employer"], "max_length", None) == 100


def test_money_fields_are_found_from_the_model():
    assert household_fields_of(MoneyField) == MONEY_FIELDS
    assert "head_monthly_income" in MONEY_FIELDS and "floor_area" not in MONEY_FIELDS


def test_a_field_left_out_of_the_fieldsets_is_refused_at_start(monkeypatch):
    monkeypatch.setattr(
        filing_forms, "FIELDSETS", (*FIELDSETS[:-1], Fieldset("备注", ()))
    )  # "notes" no longer shown

    with pytest.raises(ImproperlyConfigured, match=r"missing \['notes'\]"):
        filing_forms._household_fields()
