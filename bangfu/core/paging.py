"""Lists that stay fast when a scope holds a million rows.

An exact `COUNT(*)` over a city's archives reads every row of the scope on every page, and an
OFFSET deep into the list reads every row before it. Lists count at most `COUNT_CAP` rows
("10,000+" beyond) and, past that, page by key (keyset pagination): the next page starts after
the last row shown, through the index of the list's order, wherever it is.

* `capped_count(queryset)` → `Count(value, capped)`: exact when at most the cap.
* `CappedPaginator`: Django's paginator counting at most the cap (pages beyond it are not
  offered), for lists read from the top (what is due first).
* `keyset_page(queryset, params, ...)` → `ListPage`: numbered pages when the count is exact,
  first / previous / next / last by key when it is capped — for lists a user may page through
  to the end (the archive list, newest first).
* `CappedLimitOffsetPagination`: the API's limit/offset pages with the capped count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .api import Pagination

# Rows counted at most; beyond it a list says "10,000+" and pages by key.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Count:
    value: int  # the exact number, or COUNT_CAP when `capped`
    capped: bool = False  # there are more than `value`

    def __int__(self) -> int:
        return self.value

    def __str__(self) -> str:
        return f"{self.value:,}"


def capped_count(
    rows: QuerySet[Any] | Sequence[Any], cap: int | None = None, *, in_order: bool = False
) -> Count:
    """Return how many rows there are, counting at most `cap` + 1 of them (one query).

    With `in_order`, count along the list's own order: right when an index in that order is
    what finds the rows (a partial index such as the 低保 gap's), wrong when the order only
    sorts what another index found.
    """
    cap = COUNT_CAP if cap is None else cap
    if not isinstance(rows, QuerySet):
        return Count(min(len(rows), cap), len(rows) > cap)
    # COUNT over a LIMITed subquery of keys only: the database stops after cap + 1 rows, and
    # an index that covers the filter answers without reading the rows.
    keys = rows if in_order else rows.order_by()
    found = keys.values("pk")[: cap + 1].count()
    return Count(min(found, cap), found > cap)


class CappedPaginator(Paginator):
    """A paginator whose count stops at the cap: the pages up to it, never a full COUNT(*).

    `count_capped` tells a template to say "10,000+" (and that later rows are not paged to).
    """

    def __init__(
        self, *args: Any, cap: int | None = None, in_order: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.in_order = in_order

    @cached_property
    def _capped(self) -> Count:
        return capped_count(
            self.object_list,  # type: ignore[arg-type]
            self.cap,
            in_order=self.in_order,
        )

    @cached_property
    def count(self) -> int:
        return self._capped.value

    @property
    def count_capped(self) -> bool:
        return self._capped.capped

    @property
    def count_label(self) -> str:
        """The count as shown: 10,000."""
        return str(self._capped)


@dataclass
class ListPage:
    """One page of a list, with what the template needs to show its position and links.

    `first`, `previous`, `next` and `last` are query strings (without "?") or "" when there
    is no such page; `number` and `num_pages` are set only when the count is exact.
    """

    rows: list[Any]
    count: Count
    number: int | None = None
    num_pages: int | None = None
    first: str = ""
    previous: str = ""
    next: str = ""
    last: str = ""
    by_key: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.previous or self.next)


PAGE, AFTER, BEFORE, LAST = "page", "after", "before", "last"
_PAGING_PARAMS = (PAGE, AFTER, BEFORE, LAST)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _encode(moment: datetime, pk: int) -> str:
    """Return a row's position as "<microseconds since 1970>_<pk>" (exact, URL-safe)."""
    return f"{(moment - _EPOCH) // timedelta(microseconds=1)}_{pk}"


def _decode(value: str) -> tuple[datetime, int] | None:
    """Return the position `_encode` wrote, or None for anything else."""
    try:
        micros, pk = (int(part) for part in value.split("_", 1))
        return _EPOCH + timedelta(microseconds=micros), pk
    except (ValueError, OverflowError):
        return None


def _query(base: Mapping[str, str], **extra: str) -> str:
    values = {k: v for k, v in base.items() if k not in _PAGING_PARAMS and v != ""}
    values.update({k: v for k, v in extra.items() if v != ""})
    return urlencode(values)


def _rows(queryset: QuerySet[Any], keys: QuerySet[Any], limit: int) -> list[Any]:
    """Return the rows whose keys `keys` (ordered and filtered like `queryset`) lists first.

    The keys come first, on their own (an index that covers the filter and the order gives
    them without reading a row: a common name's page and count), then the rows by key.
    """
    pks = list(keys.values_list("pk", flat=True)[:limit])
    found = queryset.order_by().in_bulk(pks)
    return [found[pk] for pk in pks if pk in found]


def keyset_page(
    queryset: QuerySet[Any],
    params: Mapping[str, str],
    *,
    per_page: int,
    key: str = "created_at",
    cap: int | None = None,
) -> ListPage:
    """Return the page of `queryset` that `params` asks for.

    `queryset` must be ordered by `-<key>, -pk` (newest first) and have an index on that
    order. When the capped count is exact, pages are numbered (`?page=N`, OFFSET at most the
    cap); when it is capped, pages go by key: `?after=<key of the last row shown>`,
    `?before=<key of the first>`, `?last=1` for the oldest rows — each one index range scan,
    as fast on the last page as on the first. `params` also carries the list's filters,
    kept in the links.
    """
    count = capped_count(queryset, cap)
    base = dict(params)
    if not count.capped:
        pages = max(1, -(-count.value // per_page))
        try:
            number = min(max(int(base.get(PAGE, "1")), 1), pages)
        except ValueError:
            number = 1
        offset = (number - 1) * per_page
        return ListPage(
            rows=_rows(queryset, queryset[offset:], per_page) if count.value else [],
            count=count,
            number=number,
            num_pages=pages,
            first=_query(base, page="1") if number > 1 else "",
            previous=_query(base, page=str(number - 1)) if number > 1 else "",
            next=_query(base, page=str(number + 1)) if number < pages else "",
            last=_query(base, page=str(pages)) if number < pages else "",
        )

    def position(row: Any) -> str:
        return _encode(getattr(row, key), row.pk)

    after = _decode(base.get(AFTER, "")) if base.get(AFTER) else None
    before = _decode(base.get(BEFORE, "")) if base.get(BEFORE) else None
    if before is not None:
        moment, pk = before
        older_first = (
            queryset.filter(**{f"{key}__gte": moment})
            .exclude(Q(**{key: moment}) & Q(pk__lte=pk))
            .order_by(key, "pk")
        )
        rows = _rows(queryset, older_first, per_page + 1)
        if len(rows) <= per_page:  # reached the top: show the first page as it is
            return keyset_page(queryset, _without_paging(base), per_page=per_page, key=key, cap=cap)
        rows = rows[:per_page][::-1]
        has_previous, has_next = True, True
    elif base.get(LAST) == "1":
        rows = _rows(queryset, queryset.order_by(key, "pk"), per_page)[::-1]
        has_previous, has_next = True, False
    else:
        page_qs = queryset
        if after is not None:
            moment, pk = after
            page_qs = queryset.filter(**{f"{key}__lte": moment}).exclude(
                Q(**{key: moment}) & Q(pk__gte=pk)
            )
        rows = _rows(queryset, page_qs, per_page + 1)
        has_next = len(rows) > per_page
        rows = rows[:per_page]
        has_previous = after is not None
    if not rows and after is not None:  # a stale key: start again from the top
        return keyset_page(queryset, _without_paging(base), per_page=per_page, key=key, cap=cap)
    return ListPage(
        rows=rows,
        count=count,
        by_key=True,
        # The first page has no paging parameter; "page=1" keeps the link non-empty.
        first=(_query(base) or "page=1") if has_previous else "",
        previous=_query(base, before=position(rows[0])) if has_previous and rows else "",
        next=_query(base, after=position(rows[-1])) if has_next and rows else "",
        last=_query(base, last="1") if has_next else "",
    )


def _without_paging(params: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k not in _PAGING_PARAMS}


class CappedLimitOffsetPagination(Pagination):
    """DRF's limit/offset pages with `count` counted to at most COUNT_CAP rows, and
    `count_capped` true when there are more (then `next` keeps going until the end)."""

    max_limit = 200

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        rows = _rows(queryset, queryset[self.offset :], self.limit + 1)
        self.has_more = len(rows) > self.limit
        counted = capped_count(queryset)
        self.count, self.capped = counted.value, counted.capped
        return rows[: self.limit]

    def get_next_link(self) -> str | None:
        # By the row after the page, not by the count (which may stop at the cap).
        if not getattr(self, "has_more", False) or self.limit is None or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, (self.offset or 0) + self.limit)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count,
                "count_capped": self.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"Number of results, counted up to {COUNT_CAP:,}."
        )
        response["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"True when there are more than {COUNT_CAP:,} results.",
        }
        response["required"] = [*response.get("required", []), "count_capped"]
        return response
