"""Calendar arithmetic on dates: months and years later (working days are `core.workdays`).

One rule for the day that does not exist in the target month, used by every deadline counted
in months or years (the yearly review, the retention of a closed archive, the first review of a
new archive): the 31st becomes the last day of a shorter month, 29 February becomes 28 February.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later (earlier when negative); the 31st becomes the last
    day of a shorter month (2025-08-31 + 6 months = 2026-02-28), 29 February becomes 28
    February in a common year."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """Return the same day `years` later (earlier when negative); 29 February becomes 28
    February in a common year."""
    return add_months(day, 12 * years)


def first_of_month(day: date) -> date:
    """Return the first day of `day`'s month."""
    return day.replace(day=1)
