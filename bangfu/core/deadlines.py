"""Stored deadlines that follow the holiday calendar: the registry, and recomputing them.

A due date counted in working days is stored by the context that owns it (a notice's last day,
a home visit due, later a petition's reply due …) together with its rule, the day counted from,
the number of working days and whether it was provisional (`workdays.Deadline`). When an
administrator confirms a year's official holidays, every open deadline whose count touches that
year is counted again; those whose date changes are moved and listed.

A context declares each kind of stored deadline in its ``deadlines`` module (found at start-up
like ``due`` and ``panels``) with `register(...)`::

    class NoticeEnds(DeadlineKind):
        key = "notices.notice.ends_on"
        label = gettext_lazy("公示期截止")

        def open_deadlines(self, *, first, last, provisional_only=False, lock=False): ...
        def apply(self, changes, *, calendar): ...

`open_deadlines` returns the kind's open deadlines (not done, not ended) whose count runs into
[first, last], rows locked when asked; `apply` writes the new dates (and
whatever is derived from them, such as a rule text with the dates in it) with bulk updates and
no audit event: the caller writes one event for the whole recomputation. The kernel never
imports a context: it only calls what was registered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .workdays import Deadline, WorkCalendar, deadline


@dataclass(frozen=True)
class OpenDeadline:
    """One stored deadline as its context keeps it."""

    object_id: str
    # What it is, for the list of what moved: no personal data (a notice's title, an
    # archive's number), since the list is read by the calendar's administrators.
    object_repr: str
    start: date
    working_days: int
    due: date
    provisional: bool
    rule: str = ""


@dataclass(frozen=True)
class Change:
    """A stored deadline counted again: its old date and its new `Deadline`."""

    kind: DeadlineKind
    item: OpenDeadline
    new: Deadline

    @property
    def moved(self) -> bool:
        return self.new.due != self.item.due


class DeadlineKind:
    """A kind of stored deadline; subclass it in the context's ``deadlines`` module."""

    key: str = ""
    label: Any = ""

    def open_deadlines(
        self, *, first: date, last: date, provisional_only: bool = False, lock: bool = False
    ) -> Iterable[OpenDeadline]:
        """Return the open deadlines whose count runs into [first, last] (started on or before
        `last`, due on or after `first`); with `lock`, lock their rows (select_for_update)."""
        raise NotImplementedError

    def recount(self, item: OpenDeadline, calendar: WorkCalendar) -> Deadline:
        """Return the deadline counted again; the default counts the same working days from
        the same start with the same rule."""
        return deadline(item.start, item.working_days, item.rule, calendar=calendar)

    def apply(self, changes: Sequence[Change], *, calendar: WorkCalendar) -> None:
        raise NotImplementedError


_kinds: dict[str, DeadlineKind] = {}


def register(kind: DeadlineKind) -> DeadlineKind:
    """Register a kind of stored deadline (a second registration under a key replaces it)."""
    if not kind.key:
        raise ValueError("A deadline kind needs a key.")
    _kinds[kind.key] = kind
    return kind


def kinds() -> list[DeadlineKind]:
    return list(_kinds.values())


def kind_label(key: str) -> str:
    kind = _kinds.get(key)
    return str(kind.label) if kind is not None else key


def _year_range(years: Iterable[int]) -> tuple[date, date]:
    years = sorted(years)
    return date(years[0], 1, 1), date(years[-1], 12, 31)


def _calendar_for(items: Sequence[OpenDeadline]) -> WorkCalendar:
    span = max(item.working_days for item in items)
    return WorkCalendar(
        min(item.start for item in items),
        max(item.due for item in items) + timedelta(days=2 * span + 21),
    )


def recompute(*, years: Iterable[int]) -> list[Change]:
    """Count again every open stored deadline that touches `years` and write those that change
    (a new date, or no longer provisional). Return every change, moved or not.

    Call inside the transaction that records the reason (one audit event for all); rows are
    locked by the kinds. One calendar per kind: two or three queries per kind, whatever the
    number of deadlines.
    """
    first, last = _year_range(years)
    changes: list[Change] = []
    for kind in kinds():
        items = list(kind.open_deadlines(first=first, last=last, lock=True))
        if not items:
            continue
        calendar = _calendar_for(items)
        mine = []
        for item in items:
            new = kind.recount(item, calendar)
            if new.due != item.due or new.provisional != item.provisional:
                mine.append(Change(kind=kind, item=item, new=new))
        if mine:
            kind.apply(mine, calendar=calendar)
            changes.extend(mine)
    return changes


def preview(*, years: Iterable[int]) -> list[Change]:
    """Return what `recompute` would change, writing nothing (for the confirmation page).

    The calendar is the one in force now, so call it after the entries are made: it shows the
    effect of confirming them (the same count, with the year no longer provisional).
    """
    first, last = _year_range(years)
    confirmed = set(years)
    changes: list[Change] = []
    for kind in kinds():
        items = list(kind.open_deadlines(first=first, last=last))
        if not items:
            continue
        calendar = _calendar_for(items)
        calendar.assume_confirmed(confirmed)
        for item in items:
            new = kind.recount(item, calendar)
            if new.due != item.due or new.provisional != item.provisional:
                changes.append(Change(kind=kind, item=item, new=new))
    return changes


def provisional_count(*, years: Iterable[int]) -> int:
    """Return how many open stored deadlines touching `years` are still marked provisional."""
    first, last = _year_range(years)
    return sum(
        sum(1 for _item in kind.open_deadlines(first=first, last=last, provisional_only=True))
        for kind in kinds()
    )
