"""Inputs for the filing and procedure tests: a valid `HouseholdInput` unless told otherwise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from stdnum import luhn

from bangfu.archives.inputs import HouseholdInput, MemberInput
from bangfu.archives.models import choices as c

from .factories import make_area, make_id_number


def bank_card(prefix: str = "622202020011234567") -> str:
    """Return a card number that passes the Luhn check."""
    return prefix + luhn.calc_check_digit(prefix)


def member_input(**overrides: Any) -> MemberInput:
    values: dict[str, Any] = {
        "name": "李四",
        "relation": c.Relation.SPOUSE,
        "id_number": make_id_number(date(1977, 3, 2), sex="F"),
        "identity": c.MemberIdentity.UNEMPLOYED,
        "monthly_income": Decimal("0.00"),
    }
    values.update(overrides)
    return MemberInput(**values)


def household_input(unit: Any, *, area: Any = None, **overrides: Any) -> HouseholdInput:
    values: dict[str, Any] = {
        "unit": unit,
        "area": area or make_area(),
        "applied_on": date(2026, 3, 2),
        "name": "张三",
        "id_number": make_id_number(),
        "work_status": c.WorkStatus.LAID_OFF,
        "housing": c.Housing.OWNED,
        "marital_status": c.Marital.MARRIED,
        "hukou": c.Hukou.URBAN,
        "address": "响水乡响水社区 1 号",
        "medical_insurance": c.MedicalInsurance.EMPLOYEE,
        "main_cause": c.HardshipCause.LAID_OFF,
        "mobile": "13800005678",
        "wage_income": Decimal("12000.00"),
        "consent_sensitive_on": date(2026, 3, 2),
        "consent_publication_on": date(2026, 3, 2),
    }
    values.update(overrides)
    return HouseholdInput(**values)
