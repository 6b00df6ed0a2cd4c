"""The provisional holiday schedule of a year whose official one is not known yet.

The State Council publishes each year's holidays and make-up working days in the autumn before
(国务院办公厅关于某年部分节假日安排的通知), and the `chinesecalendar` package carries them only up
to the year it was released for. For a later year, deadlines still have to be set today, so
`workdays` counts with this usual schedule until an administrator confirms the official one
(every deadline so computed is marked provisional and recomputed on confirmation).

The statutory days are those of 全国年节及纪念日放假办法 as amended in 2024 (in force 2025-01-01):
元旦 1 day, 春节 4 (除夕 to 初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3. Around them the State
Council has, since 2025, laid out the breaks the same way every year, and this module repeats it:

* 春节: 除夕 to 正月初七, 8 days ("春节自农历除夕起放假调休共 8 天").
* 劳动节: 1 to 5 May, 5 days.
* 国庆: 1 to 7 October, 7 days; when 中秋 falls between 29 September and 8 October the two are
  one break of 8 days from the earlier of 1 October and 中秋 (2025: 1–8 October).
* 元旦, 清明, 端午 and 中秋 (when not joined to 国庆) make a three-day weekend: on a Monday or a
  Friday the day itself; on a Saturday or a Sunday the Monday after is given (补假, art. 6 of the
  放假办法: a statutory day on a weekend is made up on a working day); on a Tuesday the Monday
  before, on a Thursday the Friday after, are bridged; on a Wednesday the day alone.

Make-up working days (调休上班) are **not** guessed. The bridged days are in practice paid for
with a Saturday or a Sunday worked nearby, but which weekend day is a choice made each year;
leaving them out means a provisional year has a day or two more off than the official one will
have, so a provisional deadline falls on or after the official one, never before: a notice
counted on it stays up at least as long as the law asks. This reproduces the days off of 2025
and 2026 exactly (see the tests), and is recomputed once the year is confirmed.

Dates of the lunar festivals come from `tyme4py` (MIT, pure Python, maintained; successor of
the `lunar-python` library by the same author): it converts lunar to solar dates and computes
the solar terms astronomically, and 清明 is a solar term (4 or 5 April), not a lunar date —
the lunar-only libraries (`lunardate`, `zhdate`, `lunarcalendar`) would need a second source for
it, and `sxtwl` is a C++ extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from tyme4py.lunar import LunarDay
from tyme4py.solar import SolarTerm

ONE_DAY = timedelta(days=1)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# The first year laid out by the 2024 amendment; the usual schedule is not used before it.
FIRST_YEAR = 2025


@dataclass(frozen=True)
class Break:
    """A run of days off around one holiday (weekends inside it included)."""

    name: str
    first: date
    last: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def _lunar(year: int, month: int, day: int) -> date:
    solar = LunarDay.from_ymd(year, month, day).get_solar_day()
    return date(solar.get_year(), solar.get_month(), solar.get_day())


def qingming(year: int) -> date:
    """Return the day of the solar term 清明 in `year` (China Standard Time)."""
    solar = SolarTerm.from_name(year, "清明").get_julian_day().get_solar_day()
    return date(solar.get_year(), solar.get_month(), solar.get_day())


def spring_festival_eve(year: int) -> date:
    """Return 除夕, the day before the first day of the lunar year that begins in `year`."""
    return _lunar(year, 1, 1) - ONE_DAY


def dragon_boat(year: int) -> date:
    return _lunar(year, 5, 5)


def mid_autumn(year: int) -> date:
    return _lunar(year, 8, 15)


def _short_break(name: str, day: date) -> Break:
    weekday = day.weekday()
    if weekday == SAT:
        return Break(name, day, day + 2 * ONE_DAY)
    if weekday == SUN:
        return Break(name, day - ONE_DAY, day + ONE_DAY)
    if weekday == TUE:
        return Break(name, day - 3 * ONE_DAY, day)
    if weekday == THU:
        return Break(name, day, day + 3 * ONE_DAY)
    if weekday == MON:
        return Break(name, day - 2 * ONE_DAY, day)
    if weekday == FRI:
        return Break(name, day, day + 2 * ONE_DAY)
    return Break(name, day, day)


@cache
def usual_breaks(year: int) -> tuple[Break, ...]:
    """Return the breaks of `year` laid out the usual way, in date order.

    A break may reach into the year before (元旦 on a Tuesday bridges 31 December) or after.
    """
    eve = spring_festival_eve(year)
    breaks = [
        _short_break("元旦", date(year, 1, 1)),
        Break("春节", eve, eve + 7 * ONE_DAY),
        _short_break("清明节", qingming(year)),
        Break("劳动节", date(year, 5, 1), date(year, 5, 5)),
        _short_break("端午节", dragon_boat(year)),
    ]
    autumn = mid_autumn(year)
    national = date(year, 10, 1)
    if date(year, 9, 29) <= autumn <= date(year, 10, 8):
        first = min(national, autumn)
        breaks.append(Break("国庆节、中秋节", first, first + 7 * ONE_DAY))
    else:
        breaks.append(_short_break("中秋节", autumn))
        breaks.append(Break("国庆节", national, national + 6 * ONE_DAY))
    return tuple(sorted(breaks, key=lambda b: b.first))


@cache
def usual_days_off(year: int) -> dict[date, str]:
    """Return every day of `year` (only of that year) inside a usual break, with its name.

    Breaks of the years before and after are included where they reach into `year`.
    """
    days: dict[date, str] = {}
    for source in (year - 1, year, year + 1):
        for holiday in usual_breaks(source):
            for day in holiday.days():
                if day.year == year:
                    days.setdefault(day, holiday.name)
    return days


def usual_is_workday(day: date) -> bool:
    """Return whether `day` is a working day in the usual schedule (no make-up days)."""
    return day.weekday() < SAT and day not in usual_days_off(day.year)


def usual_name(day: date) -> str:
    """Return the name of the usual break `day` falls in, or ""."""
    return usual_days_off(day.year).get(day, "")
