"""Reads for the roster export: the archives a user may export, with the list's filters, and
their rows in the import template (so an export imports again as "already present")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet

from bangfu.accounts import policy

from .. import xlsx as roster
from ..models import Household, HouseholdMember
from ..permissions import ArchivesPermission
from .browse import HouseholdFilters, household_list

EXPORT = ArchivesPermission.EXPORT
CHUNK = 500  # households per fetch: members come with one prefetch query per chunk


def roster_households(*, user: Any, filters: HouseholdFilters) -> QuerySet[Household]:
    """Return the archives the user may export that match the list's filters, in list order.

    The scope is the user's VIEW scope (the list) narrowed to its EXPORT scope.
    """
    return (
        household_list(user=user, filters=filters)
        .defer(None)  # the list loads a few columns only; the roster needs every field
        .filter(policy.scope_q(user, EXPORT, field="unit"))
        .select_related("unit", "area")
        .prefetch_related(
            Prefetch("members", queryset=HouseholdMember.objects.order_by("sort_order", "id"))
        )
    )


def roster_count(*, user: Any, filters: HouseholdFilters) -> int:
    return (
        household_list(user=user, filters=filters)
        .filter(policy.scope_q(user, EXPORT, field="unit"))
        .count()
    )


def roster_batches(
    households: QuerySet[Household], *, masked: bool, counts: dict[str, int]
) -> Iterator[list[Sequence[Any]]]:
    """Yield the roster rows of `households` (head, then members; each row ends with the
    archive's status) a chunk of households at a time, fetching in chunks so that the query
    count does not grow with the rows. `counts` receives items (households), households and
    people as they go."""
    for key in ("items", "households", "people"):
        counts.setdefault(key, 0)
    batch: list[Sequence[Any]] = []
    in_batch = 0
    for household in households.iterator(chunk_size=CHUNK):
        members = list(household.members.all())
        status = household.get_status_display()  # 档案状态, on every row of the household
        rows = [[*row, status] for row in roster.household_rows(household, members, masked=masked)]
        batch.extend(rows)
        counts["people"] += len(rows)
        in_batch += 1
        if in_batch == CHUNK:
            counts["items"] = counts["households"] = counts["households"] + in_batch
            yield batch
            batch, in_batch = [], 0
    if batch:
        counts["items"] = counts["households"] = counts["households"] + in_batch
        yield batch
