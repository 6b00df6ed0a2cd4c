"""The notice period, counted once for publishing, the publish form's preview and recounting.

A notice posted on `starts_on` stays up for at least N full working days: the posting day never
counts, so the first day counted is the next working day and the notice ends at the close of
the Nth working day after `starts_on`. When the count crosses a year whose official holidays
are not known yet, the period is provisional (`core.workdays`) and is recounted when that year
is confirmed (`notices.deadlines`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from bangfu.core.workdays import WorkCalendar

DEFAULT_WORKING_DAYS = 5


def notice_working_days() -> int:
    """Return how many full working days a notice stays up (BANGFU_NOTICE_WORKING_DAYS)."""
    return int(getattr(settings, "BANGFU_NOTICE_WORKING_DAYS", DEFAULT_WORKING_DAYS))


@dataclass(frozen=True)
class NoticePeriod:
    starts_on: date
    counts_from: date
    ends_on: date
    working_days: int
    provisional: bool


def notice_period(
    starts_on: date, working_days: int | None = None, *, calendar: WorkCalendar | None = None
) -> NoticePeriod:
    """Return the period of a notice posted on `starts_on` (N = `working_days`, else the
    setting). One query for the holidays (two when it reaches past the package's years), or
    none more with `calendar`."""
    n = notice_working_days() if working_days is None else working_days
    if calendar is None:
        calendar = WorkCalendar(starts_on, starts_on + timedelta(days=2 * n + 21))
    ends_on = calendar.add_working_days(starts_on, n)
    return NoticePeriod(
        starts_on=starts_on,
        counts_from=calendar.add_working_days(starts_on, 1),
        ends_on=ends_on,
        working_days=n,
        provisional=calendar.provisional_between(starts_on, ends_on),
    )
