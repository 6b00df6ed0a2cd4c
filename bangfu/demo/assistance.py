"""Demo assistance for 响水乡: programmes of 2025 and 2026 (every kind, the 2026 金秋助学
campaign) and applications of households in the roster, made through the assistance services
(amounts computed by the rules, with their working; the audit trail as in real use)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from bangfu.archives.models import Household
from bangfu.archives.models.choices import Relation
from bangfu.assistance.models import Kind, Programme, SchoolLevel
from bangfu.assistance.services import ApplicationInput, application_create, programme_create
from bangfu.network.models import OrgUnit

PROGRAMMES: list[tuple[str, str, dict[str, Any], bool]] = [
    (Kind.LIVING, "生活救助", {}, False),
    (
        Kind.TEMPORARY,
        "临时救助",
        {"standard_amount": Decimal("1000"), "yearly_cap": Decimal("3000")},
        False,
    ),
    (Kind.MEDICAL, "医疗救助", {"yearly_cap": Decimal("5000")}, False),
    (Kind.EDUCATION, "金秋助学", {}, True),
    (
        Kind.FESTIVAL,
        "春节送温暖",
        {"standard_amount": Decimal("500"), "requires_visit": False},
        False,
    ),
]


def seed_assistance(*, users: dict[str, Any], log: Callable[[str], None]) -> None:
    """Create the demo programmes and applications once (nothing when any programme exists)."""
    if Programme.objects.exists():
        return
    staff = users["staff"]
    centre = OrgUnit.objects.get(parent__isnull=True, kind=OrgUnit.Kind.CENTER)
    programmes: dict[tuple[int, str], Programme] = {}
    for year in (2025, 2026):
        for kind, name, rules, campaign in PROGRAMMES:
            programmes[(year, kind)] = programme_create(
                actor=staff,
                unit=centre,
                kind=kind,
                year=year,
                name=f"{year} 年{name}",
                campaign=campaign,
                budget_line="困难职工帮扶专项资金",
                rules=rules,
            )
    households = list(Household.objects.filter(status=Household.Status.ACTIVE).order_by("pk")[:4])
    if len(households) < 3:
        return
    first, second, third = households[:3]
    year = 2026
    application_create(
        actor=staff,
        household_id=first.pk,
        data=ApplicationInput(
            programme=programmes[(year, Kind.MEDICAL)],
            period_start=date(year, 3, 1),
            period_end=date(year, 3, 31),
            illness="慢性肾衰竭",
            hospital="湘潭市中心医院",
            bill_items=[("住院费", Decimal("10000")), ("药费", Decimal("2000"))],
            insurance_paid=Decimal("3000"),
            other_aid=Decimal("360"),
            self_paid=Decimal("8640"),
        ),
    )
    application_create(
        actor=staff,
        household_id=second.pk,
        data=ApplicationInput(
            programme=programmes[(year, Kind.LIVING)],
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            cause="下岗后无稳定收入,配偶患病",
            expenses=Decimal("6000"),
        ),
    )
    application_create(
        actor=staff,
        household_id=third.pk,
        data=ApplicationInput(
            programme=programmes[(year, Kind.FESTIVAL)],
            period_start=date(year, 1, 20),
            period_end=date(year, 2, 10),
        ),
    )
    children = (Relation.SON, Relation.DAUGHTER)
    student = next((m for h in households for m in h.members.all() if m.relation in children), None)
    if student is not None:
        application_create(
            actor=staff,
            household_id=student.household_id,
            data=ApplicationInput(
                programme=programmes[(year, Kind.EDUCATION)],
                period_start=date(year, 9, 1),
                period_end=date(year + 1, 6, 30),
                student_id=student.pk,
                school="湘潭大学",
                school_level=SchoolLevel.UNIVERSITY,
                school_year=1,
                admission_letter=True,
            ),
        )
    log("已载入帮扶救助演示数据")
