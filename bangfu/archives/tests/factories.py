"""Test data for archives: areas, standards, valid ID numbers and households.

`make_household` writes rows directly (no services, no audit events) so that tests of one area
do not depend on another area's services.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from bangfu.archives.identity import digits_tail, id_index, mobile_index
from bangfu.archives.models import (
    Area,
    DibaoStandard,
    Household,
    HouseholdMember,
    IdRegistration,
    MinimumWage,
)
from bangfu.archives.models import choices as c
from bangfu.core.idnumber import check_character
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.network.selectors import nearest_centre

_sequence = itertools.count(1)


def make_id_number(
    birth: date = date(1975, 6, 15), *, sex: str = "M", area: str = "430302", seq: int | None = None
) -> str:
    """Return a valid 18-character ID; each call gives a new one unless `seq` is fixed."""
    n = seq if seq is not None else next(_sequence) % 500
    code = n * 2 + (1 if sex == "M" else 0)  # odd = male, even = female
    first17 = f"{area}{birth:%Y%m%d}{code % 1000:03d}"
    return first17 + check_character(first17)


def make_area(code: str = "430302", name: str = "雨湖区", kind: str = c.AreaKind.URBAN) -> Area:
    area, _ = Area.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    return area


def make_standards(
    area: Area,
    *,
    dibao: str = "650.00",
    minimum_wage: str = "1930.00",
    effective_from: date = date(2024, 1, 1),
) -> tuple[DibaoStandard, MinimumWage]:
    standard = DibaoStandard.objects.create(
        area=area, amount=Decimal(dibao), effective_from=effective_from
    )
    wage = MinimumWage.objects.create(
        area=area, amount=Decimal(minimum_wage), effective_from=effective_from
    )
    return standard, wage


def make_household(
    unit: Any,
    *,
    filed_by: Any,
    area: Area | None = None,
    status: str = Household.Status.ACTIVE,
    id_number: str | None = None,
    name: str = "张三",
    mobile: str = "13800005678",
    **fields: Any,
) -> Household:
    id_number = id_number or make_id_number()
    household = Household.objects.create(
        unit=unit,
        centre=nearest_centre(unit),
        status=status,
        applied_on=fields.pop("applied_on", date(2026, 3, 1)),
        area=area or make_area(),
        name=name,
        sex=fields.pop("sex", "M"),
        id_number=id_number,
        id_index=id_index(id_number),
        id_last4=id_number[-4:],
        id_masked=mask_id_number(id_number),
        birth_date=fields.pop("birth_date", date(1975, 6, 15)),
        work_status=fields.pop("work_status", c.WorkStatus.LAID_OFF),
        housing=fields.pop("housing", c.Housing.OWNED),
        mobile=mobile,
        mobile_index=mobile_index(mobile),
        mobile_last4=digits_tail(mobile),
        mobile_masked=mask_phone(mobile),
        bank_card_masked=mask_bank_card(fields.get("bank_card", "")),
        marital_status=fields.pop("marital_status", c.Marital.MARRIED),
        hukou=fields.pop("hukou", c.Hukou.URBAN),
        address=fields.pop("address", "响水乡响水社区 1 号"),
        medical_insurance=fields.pop("medical_insurance", c.MedicalInsurance.EMPLOYEE),
        main_cause=fields.pop("main_cause", c.HardshipCause.LAID_OFF),
        filed_by=filed_by,
        **fields,
    )
    if household.is_open:
        IdRegistration.objects.create(id_index=household.id_index, household=household)
    return household


def make_member(
    household: Household, *, id_number: str | None = None, name: str = "李四", **fields: Any
) -> HouseholdMember:
    member = HouseholdMember.objects.create(
        household=household,
        name=name,
        relation=fields.pop("relation", c.Relation.SPOUSE),
        sex=fields.pop("sex", "F"),
        id_number=id_number or "",
        id_index=id_index(id_number) if id_number else "",
        id_last4=id_number[-4:] if id_number else "",
        id_masked=mask_id_number(id_number),
        birth_date=fields.pop("birth_date", date(1977, 3, 2)),
        identity=fields.pop("identity", c.MemberIdentity.UNEMPLOYED),
        **fields,
    )
    if id_number and household.is_open:
        IdRegistration.objects.create(id_index=member.id_index, household=household, member=member)
    return member
