"""Working days: Chinese public holidays and make-up working days (调休), for deadlines.

Where a day's status comes from, first match wins:

1. an admin's `CalendarDay` row (the holiday table: years the package does not know yet, or
   corrections);
2. the `chinesecalendar` package, which knows the State Council's schedules from 2004 up to
   the last year it was released for (2026 in version 1.11) and raises NotImplementedError
   beyond;
3. Monday to Friday, for a year neither knows. `calendar_known(year)` tells when this guess is
   in use, so the admin pages can warn.

Queries: a `WorkCalendar` loads the overrides of its date range with one query and answers
every question inside that range from memory, so a loop over many days or many deadlines costs
one query. The module functions each build one: `add_working_days` and `deadline` make one
query (a second only when admins have entered an unusually long run of days off, longer than
the range first loaded); `working_days_between` and `is_workday` make one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import chinese_calendar
from django.db.models import QuerySet

from .models import CalendarDay

ONE_DAY = timedelta(days=1)

# How far to load overrides ahead for n working days: two calendar days per working day covers
# ordinary weeks, plus three weeks for the longest holiday (春节 or 国庆, up to 9 days off).
_SLACK_DAYS = 21


def _check_date(d: date) -> None:
    # A datetime is a date too, but which day it falls on depends on the time zone: callers
    # must say, e.g. with timezone.localdate(moment).
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"Expected a date, got {type(d).__name__}.")


@cache
def package_covers(year: int) -> bool:
    """Return whether the installed chinesecalendar knows the holidays of `year`."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def package_years() -> tuple[int, int]:
    """Return the first and last year the installed chinesecalendar knows."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def builtin_is_workday(d: date) -> bool:
    """Return the package's answer, or Monday to Friday for a year it does not know."""
    if package_covers(d.year):
        return bool(chinese_calendar.is_workday(d))
    return d.weekday() < 5


def builtin_name(d: date) -> str:
    """Return the Chinese name of the holiday that `d` belongs to (a day off or the make-up
    working day for it) in the package's data, or "" when it has none."""
    if not package_covers(d.year):
        return ""
    _on_holiday, english = chinese_calendar.get_holiday_detail(d)
    if not english:
        return ""
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return str(english)


def _load_overrides(start: date, end: date) -> dict[date, bool]:
    rows = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
    return dict(rows)


class WorkCalendar:
    """Answer working-day questions with the overrides of a date range loaded once.

    Build one for a batch (a list page computing many deadlines, an import) to make one query
    in all. A question outside the loaded range loads the missing stretch with one more query.
    """

    def __init__(self, start: date, end: date) -> None:
        _check_date(start)
        _check_date(end)
        if end < start:
            start, end = end, start
        self._start = start
        self._end = end
        self._overrides = _load_overrides(start, end)

    def _cover(self, d: date) -> None:
        if d < self._start:
            chunk_start = min(d, self._start - timedelta(days=_SLACK_DAYS))
            self._overrides.update(_load_overrides(chunk_start, self._start - ONE_DAY))
            self._start = chunk_start
        elif d > self._end:
            chunk_end = max(d, self._end + timedelta(days=_SLACK_DAYS))
            self._overrides.update(_load_overrides(self._end + ONE_DAY, chunk_end))
            self._end = chunk_end

    def is_workday(self, d: date) -> bool:
        _check_date(d)
        self._cover(d)
        override = self._overrides.get(d)
        if override is not None:
            return override
        return builtin_is_workday(d)

    def add_working_days(self, start: date, n: int) -> date:
        """Return the date `n` working days after `start` (`start` itself not counted).

        With n = 0, return `start` when it is a working day, else the next working day.
        Raise ValueError for a negative n.
        """
        _check_date(start)
        if n < 0:
            raise ValueError("n must not be negative.")
        day = start
        if n == 0:
            while not self.is_workday(day):
                day += ONE_DAY
            return day
        counted = 0
        while counted < n:
            day += ONE_DAY
            if self.is_workday(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Return the number of working days in (start, end]; negative when end < start
        (the working days in (end, start], counted backwards), so that overdue items count
        down below zero."""
        _check_date(start)
        _check_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for day in _days(start + ONE_DAY, end) if self.is_workday(day))


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def _span(n: int) -> timedelta:
    return timedelta(days=2 * max(n, 0) + _SLACK_DAYS)


def is_workday(d: date) -> bool:
    """Return whether `d` is a working day: an admin's override if any, else the package,
    else Monday to Friday. One query."""
    return WorkCalendar(d, d).is_workday(d)


def calendar_known(year: int) -> bool:
    """Return whether the holidays of `year` are known: the package covers the year, or admins
    have entered at least one override for it. False means deadlines in that year count plain
    Monday to Friday, and admins should enter the year's schedule."""
    if package_covers(year):
        return True
    return CalendarDay.objects.filter(date__year=year).exists()


def add_working_days(start: date, n: int) -> date:
    """Return the date `n` working days after `start` (`start` itself not counted).

    n = 0 gives `start` if it is a working day, else the next working day. E.g. a Friday + 5 is
    the next Friday; across 国庆 the holiday is skipped and a make-up Saturday counts. One query
    (see the module's docstring). Raise ValueError for a negative n.
    """
    return WorkCalendar(start, start + _span(n)).add_working_days(start, n)


def working_days_between(start: date, end: date) -> int:
    """Return the number of working days in (start, end] (negative when end < start). One query."""
    return WorkCalendar(start, end).working_days_between(start, end)


@dataclass(frozen=True)
class Deadline:
    """A due date kept together with the rule that produced it, e.g.
    Deadline(date(2025, 10, 13), "入户调查:申请后 5 个工作日")."""

    due: date
    rule: str


def deadline(
    start: date, working_days: int, rule: str, *, calendar: WorkCalendar | None = None
) -> Deadline:
    """Return the due date `working_days` working days after `start`, with `rule` in words.

    Pass `calendar` to compute many deadlines with one query in all.
    """
    if calendar is None:
        due = add_working_days(start, working_days)
    else:
        due = calendar.add_working_days(start, working_days)
    return Deadline(due=due, rule=rule)


@dataclass(frozen=True)
class ScheduleEntry:
    """A run of days that differs from plain Monday to Friday: days off on weekdays (with the
    weekend days next to them), or one make-up working day on a weekend."""

    first: date
    last: date
    is_workday: bool
    name: str
    source: str  # "override", "builtin" or "mixed"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def year_schedule(year: int) -> list[ScheduleEntry]:
    """Return the year's holidays and make-up working days in date order, as runs. One query."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = CalendarDay.objects.filter(date__range=(first, last)).values_list(
        "date", "is_workday", "name"
    )
    overrides = {d: (workday, name) for d, workday, name in rows}

    def works(d: date) -> bool:
        return overrides[d][0] if d in overrides else builtin_is_workday(d)

    def name(d: date) -> str:
        return overrides[d][1] if d in overrides else builtin_name(d)

    def source(days: list[date]) -> str:
        kinds = {"override" if d in overrides else "builtin" for d in days}
        return kinds.pop() if len(kinds) == 1 else "mixed"

    status = {day: works(day) for day in _days(first, last)}
    entries: list[ScheduleEntry] = []
    day = first
    while day <= last:
        if status[day]:
            if day.weekday() >= 5:
                entries.append(ScheduleEntry(day, day, True, name(day), source([day])))
            day += ONE_DAY
            continue
        run = [day]
        while run[-1] < last and not status[run[-1] + ONE_DAY]:
            run.append(run[-1] + ONE_DAY)
        day = run[-1] + ONE_DAY
        special = [d for d in run if d.weekday() < 5 or d in overrides or builtin_name(d)]
        if not special:
            continue  # an ordinary weekend
        names = list(dict.fromkeys(n for n in map(name, special) if n))
        entries.append(ScheduleEntry(run[0], run[-1], False, "、".join(names), source(special)))
    return entries


def calendar_days(year: int) -> QuerySet[CalendarDay]:
    """Return the admins' entries of `year` in date order, with who entered them."""
    return CalendarDay.objects.filter(date__year=year).select_related("created_by").order_by("date")


def calendar_deadline(
    start: date, days: int, rule: str, *, calendar: WorkCalendar | None = None
) -> Deadline:
    """Return the end of a period of `days` calendar days that begins after `start`, with
    `rule` in words — the reading of 民法典 arts. 200–204: the starting day is not counted (the
    period begins the next day), and a last day that is not a working day (a statutory holiday
    or a weekend not made a working day by 调休) moves to the next working day.

    E.g. 15 days from 2025-09-20 end on 2025-10-05 (国庆) and so on 2025-10-09. Pass `calendar`
    to compute many deadlines with one query in all. Raise ValueError for a negative `days`.
    """
    _check_date(start)
    if days < 0:
        raise ValueError("days must not be negative.")
    last = start + timedelta(days=days)
    if calendar is None:
        calendar = WorkCalendar(last, last + timedelta(days=_SLACK_DAYS))
    return Deadline(due=calendar.add_working_days(last, 0), rule=rule)
