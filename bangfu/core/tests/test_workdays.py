"""Working days: the State Council's schedules via chinesecalendar, admins' overrides, fallback."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bangfu.core import workdays
from bangfu.core.models import CalendarConfirmation, CalendarDay
from bangfu.core.workdays import (
    Deadline,
    ScheduleEntry,
    WorkCalendar,
    add_working_days,
    calendar_known,
    deadline,
    is_workday,
    working_days_between,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def override(sysadmin):
    def make(day: date, *, is_workday: bool, name: str = "测试") -> CalendarDay:
        return CalendarDay.objects.create(
            date=day, is_workday=is_workday, name=name, created_by=sysadmin
        )

    return make


def test_the_installed_package_covers_2004_to_2026():
    assert workdays.package_years() == (2004, 2026)
    assert workdays.package_covers(2026)
    assert not workdays.package_covers(2027)


# --- 2025: 国庆 + 中秋, Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are make-up working days ---


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 27), False),  # an ordinary Saturday
        (date(2025, 9, 28), True),  # Sunday, make-up working day
        (date(2025, 9, 30), True),
        (date(2025, 10, 1), False),
        (date(2025, 10, 6), False),  # 中秋, a Monday
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, make-up working day
        (date(2025, 10, 12), False),
    ],
)
def test_is_workday_follows_the_2025_national_day_schedule(day, expected):
    assert is_workday(day) is expected


def test_one_working_day_after_the_eve_of_national_day_2025_is_october_9():
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_the_make_up_saturday_counts_as_a_working_day():
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert add_working_days(date(2025, 9, 30), 4) == date(2025, 10, 13)


def test_a_friday_plus_five_is_the_next_friday_in_an_ordinary_week():
    assert add_working_days(date(2025, 3, 7), 5) == date(2025, 3, 14)


def test_five_working_days_after_a_saturday_is_the_next_friday():
    assert add_working_days(date(2025, 3, 8), 5) == date(2025, 3, 14)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 9, 30), date(2025, 9, 30)),  # a working day: itself
        (date(2025, 10, 1), date(2025, 10, 9)),  # in the holiday: the first day back
        (date(2025, 10, 11), date(2025, 10, 11)),  # a make-up Saturday is a working day
        (date(2025, 10, 12), date(2025, 10, 13)),  # Sunday: Monday
    ],
)
def test_zero_working_days_is_the_day_itself_or_the_next_working_day(start, expected):
    assert add_working_days(start, 0) == expected


def test_spring_festival_2025_is_skipped_and_its_make_up_days_count():
    # Off Jan 28 – Feb 4; Sun Jan 26 and Sat Feb 8 are working days.
    assert add_working_days(date(2025, 1, 25), 1) == date(2025, 1, 26)
    assert add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)


# --- 2024 ---


def test_national_day_2024_is_skipped_and_saturday_october_12_counts():
    # Off Oct 1–7; Sun Sep 29 and Sat Oct 12 are working days.
    assert add_working_days(date(2024, 9, 28), 1) == date(2024, 9, 29)
    assert add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 8)
    assert add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 12)


def test_spring_festival_2024_jumps_from_new_years_eve_to_the_make_up_sunday():
    # 除夕 Fri Feb 9 is a working day; off Feb 10–17; Sun Feb 18 is a working day.
    assert add_working_days(date(2024, 2, 8), 1) == date(2024, 2, 9)
    assert add_working_days(date(2024, 2, 9), 1) == date(2024, 2, 18)


def test_working_days_between_counts_start_excluded_end_included():
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert working_days_between(date(2025, 9, 30), date(2025, 9, 30)) == 0
    assert working_days_between(date(2025, 3, 7), date(2025, 3, 14)) == 5


def test_working_days_between_is_negative_when_the_end_lies_before_the_start():
    assert working_days_between(date(2025, 10, 11), date(2025, 9, 30)) == -3


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    start=st.dates(min_value=date(2023, 12, 1), max_value=date(2027, 1, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_adding_then_counting_working_days_gives_back_n(start, n):
    due = add_working_days(start, n)

    assert working_days_between(start, due) == n
    assert is_workday(due)


# --- the admins' overrides ---


def test_an_override_making_a_weekday_a_holiday_is_honoured(override):
    override(date(2025, 3, 12), is_workday=False, name="临时放假")

    assert not is_workday(date(2025, 3, 12))
    assert add_working_days(date(2025, 3, 11), 1) == date(2025, 3, 13)
    assert working_days_between(date(2025, 3, 10), date(2025, 3, 14)) == 3


def test_an_override_wins_over_the_package_in_both_directions(override):
    override(date(2025, 10, 8), is_workday=True, name="更正")
    override(date(2025, 10, 11), is_workday=False, name="更正")

    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 8)
    assert add_working_days(date(2025, 10, 10), 1) == date(2025, 10, 13)


def test_a_later_unknown_year_counts_on_the_usual_schedule():
    # given: 2031 is beyond the package and nobody confirmed it
    assert not calendar_known(2031)
    assert workdays.year_status(2031) == "provisional"

    # then: 元旦 (a Wednesday) is a day off; 春节 runs from 除夕 Jan 22 to 初七 Jan 29
    assert not is_workday(date(2031, 1, 1))
    assert add_working_days(date(2030, 12, 31), 1) == date(2031, 1, 2)
    assert add_working_days(date(2031, 1, 21), 1) == date(2031, 1, 30)
    # no make-up working day is guessed: the Saturday after stays a day off
    assert not is_workday(date(2031, 2, 1))


def test_an_early_unknown_year_counts_monday_to_friday():
    assert workdays.year_status(2003) == "weekdays"
    assert is_workday(date(2003, 1, 1))  # a Wednesday: nobody knows better
    assert not calendar_known(2003)


def test_entries_win_over_the_usual_schedule_and_the_year_stays_provisional(override):
    override(date(2031, 1, 1), is_workday=True, name="更正")
    override(date(2031, 1, 4), is_workday=True, name="元旦调休上班")  # a Saturday

    assert is_workday(date(2031, 1, 1))
    assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 4)
    assert not calendar_known(2031)
    assert deadline(date(2031, 1, 3), 1, "规则").provisional


def test_a_confirmed_year_counts_its_entries_and_monday_to_friday(override, sysadmin):
    # given: the admins entered only 元旦 as a make-up Saturday, then confirmed the year
    override(date(2031, 1, 4), is_workday=True, name="元旦调休上班")
    CalendarConfirmation.objects.create(year=2031, source="entries", confirmed_by=sysadmin)

    # then: the usual breaks no longer apply; the entries and Monday to Friday do
    assert calendar_known(2031)
    assert workdays.year_status(2031) == "confirmed"
    assert is_workday(date(2031, 1, 1))
    assert is_workday(date(2031, 1, 22))  # 除夕 in the usual schedule, no entry
    assert is_workday(date(2031, 1, 4))
    assert not deadline(date(2031, 1, 2), 5, "规则").provisional
    assert not calendar_known(2032)


def test_a_deadline_across_the_end_of_the_packages_data_is_provisional():
    # Thu 2026-12-31 + 2: 元旦 2027 is a Friday, off with the weekend; then Mon 4, Tue 5.
    result = deadline(date(2026, 12, 31), 2, "规则")

    assert result.due == date(2027, 1, 5)
    assert result.provisional
    assert (result.start, result.working_days) == (date(2026, 12, 31), 2)


def test_a_deadline_inside_the_packages_years_is_not_provisional():
    assert not deadline(date(2026, 12, 1), 5, "规则").provisional
    # … even one that ends on the last working day before the unknown year
    assert deadline(date(2026, 12, 24), 5, "规则").due == date(2026, 12, 31)
    assert not deadline(date(2026, 12, 24), 5, "规则").provisional


def test_calendar_known_for_years_the_package_covers():
    assert calendar_known(2004)
    assert calendar_known(2025)
    assert calendar_known(2026)
    assert not calendar_known(2003)


def test_a_long_run_of_admin_holidays_beyond_the_first_load_is_still_counted(override):
    first = date(2025, 6, 9)  # a Monday; the run ends on Thu Aug 7
    for offset in range(60):
        override(first + timedelta(days=offset), is_workday=False, name="停工")

    assert add_working_days(date(2025, 6, 8), 1) == first + timedelta(days=60)


# --- deadlines and queries ---


def test_deadline_keeps_the_due_date_with_its_rule():
    result = deadline(date(2025, 9, 30), 5, "入户调查:申请后 5 个工作日")

    assert result == Deadline(
        due=date(2025, 10, 14),
        rule="入户调查:申请后 5 个工作日",
        provisional=False,
        start=date(2025, 9, 30),
        working_days=5,
    )


def test_add_working_days_makes_one_query(override, django_assert_num_queries):
    override(date(2025, 10, 9), is_workday=False, name="更正")

    with django_assert_num_queries(1):
        due = add_working_days(date(2025, 9, 30), 20)

    # Oct 10, Sat Oct 11, then three full weeks (Oct 13–31) and Nov 3–5.
    assert due == date(2025, 11, 5)


def test_deadline_and_working_days_between_make_one_query_each(django_assert_num_queries):
    with django_assert_num_queries(1):
        deadline(date(2025, 1, 1), 5, "规则")
    with django_assert_num_queries(1):
        working_days_between(date(2025, 1, 1), date(2025, 12, 31))


def test_a_work_calendar_answers_a_batch_of_deadlines_with_one_query(
    override, django_assert_num_queries
):
    override(date(2025, 3, 12), is_workday=False, name="临时放假")
    starts = [date(2025, 3, 1) + timedelta(days=i) for i in range(100)]

    with django_assert_num_queries(1):
        calendar = WorkCalendar(date(2025, 3, 1), date(2025, 8, 1))
        dues = [deadline(s, 5, "规则", calendar=calendar).due for s in starts]

    assert dues[:3] == [date(2025, 3, 7), date(2025, 3, 7), date(2025, 3, 10)]  # Sat, Sun, Mon
    assert dues[10] == date(2025, 3, 19)  # Tue Mar 11 + 5 skips the Wednesday off


def test_a_datetime_or_a_negative_count_is_refused():
    with pytest.raises(TypeError):
        is_workday(datetime(2025, 1, 2, 9, 0))
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2025, 1, 2), -1)


# --- the year's schedule shown to admins ---


def test_the_2025_schedule_lists_national_day_as_one_run_and_its_make_up_days():
    schedule = workdays.year_schedule(2025)

    assert ScheduleEntry(date(2025, 9, 28), date(2025, 9, 28), True, "国庆节", "builtin") in (
        schedule
    )
    assert (
        ScheduleEntry(date(2025, 10, 1), date(2025, 10, 8), False, "国庆节、中秋", "builtin")
        in schedule
    )
    assert ScheduleEntry(date(2025, 10, 11), date(2025, 10, 11), True, "国庆节", "builtin") in (
        schedule
    )
    assert schedule[0] == ScheduleEntry(
        date(2025, 1, 1), date(2025, 1, 1), False, "元旦", "builtin"
    )
    assert [e.first for e in schedule] == sorted(e.first for e in schedule)


def test_the_schedule_of_a_provisional_year_shows_the_usual_breaks_and_the_entries(override):
    for offset in range(8):
        override(date(2027, 2, 6) + timedelta(days=offset), is_workday=False, name="春节")
    override(date(2027, 2, 20), is_workday=True, name="春节调休上班")

    schedule = workdays.year_schedule(2027)

    assert schedule[0] == ScheduleEntry(
        date(2027, 1, 1), date(2027, 1, 3), False, "元旦", "provisional"
    )
    # 除夕 Feb 5 from the usual schedule, Feb 6–13 entered, Feb 14 an ordinary Sunday
    assert ScheduleEntry(date(2027, 2, 5), date(2027, 2, 14), False, "春节", "mixed") in schedule
    assert (
        ScheduleEntry(date(2027, 2, 20), date(2027, 2, 20), True, "春节调休上班", "override")
        in schedule
    )
    assert (
        ScheduleEntry(date(2027, 10, 1), date(2027, 10, 7), False, "国庆节", "provisional")
        in schedule
    )


def test_the_schedule_of_a_year_once_confirmed_shows_only_the_entries(override):
    for offset in range(8):
        override(date(2027, 2, 6) + timedelta(days=offset), is_workday=False, name="春节")
    override(date(2027, 2, 20), is_workday=True, name="春节调休上班")

    assert workdays.year_schedule(2027, assume_confirmed=True) == [
        # The Sunday after the entries is an ordinary day off, shown as part of the run.
        ScheduleEntry(date(2027, 2, 6), date(2027, 2, 14), False, "春节", "override"),
        ScheduleEntry(date(2027, 2, 20), date(2027, 2, 20), True, "春节调休上班", "override"),
    ]
