"""Demo assistance for 响水乡: programmes of 2025 and 2026 and of the year the demo is loaded
in (every kind, the 2026 金秋助学 campaign) and applications of households in the roster at
every step — draft, submitted, visited, reviewed, in notice with an unsettled objection,
returned and refused — all made through the assistance services and the workflow kit (amounts
computed by the rules with their working; the audit trail as in real use). The applications
that went through their notice to approval and payment are in `loop.py`, played on earlier
days with the clock moved back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bangfu.archives.models import Household
from bangfu.archives.models.choices import Relation
from bangfu.assistance.campaign import batch_create
from bangfu.assistance.models import Kind, Programme, SchoolLevel
from bangfu.assistance.services import (
    ApplicationInput,
    application_create,
    application_notice,
    application_review,
    application_send,
    application_signoff,
    application_submit,
    application_visit,
    programme_create,
)
from bangfu.network.models import OrgUnit
from bangfu.network.selectors import nearest_centre
from bangfu.notices.models import Notice, NoticeItem
from bangfu.notices.services import objection_record

from .clock import STORY_DAYS, days_ago

PROGRAMMES: list[tuple[str, str, dict[str, Any], bool]] = [
    (Kind.LIVING, "生活救助", {}, False),
    (
        Kind.TEMPORARY,
        "临时救助",
        {"standard_amount": Decimal("1000"), "yearly_cap": Decimal("3000"), "followup_days": 15},
        False,
    ),
    (Kind.MEDICAL, "医疗救助", {"yearly_cap": Decimal("5000")}, False),
    (Kind.EDUCATION, "金秋助学", {}, True),
    (
        Kind.FESTIVAL,
        "春节送温暖",
        {"standard_amount": Decimal("500"), "requires_visit": False, "followup_days": 15},
        False,
    ),
]


def programme_years() -> list[int]:
    """The years with programmes: 2025 and 2026 (the stories below are told in 2026), the year
    the demo is loaded in, and the year the loop's 45 days reach back into (`loop.py`, `funds.py`
    open that year's book too)."""
    return sorted({2025, 2026, timezone.localdate().year, days_ago(STORY_DAYS).year})


def seed_assistance(*, users: dict[str, Any], log: Callable[[str], None]) -> None:
    """Create the demo programmes and applications once (nothing when any programme exists)."""
    if Programme.objects.exists():
        return
    staff = users["staff"]
    centre = OrgUnit.objects.get(parent__isnull=True, kind=OrgUnit.Kind.CENTER)
    programmes: dict[tuple[int, str], Programme] = {}
    for year in programme_years():
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
    households = list(Household.objects.filter(status=Household.Status.ACTIVE).order_by("pk"))
    if len(households) < 9:
        return
    year = 2026
    today = timezone.localdate()
    leader = users["leader"]

    def festival(household: Household, month: int) -> Any:
        return application_create(
            actor=staff,
            household_id=household.pk,
            data=ApplicationInput(
                programme=programmes[(year, Kind.FESTIVAL)],
                period_start=date(year, month, 1),
                period_end=date(year, month, 28),
            ),
        )

    def living(household: Household, cause: str, expenses: str) -> Any:
        return application_create(
            actor=staff,
            household_id=household.pk,
            data=ApplicationInput(
                programme=programmes[(year, Kind.LIVING)],
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                cause=cause,
                expenses=Decimal(expenses),
            ),
        )

    def visit(application: Any) -> Any:
        return application_visit(
            actor=staff,
            application=application,
            visited_on=today,
            visitors=["张慧敏", "刘桂兰"],
            findings="入户核实,家庭人口、收入和支出情况属实。",
            recommendation="agree",
        )

    def review(application: Any, *, passed: bool = True) -> Any:
        return application_review(
            actor=staff,
            application=application,
            held_on=today,
            participants="社区工会小组、职工代表共 7 人",
            votes_for=7 if passed else 2,
            votes_against=0 if passed else 5,
            passed=passed,
            record="经民主评议,同意给予救助。" if passed else "多数代表认为该户已有稳定收入。",
        )

    # A draft: medical aid, the working in words.
    application_create(
        actor=staff,
        household_id=households[0].pk,
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
    # Submitted: the home visit is due (on the worklist).
    application_submit(
        actor=staff, application=living(households[1], "下岗后无稳定收入,配偶患病", "6000")
    )
    # Visited: the 民主评议 is due.
    visit(
        application_submit(
            actor=staff, application=living(households[2], "子女上学,医疗支出大", "5000")
        )
    )
    # Reviewed: the notice is to be published (送温暖 needs no home visit).
    review(application_submit(actor=staff, application=festival(households[3], 1)))
    # In notice, with an objection not yet settled: it cannot be sent for approval.
    in_notice = application_notice(
        actor=staff,
        application=review(application_submit(actor=staff, application=festival(households[4], 1))),
    )
    notice = Notice.objects.get(items__subject_id=in_notice.pk, kind=Notice.Kind.ASSISTANCE)
    objection_record(
        actor=staff,
        notice=notice,
        item=NoticeItem.objects.get(notice=notice, subject_id=in_notice.pk),
        received_on=today,
        channel="phone",
        from_name="匿名群众",
        contact="",
        content="反映该户家中新购置了小汽车,收入情况可能不实。",
    )
    # A review that did not pass goes to the leaders, who can only return or refuse.
    returned = review(
        application_submit(actor=staff, application=festival(households[5], 1)), passed=False
    )
    application_signoff(
        actor=leader,
        application=application_send(actor=staff, application=returned),
        outcome="returned",
        opinion="请补充该户近三个月收入证明后重新评议。",
    )
    refused = review(
        application_submit(actor=staff, application=festival(households[6], 1)), passed=False
    )
    application_signoff(
        actor=leader,
        application=application_send(actor=staff, application=refused),
        outcome="refused",
        opinion="该户家庭人均收入已高于当地低保标准,不符合本项目条件。",
    )
    # 金秋助学: a child at university applies (the archive belongs to the parent).
    children = (Relation.SON, Relation.DAUGHTER)
    student = next((m for h in households for m in h.members.all() if m.relation in children), None)
    if student is not None:
        studying = application_create(
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
        # The campaign is handled in batches: this year's first batch of the centre holds it.
        batch_create(
            actor=staff,
            programme=programmes[(year, Kind.EDUCATION)],
            unit=nearest_centre(studying.unit),
            name=f"{year} 年金秋助学第一批",
            application_ids=[studying.pk],
        )
    log("已载入帮扶救助演示数据")
