"""The provisional usual schedule of a year whose official holidays are not known yet."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.core import holidays
from bangfu.core.holidays import Break


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_usual_schedule_gives_the_official_days_off_of_2025_and_2026(year):
    # The weekdays off are exactly the State Council's (the package's data); only the make-up
    # working days are missing, by design.
    official = {d for d in _days(year) if d.weekday() < 5 and not chinese_calendar.is_workday(d)}
    usual = {d for d in _days(year) if d.weekday() < 5 and not holidays.usual_is_workday(d)}

    assert usual == official


def _add(is_workday, start: date, n: int) -> date:
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 10, 31)),
    n=st.integers(min_value=1, max_value=30),
)
def test_a_provisional_deadline_is_never_earlier_than_the_official_one(start, n):
    # Had 2025–2026 been counted on the usual schedule, no deadline would have come early: a
    # notice counted on it stays up at least as long as the law asks.
    official = _add(chinese_calendar.is_workday, start, n)
    provisional = _add(holidays.usual_is_workday, start, n)

    assert provisional >= official


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2027, date(2027, 4, 5)),
        (2028, date(2028, 4, 4)),
        (2026, date(2026, 4, 5)),  # the package agrees: 4/4–4/6 off around Sunday the 5th
    ],
)
def test_qingming_is_the_solar_term(year, expected):
    assert holidays.qingming(year) == expected


def test_the_lunar_festivals_of_2027():
    assert holidays.spring_festival_eve(2027) == date(2027, 2, 5)
    assert holidays.dragon_boat(2027) == date(2027, 6, 9)
    assert holidays.mid_autumn(2027) == date(2027, 9, 15)


def test_the_breaks_of_2027():
    assert holidays.usual_breaks(2027) == (
        Break("元旦", date(2027, 1, 1), date(2027, 1, 3)),  # a Friday: with the weekend
        Break("春节", date(2027, 2, 5), date(2027, 2, 12)),  # 除夕 to 初七
        Break("清明节", date(2027, 4, 3), date(2027, 4, 5)),  # a Monday
        Break("劳动节", date(2027, 5, 1), date(2027, 5, 5)),
        Break("端午节", date(2027, 6, 9), date(2027, 6, 9)),  # a Wednesday: alone
        Break("中秋节", date(2027, 9, 15), date(2027, 9, 15)),
        Break("国庆节", date(2027, 10, 1), date(2027, 10, 7)),
    )


@pytest.mark.parametrize(
    ("name", "day", "first", "last"),
    [
        ("a Tuesday bridges the Monday", date(2031, 6, 24), date(2031, 6, 21), date(2031, 6, 24)),
        ("a Thursday bridges the Friday", date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 4)),
        ("a Saturday gives the Monday", date(2025, 5, 31), date(2025, 5, 31), date(2025, 6, 2)),
        ("a Sunday gives the Monday", date(2026, 4, 5), date(2026, 4, 4), date(2026, 4, 6)),
    ],
)
def test_a_one_day_holiday_makes_a_three_day_weekend(name, day, first, last):
    assert holidays._short_break("节", day) == Break("节", first, last), name


@pytest.mark.parametrize(
    ("year", "first", "last"),
    [
        (2028, date(2028, 10, 1), date(2028, 10, 8)),  # 中秋 Oct 3: inside, one day more
        (2050, date(2050, 9, 30), date(2050, 10, 7)),  # 中秋 Sep 30: the break starts with it
    ],
)
def test_mid_autumn_next_to_national_day_makes_one_break_of_eight_days(year, first, last):
    joined = [b for b in holidays.usual_breaks(year) if b.name == "国庆节、中秋节"]

    assert joined == [Break("国庆节、中秋节", first, last)]


def test_a_new_year_on_a_tuesday_bridges_the_last_day_of_the_year_before():
    assert date(2030, 1, 1).weekday() == 1
    assert holidays.usual_days_off(2029)[date(2029, 12, 31)] == "元旦"
    assert all(day.year == 2029 for day in holidays.usual_days_off(2029))


def test_no_make_up_working_day_is_guessed():
    # 2027: 春节's bridged weekdays would be paid for with a weekend day; none is assumed.
    assert not any(holidays.usual_is_workday(d) for d in _days(2027) if d.weekday() >= 5)
