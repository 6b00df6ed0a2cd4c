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

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import Lead, RowNumber
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
    """The candidates in order, their archives loaded only for the slice that is shown (a
    city has thousands; the worklist shows 50, a page of the list 50)."""

    def __init__(self, runs: list[tuple[date, int, list[IncomeMonth]]]) -> None:
        self._runs = sorted(runs, key=lambda run: (run[0], run[1]))

    def __len__(self) -> int:
        return len(self._runs)

    @overload
    def __getitem__(self, index: int) -> RecoveryCandidate: ...
    @overload
    def __getitem__(self, index: slice) -> list[RecoveryCandidate]: ...
    def __getitem__(self, index: int | slice) -> RecoveryCandidate | list[RecoveryCandidate]:
        if isinstance(index, int):
            return self[index : index + 1 or None][0]
        runs = self._runs[index]
        households = (
            Household.objects.filter(pk__in=[pk for _last, pk, _months in runs])
            .select_related("unit")
            .in_bulk()
        )
        return [RecoveryCandidate(households[pk], months) for _last, pk, months in runs]

    def __iter__(self) -> Iterator[RecoveryCandidate]:
        return iter(self[:])  # one query for all, not one per item

    def __eq__(self, other: object) -> bool:
        return list(self) == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _ordinal(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month(ordinal: int) -> date:
    return date(ordinal // 12, ordinal % 12 + 1, 1)


def recovery_candidates(*, user: Any, perm: str = ArchivesPermission.VIEW) -> RecoveryCandidates:
    """Return the user's archives in the roster whose last `BANGFU_RECOVERY_MONTHS` recorded
    months are consecutive and each above the 低保 standard in force in that month, the longest
    waiting first.

    Two queries, and one more for each slice of the result that is read: one row per archive
    with its last months (window functions: the latest month, the month `needed - 1` before
    it and the amounts in between — one row per archive comes back, not one per month), the
    standards of their areas, then the archives of the slice shown.
    """
    needed = recovery_months()
    newest_first: dict[str, Any] = {
        "partition_by": [F("household_id")],
        "order_by": F("month").desc(),
    }
    amounts: dict[str, Any] = {"amount_0": F("net_income_per_capita")}
    amounts.update(
        {
            f"amount_{k}": Window(Lead("net_income_per_capita", offset=k), **newest_first)
            for k in range(1, needed)
        }
    )
    latest = (
        MonthlyIncome.objects.filter(
            policy.scope_q(user, perm, field="household__unit"),
            household__status=Household.Status.ACTIVE,
        )
        .order_by()
        .annotate(
            rank=Window(RowNumber(), **newest_first),
            first_of_run=(
                Window(Lead("month", offset=needed - 1), **newest_first)
                if needed > 1
                else F("month")
            ),
            **amounts,
        )
        .filter(rank=1, first_of_run__isnull=False)  # type: ignore[misc]
        .values_list("household_id", "household__area_id", "month", "first_of_run", *amounts)
    )
    rows = []
    for pk, area_id, month, first, *values in latest:
        # Consecutive: the oldest of the last months lies exactly needed - 1 months back.
        if _ordinal(first) == _ordinal(month) - (needed - 1):
            rows.append((pk, area_id, _ordinal(month), values))
    if not rows:
        return RecoveryCandidates([])
    standards = StandardTable({area_id for _pk, area_id, _month, _values in rows})
    line: dict[tuple[int, int], Decimal | None] = {}  # (area, month) → standard in force
    runs = []
    for pk, area_id, last, values in rows:
        ordinals = range(last - needed + 1, last + 1)  # oldest first
        figures = [_yuan(values[last - o]) for o in ordinals]
        limits = []
        for ordinal in ordinals:
            if (area_id, ordinal) not in line:
                line[(area_id, ordinal)] = standards.on(area_id, _month(ordinal))
            limits.append(line[(area_id, ordinal)])
        # Each month above its standard (equal is not above; no standard is not above).
        if all(lim is not None and f > lim for f, lim in zip(figures, limits, strict=True)):
            months = [
                IncomeMonth(_month(o), a, lim)
                for o, a, lim in zip(ordinals, figures, limits, strict=True)
            ]
            runs.append((months[-1].month, pk, months))
    return RecoveryCandidates(runs)


def _yuan(value: Any) -> Decimal:
    """Return an amount read through a window function as yuan (SQLite gives 650, not 650.00)."""
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        return value
    return Decimal(value).quantize(Decimal("0.01"))


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
