"""Reads of 低保 standards and minimum wages (not scoped: they are public figures of an area)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from ..models import Area, Determination, DibaoStandard, MinimumWage


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


def area_get(area_id: Any) -> Area | None:
    try:
        return Area.objects.get(pk=int(area_id))
    except (Area.DoesNotExist, ValueError, TypeError):
        return None


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
