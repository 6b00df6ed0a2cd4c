"""The statute's limits as dates: calendar days read as 民法典 arts. 200–204 (start day not
counted, a last day off moves to the next working day), across month ends and holidays; working
days when an office chooses so; how a limit stands (on track, at risk, breached)."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.core.workdays import calendar_deadline
from bangfu.petitions.deadlines import Progress, compute, counting_note, progress
from bangfu.petitions.models import Deadline

pytestmark = pytest.mark.django_db
Stage = Deadline.Stage


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # An ordinary period: 15 days from Tuesday 2025-03-04 end on Wednesday 2025-03-19.
        (date(2025, 3, 4), 15, date(2025, 3, 19)),
        # Across a month end into 春节 2025 (01-28…02-04 off): 2025-01-20 + 15 = 02-04 → 02-05.
        (date(2025, 1, 20), 15, date(2025, 2, 5)),
        # The last day falls on 国庆 2025 (10-01…10-08 off): moves to Thursday 10-09.
        (date(2025, 9, 20), 15, date(2025, 10, 9)),
        # The last day is a Sunday: moves to Monday. 2025-05-18 is a Sunday.
        (date(2025, 5, 3), 15, date(2025, 5, 19)),
        # The last day is a make-up working Saturday (2025-09-28, 调休上班): it stays.
        (date(2025, 9, 13), 15, date(2025, 9, 28)),
        # 60 days across February in a leap year: 2024-01-10 + 60 = 2024-03-10 (Sunday) → 3-11.
        (date(2024, 1, 10), 60, date(2024, 3, 11)),
        # 30 days from 2025-01-31 end on 2025-03-02 (Sunday) → Monday 03-03.
        (date(2025, 1, 31), 30, date(2025, 3, 3)),
        # Across the year end: 2025-12-15 + 30 = 2026-01-14 (Wednesday).
        (date(2025, 12, 15), 30, date(2026, 1, 14)),
    ],
)
def test_calendar_days_follow_the_civil_code(start, days, due):
    assert calendar_deadline(start, days, "rule").due == due


def test_the_starting_day_is_not_counted():
    # A petition received on Monday 2025-03-03: one day later is Tuesday, not Monday.
    assert calendar_deadline(date(2025, 3, 3), 1, "r").due == date(2025, 3, 4)


def test_a_holiday_an_admin_entered_moves_the_last_day(staff):
    from bangfu.core.models import CalendarDay

    CalendarDay.objects.create(
        date=date(2025, 3, 19), is_workday=False, name="地方假日", created_by=staff
    )

    assert calendar_deadline(date(2025, 3, 4), 15, "r").due == date(2025, 3, 20)


def test_the_route_limit_counts_calendar_days_by_default_and_says_so():
    days, kind, due, rule = compute(Stage.ROUTE, date(2025, 9, 20))

    assert (days, kind, due) == (15, Deadline.Counting.CALENDAR, date(2025, 10, 9))
    assert rule == "登记转送:自收到之日起 15 日(信访工作条例)"
    assert "起算日不计入" in counting_note(kind)


def test_an_office_may_count_its_own_limits_in_working_days(settings):
    settings.BANGFU_PETITION_WORKING_DAY_LIMITS = ["handle"]

    _days, kind, due, rule = compute(Stage.HANDLE, date(2025, 9, 26))
    window = compute(Stage.REVIEW_REQUEST, date(2025, 9, 26))

    # 60 working days from Friday 2025-09-26, 国庆 skipped and the make-up Saturday 9-28 counted.
    assert kind == Deadline.Counting.WORKING
    assert due == date(2025, 12, 25)
    assert rule == "办理答复:自受理之日起 60 个工作日(信访工作条例)"
    # The petitioner's window follows the statute whatever the office chose.
    assert window[1] == Deadline.Counting.CALENDAR


@pytest.mark.parametrize(
    ("today", "met_on", "expected"),
    [
        (date(2025, 3, 10), None, Progress.ON_TRACK),
        (date(2025, 3, 16), None, Progress.ON_TRACK),
        (date(2025, 3, 17), None, Progress.AT_RISK),  # the last 3 days: 17, 18, 19
        (date(2025, 3, 19), None, Progress.AT_RISK),
        (date(2025, 3, 20), None, Progress.BREACHED),
        (date(2025, 3, 25), date(2025, 3, 19), Progress.MET),
        (date(2025, 3, 25), date(2025, 3, 20), Progress.MET_LATE),
    ],
)
def test_how_a_limit_stands(today, met_on, expected):
    d = Deadline(ours=True, due_on=date(2025, 3, 19), met_on=met_on)

    assert progress(d, today) == expected


def test_the_at_risk_window_is_a_setting(settings):
    settings.BANGFU_PETITION_AT_RISK_DAYS = 7
    d = Deadline(ours=True, due_on=date(2025, 3, 19))

    assert progress(d, date(2025, 3, 13)) == Progress.AT_RISK
    assert progress(d, date(2025, 3, 12)) == Progress.ON_TRACK


def test_a_petitioners_window_lapses_instead_of_being_breached():
    d = Deadline(ours=False, due_on=date(2025, 3, 19))

    assert progress(d, date(2025, 3, 19)) == Progress.OPEN_WINDOW
    assert progress(d, date(2025, 3, 20)) == Progress.LAPSED
