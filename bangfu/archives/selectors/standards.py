"""Reads of 低保 standards and minimum wages (not scoped: they are public figures of an area)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy

from ..models import (
    Area,
    Determination,
    DibaoStandard,
    Household,
    MinimumWage,
    Reevaluation,
    ReevaluationItem,
)
from ..permissions import ArchivesPermission


def standard_on(area: Area | int, day: date) -> DibaoStandard | None:
    """Return the 低保 standard of `area` in force on `day` (the latest one effective by then)."""
    area_id = area.pk if isinstance(area, Area) else area
    return (
        DibaoStandard.objects.filter(area_id=area_id, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def minimum_wage_on(area: Area | int, day: date) -> MinimumWage | None:
    """Return the minimum wage of `area` in force on `day`."""
    area_id = area.pk if isinstance(area, Area) else area
    return (
        MinimumWage.objects.filter(area_id=area_id, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


@dataclass(frozen=True)
class StandardsInForce:
    standard: DibaoStandard | None
    minimum_wage: MinimumWage | None


def standards_in_force(area: Area | int, day: date) -> StandardsInForce:
    return StandardsInForce(standard_on(area, day), minimum_wage_on(area, day))


def no_standard_message(area: Area, day: date) -> str:
    return _("“%(area)s”在 %(day)s 没有执行中的低保标准,请系统管理员先录入低保标准。") % {
        "area": area.name,
        "day": day.isoformat(),
    }


def no_minimum_wage_message(area: Area, day: date) -> str:
    return _(
        "“%(area)s”在 %(day)s 没有执行中的最低工资标准,"
        "无法按最低工资计算未就业成员的收入,请系统管理员先录入最低工资标准。"
    ) % {"area": area.name, "day": day.isoformat()}


def area_list() -> QuerySet[Area]:
    return Area.objects.order_by("code")


def figures_in_force(
    areas: list[Area], day: date
) -> dict[int, tuple[DibaoStandard | None, MinimumWage | None]]:
    """Return {area id: (standard, minimum wage)} in force on `day`, in two queries."""
    ids = [area.pk for area in areas]
    standards: dict[int, DibaoStandard] = {}
    for row in DibaoStandard.objects.filter(area_id__in=ids, effective_from__lte=day).order_by(
        "area_id", "-effective_from"
    ):
        standards.setdefault(row.area_id, row)
    wages: dict[int, MinimumWage] = {}
    for wage in MinimumWage.objects.filter(area_id__in=ids, effective_from__lte=day).order_by(
        "area_id", "-effective_from"
    ):
        wages.setdefault(wage.area_id, wage)
    return {pk: (standards.get(pk), wages.get(pk)) for pk in ids}


def area_get(area_id: Any) -> Area:
    """Return the area (a public figure: not scoped); raise NotFound when there is none."""
    return policy.scoped_get(Area.objects.all(), area_id, message=_("未找到该地区。"))


def dibao_standard_get(standard_id: Any) -> DibaoStandard:
    """Return the 低保 standard; raise NotFound when there is none."""
    return policy.scoped_get(
        DibaoStandard.objects.all(), standard_id, message=_("未找到该低保标准。")
    )


def minimum_wage_get(wage_id: Any) -> MinimumWage:
    """Return the minimum wage; raise NotFound when there is none."""
    return policy.scoped_get(
        MinimumWage.objects.all(), wage_id, message=_("未找到该最低工资标准。")
    )


def _used_standard() -> Exists:
    return Exists(Determination.objects.filter(dibao_standard_id=OuterRef("pk")))


def _used_wage() -> Exists:
    return Exists(Determination.objects.filter(minimum_wage_id=OuterRef("pk")))


def standard_history(area: Area) -> QuerySet[DibaoStandard]:
    """Return the area's 低保 standards, newest first; `used`: a determination used it."""
    return (
        DibaoStandard.objects.filter(area=area)
        .select_related("created_by")
        .annotate(used=_used_standard())
        .order_by("-effective_from")
    )


def minimum_wage_history(area: Area) -> QuerySet[MinimumWage]:
    return (
        MinimumWage.objects.filter(area=area)
        .select_related("created_by")
        .annotate(used=_used_wage())
        .order_by("-effective_from")
    )


def standard_is_used(standard: DibaoStandard) -> bool:
    return Determination.objects.filter(dibao_standard=standard).exists()


def minimum_wage_is_used(wage: MinimumWage) -> bool:
    return Determination.objects.filter(minimum_wage=wage).exists()


# --- re-evaluations ---------------------------------------------------------------------------


def reevaluation_date(reevaluation: Reevaluation) -> date:
    """Return the day a re-evaluation judges archives on: the new standard's effective date,
    or the day it was started when the standard was already in force."""
    started = timezone.localdate(reevaluation.created_at)
    return max(reevaluation.standard.effective_from, started)


def reevaluation_list(*, user: Any) -> QuerySet[Reevaluation]:
    """Return re-evaluations with, for each, the items within the user's scope: `pending`,
    `confirmed` and `dismissed` counts."""
    in_scope = policy.scope_q(user, ArchivesPermission.MANAGE, field="items__household__unit")
    return (
        Reevaluation.objects.select_related("standard__area", "started_by", "job")
        .annotate(
            pending=Count(
                "items",
                filter=in_scope & Q(items__status=ReevaluationItem.Status.PENDING),
                distinct=True,
            ),
            confirmed=Count(
                "items",
                filter=in_scope & Q(items__status=ReevaluationItem.Status.CONFIRMED),
                distinct=True,
            ),
            dismissed=Count(
                "items",
                filter=in_scope & Q(items__status=ReevaluationItem.Status.DISMISSED),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-id")
    )


def access_reevaluation(*, reevaluation_id: Any) -> Reevaluation:
    """Return the re-evaluation (of an area's standard: not scoped, its items are); raise
    NotFound when there is none."""
    return policy.scoped_get(
        Reevaluation.objects.select_related("standard__area", "started_by", "job"),
        reevaluation_id,
        message=_("未找到该重新评估。"),
    )


def reevaluation_items(
    *, user: Any, reevaluation: Reevaluation, status: str | None = None
) -> QuerySet[ReevaluationItem]:
    """Return the re-evaluation's items whose archive lies in the user's scope for managing."""
    items = ReevaluationItem.objects.filter(
        policy.scope_q(user, ArchivesPermission.MANAGE, field="household__unit"),
        reevaluation=reevaluation,
    )
    if status:
        items = items.filter(status=status)
    return items.select_related("household__unit", "decided_by").order_by("status", "id")


def access_reevaluation_item(
    *, user: Any, item_id: Any, for_update: bool = False
) -> ReevaluationItem:
    """Return the item if its archive lies in the user's scope for managing; else NotFound."""
    items = ReevaluationItem.objects.filter(
        policy.scope_q(user, ArchivesPermission.MANAGE, field="household__unit")
    ).select_related("reevaluation__standard__area", "household__unit", "household__area")
    if for_update:
        items = items.select_for_update(of=("self",))
    return policy.scoped_get(items, item_id, message=_("未找到该条待确认的类别变更。"))


# --- determinations -------------------------------------------------------------------------


def household_determinations(household: Household) -> QuerySet[Determination]:
    return (
        Determination.objects.filter(household=household)
        .select_related("dibao_standard", "minimum_wage", "determined_by")
        .order_by("-created_at", "-id")
    )


def latest_determination(household: Household) -> Determination | None:
    return household_determinations(household).first()
