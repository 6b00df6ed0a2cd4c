"""Working days: Chinese public holidays and make-up working days (调休), for deadlines.

Where a day's status comes from, first match wins:

1. an admin's `CalendarDay` row (the holiday table: years the package does not know yet, or
   corrections);
2. the `chinesecalendar` package, which knows the State Council's schedules from 2004 up to
   the last year it was released for (2026 in version 1.11) and raises NotImplementedError
   beyond; a newer release that knows more years is used as soon as it is installed;
3. for a year an administrator has confirmed (`CalendarConfirmation`: the entries are the whole
   official schedule), Monday to Friday;
4. for a later year not confirmed yet, the usual schedule of `core.holidays` (fixed-date and
   lunar holidays laid out as the State Council does, no make-up working days): such a year is
   *provisional*, and every deadline counted across one of its days is marked so
   (`Deadline.provisional`), stored beside its rule and recomputed when the year is confirmed
   (`core.deadlines`);
5. Monday to Friday for an earlier year neither knows (before 2004).

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

from . import holidays
from .models import CalendarConfirmation, CalendarDay

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


def usual_schedule_applies(year: int) -> bool:
    """Return whether `year`, unless confirmed, is counted on the usual schedule: a year after
    the package's data (and from 2025, when the present holiday rules took effect)."""
    return not package_covers(year) and year >= holidays.FIRST_YEAR


def confirmed_years(years: set[int] | None = None) -> set[int]:
    """Return the years (among `years`, when given) an administrator has confirmed."""
    rows = CalendarConfirmation.objects.all()
    if years is not None:
        rows = rows.filter(year__in=sorted(years))
    return set(rows.values_list("year", flat=True).distinct())


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
        # Years after the package's data: whether each is confirmed, loaded when first met.
        self._confirmed: dict[int, bool] = {}

    def _cover(self, d: date) -> None:
        if d < self._start:
            chunk_start = min(d, self._start - timedelta(days=_SLACK_DAYS))
            self._overrides.update(_load_overrides(chunk_start, self._start - ONE_DAY))
            self._start = chunk_start
        elif d > self._end:
            chunk_end = max(d, self._end + timedelta(days=_SLACK_DAYS))
            self._overrides.update(_load_overrides(self._end + ONE_DAY, chunk_end))
            self._end = chunk_end

    def assume_confirmed(self, years: set[int]) -> None:
        """Count `years` as confirmed from now on (to preview a confirmation)."""
        self._confirmed.update(dict.fromkeys(years, True))

    def provisional_year(self, year: int) -> bool:
        """Return whether `year` is counted on the usual schedule, not the official one."""
        if not usual_schedule_applies(year):
            return False
        if year not in self._confirmed:
            # Load every such year of the range at once: one query for the whole range.
            years = {
                y
                for y in range(min(year, self._start.year), max(year, self._end.year) + 1)
                if usual_schedule_applies(y) and y not in self._confirmed
            }
            known = confirmed_years(years)
            self._confirmed.update({y: y in known for y in years})
        return not self._confirmed[year]

    def is_workday(self, d: date) -> bool:
        _check_date(d)
        self._cover(d)
        override = self._overrides.get(d)
        if override is not None:
            return override
        if self.provisional_year(d.year):
            return holidays.usual_is_workday(d)
        return builtin_is_workday(d)

    def provisional_between(self, start: date, end: date) -> bool:
        """Return whether any day from `start` to `end` (both included) lies in a provisional
        year, so that a count over them may change when that year is confirmed."""
        first, last = min(start, end), max(start, end)
        return any(self.provisional_year(year) for year in range(first.year, last.year + 1))

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
    """Return whether the official holidays of `year` are known: the package covers the year,
    or an administrator has confirmed it. False means deadlines in that year are provisional
    (counted on the usual schedule) and admins should enter and confirm the year's schedule."""
    if package_covers(year):
        return True
    return bool(confirmed_years({year}))


def year_status(year: int) -> str:
    """Return where `year`'s schedule comes from: "builtin" (the package), "confirmed" (an
    administrator confirmed the entries), "provisional" (the usual schedule, not confirmed) or
    "weekdays" (an early year nobody knows: Monday to Friday)."""
    if package_covers(year):
        return "builtin"
    if confirmed_years({year}):
        return "confirmed"
    return "provisional" if usual_schedule_applies(year) else "weekdays"


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
    Deadline(date(2025, 10, 13), "入户调查:申请后 5 个工作日").

    `provisional` is True when the count crossed a day of a year whose official holidays are
    not known yet (see the module's docstring): store it beside the rule, show it wherever the
    date is shown, and register the stored deadline with `core.deadlines` so that it is
    recomputed from `start` and `working_days` when the year is confirmed.
    """

    due: date
    rule: str
    provisional: bool = False
    start: date | None = None
    working_days: int | None = None


def deadline(
    start: date, working_days: int, rule: str, *, calendar: WorkCalendar | None = None
) -> Deadline:
    """Return the due date `working_days` working days after `start`, with `rule` in words.

    Pass `calendar` to compute many deadlines with one query in all.
    """
    if calendar is None:
        calendar = WorkCalendar(start, start + _span(working_days))
    due = calendar.add_working_days(start, working_days)
    return Deadline(
        due=due,
        rule=rule,
        provisional=calendar.provisional_between(start, due),
        start=start,
        working_days=working_days,
    )


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


def year_schedule(year: int, *, assume_confirmed: bool = False) -> list[ScheduleEntry]:
    """Return the year's holidays and make-up working days in date order, as runs, as they are
    counted now: the entries, then the package, or the usual schedule of a provisional year
    (source "provisional"). With `assume_confirmed`, as they would be counted once the year is
    confirmed (the entries, then the package or Monday to Friday). Two queries at most."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = CalendarDay.objects.filter(date__range=(first, last)).values_list(
        "date", "is_workday", "name"
    )
    overrides = {d: (workday, name) for d, workday, name in rows}
    provisional = not assume_confirmed and WorkCalendar(first, first).provisional_year(year)
    builtin = "provisional" if provisional else "builtin"

    def works(d: date) -> bool:
        if d in overrides:
            return overrides[d][0]
        return holidays.usual_is_workday(d) if provisional else builtin_is_workday(d)

    def default_name(d: date) -> str:
        return holidays.usual_name(d) if provisional else builtin_name(d)

    def name(d: date) -> str:
        return overrides[d][1] if d in overrides else default_name(d)

    def source(days: list[date]) -> str:
        kinds = {"override" if d in overrides else builtin for d in days}
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
        special = [d for d in run if d.weekday() < 5 or d in overrides or default_name(d)]
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
