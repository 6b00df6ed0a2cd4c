"""What a user (a form, an Excel row, an API call) gives to file or edit an archive.

Forms, the Excel import and the API all build these and hand them to
`services.filing` — one validation for every way in. Values are already converted to Python
types (dates, Decimals, codes); raw ID numbers, phones and bank cards are normalised and checked
by the service.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist

ZERO = Decimal("0.00")


@dataclass
class MemberInput:
    name: str
    relation: str
    id_number: str = ""  # may be empty for a child without an ID card yet; then birth/sex given
    sex: str = ""  # derived from the ID when given
    birth_date: date | None = None  # derived from the ID when given
    health: str = "healthy"
    disability: str = "none"
    medical_insurance: str = ""
    monthly_income: Decimal = ZERO
    identity: str = "other"
    able_to_work: bool = True
    employer_or_school: str = ""
    education: str = ""
    enrolled_year: int | None = None
    schooling_years: int | None = None
    source_row: int | None = None  # the Excel row it came from, for error messages


@dataclass
class HouseholdInput:
    unit: Any  # OrgUnit: the station or centre the archive belongs to
    area: Any  # Area: whose 低保 standard applies
    applied_on: date
    name: str
    id_number: str
    work_status: str
    housing: str
    marital_status: str
    hukou: str
    address: str
    medical_insurance: str
    main_cause: int
    secondary_causes: list[int] = field(default_factory=list)
    origin: str = "application"
    sex: str = ""  # derived from the ID
    birth_date: date | None = None  # derived from the ID
    ethnicity: str = "汉族"
    political_status: str = "masses"
    health: str = "healthy"
    disability: str = "none"
    model_worker: str = "none"
    work_started_on: date | None = None
    industry: str = ""
    employer: str = ""
    employer_nature: str = ""
    enterprise_status: str = ""
    floor_area: Decimal | None = None
    mobile: str = ""
    postcode: str = ""
    hukou_area_code: str = ""
    single_parent: bool = False
    zero_employment: bool = False
    union_member: bool = True
    head_monthly_income: Decimal = ZERO
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
    sudden_hardship: bool = False
    receives_dibao: bool = False
    controlling_shareholder: bool = False
    multiple_homes: bool = False
    owns_vehicle: bool = False
    refuses_cooperation: bool = False
    bank_name: str = ""
    bank_branch: str = ""
    bank_card: str = ""
    bank_account_holder: str = ""  # must be the head's own name (实名制)
    notes: str = ""
    consent_sensitive_on: date | None = None
    consent_publication_on: date | None = None
    rule_version: str = "acftu-2021"
    category: str = ""  # only for older files imported with the category they were filed under
    members: list[MemberInput] = field(default_factory=list)
    source_row: int | None = None


# What the system sets or takes apart itself: never typed into the archive form nor sent as
# such by the API (the rule version and category of an older file come from the import; the
# members have forms and serializers of their own; the row is where an Excel line came from).
SYSTEM_FIELDS = frozenset({"rule_version", "category", "members", "source_row"})


def household_input_fields() -> list[str]:
    """Return the fields of `HouseholdInput` a user gives (form, API), in declaration order:
    the one list the archive form and the API input serializer are made from."""
    return [f.name for f in dataclasses.fields(HouseholdInput) if f.name not in SYSTEM_FIELDS]


def household_input_default(name: str) -> Any:
    """Return the default of a `HouseholdInput` field, or `dataclasses.MISSING` (required)."""
    field_ = next(f for f in dataclasses.fields(HouseholdInput) if f.name == name)
    if field_.default_factory is not dataclasses.MISSING:
        return field_.default_factory()
    return field_.default


def household_fields_of(field_type: type) -> tuple[str, ...]:
    """Return the fields a user gives whose archive model field is a `field_type` (money,
    yes/no), in declaration order."""
    from .models import Household

    names = []
    for name in household_input_fields():
        try:
            model_field = Household._meta.get_field(name)
        except FieldDoesNotExist:  # bank_account_holder: checked, not stored
            continue
        if isinstance(model_field, field_type):
            names.append(name)
    return tuple(names)
