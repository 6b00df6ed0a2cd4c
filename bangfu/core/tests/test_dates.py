"""Months and years later: one rule for a day the target month does not have."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.core.dates import add_months, add_years, first_of_month


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 15), 12, date(2026, 3, 15)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2016, 5, 31), 120, date(2026, 5, 31)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 1), 0, date(2026, 5, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2025, 10, 9), 1, date(2026, 10, 9)),
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2016, 5, 31), 10, date(2026, 5, 31)),
        (date(2026, 2, 28), -2, date(2024, 2, 28)),
    ],
)
def test_add_years_turns_29_february_into_28_february_in_a_common_year(day, years, expected):
    assert add_years(day, years) == expected


def test_first_of_month():
    assert first_of_month(date(2026, 2, 28)) == date(2026, 2, 1)
