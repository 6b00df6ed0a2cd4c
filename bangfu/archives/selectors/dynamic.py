"""Reads for keeping archives current: reviews due, 脱困 candidates, closed archives, spot checks.

Every read is scoped to the asking user through `household_queryset`; none issues a query per
archive.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, overload

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.dates import add_months
from bangfu.network.models import OrgUnit

from ..conf import recovery_months
from ..models import (
    AnnualReview,
    DibaoStandard,
    Household,
    MonthlyIncome,
    SpotCheck,
    SpotCheckItem,
)
from ..permissions import ArchivesPermission
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


class RecoveryCandidates(Sequence[RecoveryCandidate]):
    """The candidates in order, from their keys (the last month of the run, the archive);
    the archives and their months are loaded only for the slice that is shown (a city has
    thousands; the worklist shows 50, a page of the list 50)."""

    def __init__(self, keys: list[tuple[date, int]], needed: int) -> None:
        # keys: (the last month of the run, never null here; the archive)
        self._keys = keys
        self._needed = needed

    def __len__(self) -> int:
        return len(self._keys)

    def suggested_on(self, index: int) -> date:
        """The day the run of the `index`-th candidate became complete, without loading it."""
        return add_months(self._keys[index][0], 1)

    @overload
    def __getitem__(self, index: int) -> RecoveryCandidate: ...
    @overload
    def __getitem__(self, index: slice) -> list[RecoveryCandidate]: ...
    def __getitem__(self, index: int | slice) -> RecoveryCandidate | list[RecoveryCandidate]:
        if isinstance(index, int):
            return self[index : index + 1 or None][0]
        keys = self._keys[index]
        if not keys:
            return []
        # Two queries: the months of the slice's runs with their archives, then the standards.
        back = self._needed - 1
        ends = {pk: last for last, pk in keys}
        households: dict[int, Household] = {}
        amounts: dict[tuple[int, date], Decimal] = {}
        for income in (
            MonthlyIncome.objects.filter(
                household_id__in=ends, month__gte=add_months(min(ends.values()), -back)
            )
            .select_related("household__unit")
            .order_by("household_id", "month")
        ):
            households.setdefault(income.household_id, income.household)
            amounts[(income.household_id, income.month)] = income.net_income_per_capita
        standards = StandardTable({h.area_id for h in households.values() if h.area_id})
        result = []
        for last, pk in keys:
            household = households[pk]
            months = [add_months(last, -k) for k in range(back, -1, -1)]  # oldest first
            result.append(
                RecoveryCandidate(
                    household,
                    [
                        IncomeMonth(
                            m,
                            amounts[(pk, m)],
                            standards.on(household.area_id, m) if household.area_id else None,
                        )
                        for m in months
                    ],
                )
            )
        return result

    def __iter__(self) -> Iterator[RecoveryCandidate]:
        return iter(self[:])  # one query for all, not one per item

    def __eq__(self, other: object) -> bool:
        return list(self) == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


def recovery_candidates(*, user: Any, perm: str = ArchivesPermission.VIEW) -> RecoveryCandidates:
    """Return the user's archives in the roster whose last `BANGFU_RECOVERY_MONTHS` recorded
    months are consecutive and each above the 低保 standard in force in that month, the longest
    waiting first.

    The run is kept on the archive (`recovery_run`, `recovery_run_end`, by
    `services.dynamic.recovery_runs_refresh` whenever an income, a standard or the archive's
    area changes), so the candidates are one read of a partial index in month order
    (`archives_hh_recovery`): their keys, then two queries for each slice that is read (its
    months with the archives, the standards of their areas).
    """
    needed = recovery_months()
    return RecoveryCandidates(list(recovery_keys(user=user, perm=perm, needed=needed)), needed)


def recovery_keys(*, user: Any, perm: str, needed: int) -> QuerySet[Household, Any]:
    """The (last month of the run, archive) of the user's candidates in order, from the
    partial index `archives_hh_recovery` (with the scope's units)."""
    return (
        household_queryset(user=user, perm=perm)
        .filter(
            status=Household.Status.ACTIVE,
            recovery_run_end__isnull=False,
            recovery_run__gte=needed,
        )
        .order_by("recovery_run_end", "pk")
        .values_list("recovery_run_end", "pk")
    )


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
    return policy.scoped_get(spot_check_list(user=user), spot_check_id, message=_("未找到该抽查。"))


def spot_check_items(*, user: Any, spot_check: SpotCheck) -> list[SpotCheckItem]:
    """Return the sampled archives the user may see, in archive-number order."""
    visible = household_queryset(user=user).values("pk")
    return list(
        SpotCheckItem.objects.filter(spot_check=spot_check, household__in=visible)
        .select_related("household__unit", "checked_by")
        .order_by("household__archive_no", "household_id")
    )


def access_spot_check_item(
    *, user: Any, item_id: Any, perm: str = ArchivesPermission.MANAGE, for_update: bool = False
) -> SpotCheckItem:
    """Return the item if its archive lies in the user's scope for `perm`; else NotFound. With
    `for_update`, lock the item's row (call inside a transaction)."""
    visible = household_queryset(user=user, perm=perm).values("pk")
    items = SpotCheckItem.objects.filter(household__in=visible).select_related(
        "household__unit", "spot_check__centre"
    )
    if for_update:
        items = items.select_for_update(of=("self",))
    return policy.scoped_get(items, item_id, message=_("未找到该抽查档案。"))
