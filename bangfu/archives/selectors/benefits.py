"""Reads of policy benefits (应保尽保), scoped to the user."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts import policy

from ..models import BenefitType, Household, HouseholdBenefit
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

    The latest determination and that income are kept on the archive when a determination is
    stored (`latest_determination`, `net_income_under_line`), so the list reads the partial
    index `archives_hh_dibao_gap` in income order instead of searching every archive's
    determinations. Each row carries `net_income`, `dibao_line`, `latest_category` and
    `latest_on` of that determination; the whole list is one query (plus the count of a page).
    """
    receives = HouseholdBenefit.objects.filter(
        current_q(day), household=OuterRef("pk"), benefit__is_dibao=True
    )
    return (
        household_queryset(user=user, perm=ArchivesPermission.VIEW)
        .filter(
            status__in=Household.OPEN_STATUSES,
            receives_dibao=False,
            net_income_under_line__isnull=False,
        )
        .exclude(Exists(receives))
        .annotate(
            net_income=F("net_income_under_line"),
            dibao_line=F("latest_determination__dibao_standard__amount"),
            latest_category=F("latest_determination__category"),
            latest_on=F("latest_determination__determined_on"),
        )
        .select_related("unit")
        .order_by("net_income_under_line", "pk")
    )
