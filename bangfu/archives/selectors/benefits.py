"""Reads of policy benefits (应保尽保), scoped to the user."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.money import MoneyField

from ..models import BenefitType, Determination, Household, HouseholdBenefit
from ..models import choices as c
from ..permissions import ArchivesPermission
from .access import household_queryset


def current_q(day: date, prefix: str = "") -> Q:
    """Match benefits received on `day`: started by then and not ended before it."""
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


def benefit_types(*, active_only: bool = False) -> QuerySet[BenefitType]:
    types = BenefitType.objects.order_by("sort_order", "code")
    return types.filter(active=True) if active_only else types


def benefit_type_get(benefit_type_id: Any) -> BenefitType:
    """Return the benefit type (installation-wide: not scoped); raise NotFound when none."""
    return policy.scoped_get(
        BenefitType.objects.all(), benefit_type_id, message=_("未找到该待遇类型。")
    )


def household_benefits(household: Household) -> QuerySet[HouseholdBenefit]:
    return (
        HouseholdBenefit.objects.filter(household=household)
        .select_related("benefit")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "-id")
    )


def access_household_benefit(
    *, user: Any, benefit_id: Any, perm: str = ArchivesPermission.FILE, for_update: bool = False
) -> HouseholdBenefit:
    """Return the benefit record if its archive lies in the user's scope for `perm`; raise
    NotFound otherwise, exactly as for one that does not exist. With `for_update`, lock the
    record's row (call inside a transaction)."""
    rows = HouseholdBenefit.objects.filter(
        household__in=household_queryset(user=user, perm=perm)
    ).select_related("benefit", "household__unit")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    return policy.scoped_get(rows, benefit_id, message=_("未找到该政策待遇记录。"))


def dibao_gap(*, user: Any, day: date) -> QuerySet[Household]:
    """应享未享低保: open archives within the user's scope whose latest determination found
    the net income per person at or below the 低保 standard it used, but which receive no 低保
    on `day` (no current benefit of a 低保 type, and not marked as receiving 低保 on the file).

    Each row carries `net_income` and `dibao_line` of that determination; the whole list is
    one query (plus the count of a page).
    """
    latest = Determination.objects.filter(household=OuterRef("pk")).order_by("-created_at", "-id")
    receives = HouseholdBenefit.objects.filter(
        current_q(day), household=OuterRef("pk"), benefit__is_dibao=True
    )
    return (
        household_queryset(user=user, perm=ArchivesPermission.VIEW)
        .filter(status__in=Household.OPEN_STATUSES, receives_dibao=False)
        .annotate(
            net_income=Subquery(
                latest.values("net_income_per_capita")[:1], output_field=MoneyField()
            ),
            dibao_line=Subquery(
                latest.values("dibao_standard__amount")[:1], output_field=MoneyField()
            ),
            latest_category=Subquery(latest.values("category")[:1]),
            latest_on=Subquery(latest.values("determined_on")[:1]),
        )
        .filter(net_income__isnull=False, net_income__lte=F("dibao_line"))
        .exclude(latest_category=c.Category.NOT_ELIGIBLE)
        .exclude(Exists(receives))
        .select_related("unit")
        .order_by("net_income", "pk")
    )
