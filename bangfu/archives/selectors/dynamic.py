"""Reads for keeping archives current: reviews due, 脱困 candidates, closed archives, spot checks.

Every read is scoped to the asking user through `household_queryset`; none issues a query per
archive.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.errors import NotFound
from bangfu.network.models import OrgUnit

from ..models import (
    AnnualReview,
    DibaoStandard,
    Household,
    MonthlyIncome,
    SpotCheck,
    SpotCheckItem,
)
from ..permissions import ArchivesPermission
from ..services.dynamic import add_months, recovery_months
from .access import household_queryset

REVIEW_DUE_SOON_DAYS = 30


# --- yearly reviews -------------------------------------------------------------------------


def reviews_due(
    *,
    user: Any,
    within_days: int = REVIEW_DUE_SOON_DAYS,
    perm: str = ArchivesPermission.VIEW,
    today: date | None = None,
) -> QuerySet[Household]:
    """Return the user's archives in the roster whose yearly review is due within
    `within_days` days or overdue, the earliest due first."""
    today = today or timezone.localdate()
    return (
        household_queryset(user=user, perm=perm)
        .filter(
            status=Household.Status.ACTIVE,
            review_due_on__lte=today + timedelta(days=within_days),
        )
        .select_related("unit")
        .order_by("review_due_on", "pk")
    )


def household_reviews(*, household: Household) -> list[AnnualReview]:
    return list(
        AnnualReview.objects.filter(household=household)
        .select_related("reviewed_by")
        .order_by("-reviewed_on", "-pk")
    )


def household_incomes(*, household: Household, limit: int = 12) -> list[MonthlyIncome]:
    return list(
        MonthlyIncome.objects.filter(household=household)
        .select_related("recorded_by")
        .order_by("-month")[:limit]
    )


# --- 脱困 candidates --------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomeMonth:
    month: date
    amount: Decimal
    standard: Decimal | None


@dataclass(frozen=True)
class RecoveryCandidate:
    household: Household
    months: list[IncomeMonth]  # oldest first

    @property
    def last_month(self) -> date:
        return self.months[-1].month

    @property
    def suggested_on(self) -> date:
        """The day the run became complete: the 1st of the month after its last month."""
        return add_months(self.last_month, 1)


class StandardTable:
    """The 低保 standards of some areas, loaded in one query, looked up in memory."""

    def __init__(self, area_ids: set[int]) -> None:
        self._dates: dict[int, list[date]] = defaultdict(list)
        self._amounts: dict[int, list[Decimal]] = defaultdict(list)
        rows = (
            DibaoStandard.objects.filter(area_id__in=area_ids)
            .order_by("area_id", "effective_from")
            .values_list("area_id", "effective_from", "amount")
        )
        for area_id, effective_from, amount in rows:
            self._dates[area_id].append(effective_from)
            self._amounts[area_id].append(amount)

    def on(self, area_id: int, day: date) -> Decimal | None:
        """Return the standard in force on `day`: the latest with effective_from ≤ day."""
        index = bisect.bisect_right(self._dates.get(area_id, []), day) - 1
        return self._amounts[area_id][index] if index >= 0 else None


def _is_run(months: list[IncomeMonth]) -> bool:
    """Return whether the months follow each other without a gap and each is above its
    standard (equal is not above; a month without a standard is not above)."""
    for earlier, later in pairwise(months):
        if add_months(earlier.month, 1) != later.month:
            return False
    return all(m.standard is not None and m.amount > m.standard for m in months)


def recovery_candidates(
    *, user: Any, perm: str = ArchivesPermission.VIEW
) -> list[RecoveryCandidate]:
    """Return the user's archives in the roster whose last `BANGFU_RECOVERY_MONTHS` recorded
    months are consecutive and each above the 低保 standard in force in that month, the longest
    waiting first.

    Three queries whatever the number of archives: the last months per archive (a window
    function), the standards of their areas, the archives themselves.
    """
    needed = recovery_months()
    scoped = household_queryset(user=user, perm=perm).filter(status=Household.Status.ACTIVE)
    ranked = (
        MonthlyIncome.objects.filter(household__in=scoped.values("pk"))
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("household_id")], order_by=F("month").desc())
        )
        .filter(rank__lte=needed)
        .values_list("household_id", "household__area_id", "month", "net_income_per_capita")
    )
    by_household: dict[int, list[tuple[int, date, Decimal]]] = defaultdict(list)
    for household_id, area_id, month, amount in ranked:
        by_household[household_id].append((area_id, month, amount))
    complete = {pk: rows for pk, rows in by_household.items() if len(rows) == needed}
    if not complete:
        return []
    standards = StandardTable({rows[0][0] for rows in complete.values()})
    runs: dict[int, list[IncomeMonth]] = {}
    for pk, rows in complete.items():
        months = [
            IncomeMonth(month, amount, standards.on(area_id, month))
            for area_id, month, amount in sorted(rows, key=lambda r: r[1])
        ]
        if _is_run(months):
            runs[pk] = months
    households = Household.objects.filter(pk__in=runs).select_related("unit").in_bulk()
    result = [RecoveryCandidate(households[pk], runs[pk]) for pk in runs if pk in households]
    return sorted(result, key=lambda c: (c.last_month, c.household.pk))


# --- closed archives ------------------------------------------------------------------------


def closed_households(
    *, user: Any, retention_due_only: bool = False, today: date | None = None
) -> QuerySet[Household]:
    """Return the user's closed archives, the most recently closed first. Each carries
    `retention_due` (its retention review date has come)."""
    today = today or timezone.localdate()
    qs = (
        household_queryset(user=user)
        .filter(status=Household.Status.CLOSED)
        .select_related("unit")
        .order_by("-closed_on", "-pk")
    )
    if retention_due_only:
        qs = qs.filter(retention_review_on__lte=today)
    return qs


# --- spot checks ----------------------------------------------------------------------------


def spot_check_centres(*, user: Any, perm: str = ArchivesPermission.MANAGE) -> QuerySet[OrgUnit]:
    """Return the centres in the user's scope for `perm` (where a spot check can be drawn)."""
    return OrgUnit.objects.filter(
        policy.scope_q(user, perm, field=""), kind=OrgUnit.Kind.CENTER
    ).order_by("path")


def spot_check_list(*, user: Any) -> QuerySet[SpotCheck]:
    """Return the spot checks of centres in the user's scope, newest year first, each with
    `sampled` and `checked` counts."""
    from django.db.models import Count

    return (
        SpotCheck.objects.filter(policy.scope_q(user, ArchivesPermission.VIEW, field="centre"))
        .select_related("centre", "created_by")
        .annotate(
            sampled=Count("items"),
            checked=Count("items", filter=Q(items__checked_on__isnull=False)),
        )
        .order_by("-year", "centre__path")
    )


def access_spot_check(*, user: Any, spot_check_id: Any) -> SpotCheck:
    """Return the spot check if its centre lies in the user's scope; raise NotFound otherwise."""
    try:
        return spot_check_list(user=user).get(pk=int(spot_check_id))
    except (SpotCheck.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该抽查。")) from None


def spot_check_items(*, user: Any, spot_check: SpotCheck) -> list[SpotCheckItem]:
    """Return the sampled archives the user may see, in archive-number order."""
    visible = household_queryset(user=user).values("pk")
    return list(
        SpotCheckItem.objects.filter(spot_check=spot_check, household__in=visible)
        .select_related("household__unit", "checked_by")
        .order_by("household__archive_no", "household_id")
    )


def access_spot_check_item(
    *, user: Any, item_id: Any, perm: str = ArchivesPermission.MANAGE
) -> SpotCheckItem:
    """Return the item if its archive lies in the user's scope for `perm`; else NotFound."""
    visible = household_queryset(user=user, perm=perm).values("pk")
    try:
        return (
            SpotCheckItem.objects.filter(household__in=visible)
            .select_related("household__unit", "spot_check__centre")
            .get(pk=int(item_id))
        )
    except (SpotCheckItem.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该抽查档案。")) from None
