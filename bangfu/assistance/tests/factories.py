"""Test data for assistance: programmes and applications made through the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from bangfu.archives.tests.factories import make_area, make_household, make_member, make_standards
from bangfu.assistance.models import Kind, Programme
from bangfu.assistance.services import ApplicationInput, programme_create


def make_programme(
    unit: Any, actor: Any, *, kind: str = Kind.MEDICAL, year: int = 2026, **kwargs: Any
) -> Programme:
    name = kwargs.pop("name", f"{year} 年{Kind(kind).label}")
    rules = kwargs.pop("rules", {})
    if kind == Kind.MEDICAL:
        rules = {"yearly_cap": Decimal("5000.00"), **rules}
    return programme_create(
        actor=actor, unit=unit, kind=kind, year=year, name=name, rules=rules, **kwargs
    )


def aided_household(unit: Any, filed_by: Any, **fields: Any) -> Any:
    """An archive in the roster (在档) in an area with a 低保 standard of 650 元, with a spouse."""
    area = make_area()
    if not area.dibao_standards.exists():
        make_standards(area)
    household = make_household(unit, filed_by=filed_by, area=area, **fields)
    make_member(household, name="李四")
    return household


def medical_input(programme: Programme, **overrides: Any) -> ApplicationInput:
    """Bills of 12,000 元, insurance 3,000, other aid 360: self-paid 8,640 元."""
    data = ApplicationInput(
        programme=programme,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        illness="肺癌",
        hospital="湘潭市中心医院",
        bill_items=[("住院费", Decimal("10000.00")), ("药费", Decimal("2000.00"))],
        insurance_paid=Decimal("3000.00"),
        other_aid=Decimal("360.00"),
        self_paid=Decimal("8640.00"),
    )
    return replace(data, **overrides)


def living_input(programme: Programme, **overrides: Any) -> ApplicationInput:
    data = ApplicationInput(
        programme=programme,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        cause="失业后无收入",
    )
    return replace(data, **overrides)


def education_input(programme: Programme, student_id: int, **overrides: Any) -> ApplicationInput:
    data = ApplicationInput(
        programme=programme,
        period_start=date(2026, 9, 1),
        period_end=date(2027, 6, 30),
        student_id=student_id,
        school="湘潭大学",
        school_level="university",
        school_year=1,
        admission_letter=True,
    )
    return replace(data, **overrides)
