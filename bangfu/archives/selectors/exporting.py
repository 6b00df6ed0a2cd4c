"""Reads for the roster export: the archives a user may export, with the list's filters, and
their rows in the import template (so an export imports again as "already present")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from bangfu.accounts import policy

from .. import xlsx as roster
from ..models import Household, HouseholdMember
from ..permissions import ArchivesPermission
from .browse import HouseholdFilters, household_list

EXPORT = ArchivesPermission.EXPORT
CHUNK = 500  # households per fetch: members come with one prefetch query per chunk


def roster_households(*, user: Any, filters: HouseholdFilters) -> QuerySet[Household]:
    """Return the archives the user may export that match the list's filters, in list order
    (`-created_at, -id`, the order of the list's index), with every column.

    The scope is the user's VIEW scope (the list) narrowed to its EXPORT scope.
    """
    return (
        household_list(user=user, filters=filters)
        .defer(None)  # the list loads a few columns only; the roster needs every field
        .filter(policy.scope_q(user, EXPORT, field="unit"))
        .select_related("unit", "area")
    )


def roster_count(*, user: Any, filters: HouseholdFilters) -> int:
    return (
        household_list(user=user, filters=filters)
        .filter(policy.scope_q(user, EXPORT, field="unit"))
        .count()
    )


def _after(households: QuerySet[Household], last: Household) -> QuerySet[Household]:
    """The archives after `last` in list order (keyset: newest first, then by id), as a row
    comparison that the list's index answers as a range: `created_at < … OR (created_at = …
    AND id < …)` is a filter PostgreSQL applies to every row before `last` again, batch after
    batch (EXPLAIN on 200,000 archives: 150,001 rows removed by filter for the 300th batch)."""
    table = Household._meta.db_table
    # Bound as the field binds it (SQLite compares the stored text: naive UTC, no offset).
    created_at = Household._meta.get_field("created_at").get_db_prep_value(
        last.created_at, connections[households.db]
    )
    return households.extra(  # noqa: S610 - parameters bound, names from the model
        where=[f'("{table}"."created_at", "{table}"."id") < (%s, %s)'],
        params=[created_at, last.pk],
    )


def roster_batches(
    households: QuerySet[Household], *, masked: bool, counts: dict[str, int], size: int = CHUNK
) -> Iterator[list[Sequence[Any]]]:
    """Yield the roster rows of `households` (head, then members; each row ends with the
    archive's status), `size` households at a time.

    Keyset batches: each batch is one query for the next `size` archives after the last one
    written (in list order, on its index) and one for their members, so the queries grow with
    the batches, never with the rows, no cursor stays open between batches, and only one batch
    is in memory. `counts` receives items (households), households and people as they go.
    """
    for key in ("items", "households", "people"):
        counts.setdefault(key, 0)
    last: Household | None = None
    while True:
        page = households if last is None else _after(households, last)
        heads = list(page[:size])
        if not heads:
            return
        members: dict[int, list[HouseholdMember]] = {head.pk: [] for head in heads}
        for member in HouseholdMember.objects.filter(household_id__in=list(members)).order_by(
            "household_id", "sort_order", "id"
        ):
            members[member.household_id].append(member)
        batch: list[Sequence[Any]] = []
        for household in heads:
            status = household.get_status_display()  # 档案状态, on every row of the household
            rows = roster.household_rows(household, members[household.pk], masked=masked)
            batch.extend([*row, status] for row in rows)
            counts["people"] += len(rows)
        counts["items"] = counts["households"] = counts["households"] + len(heads)
        last = heads[-1]
        yield batch
