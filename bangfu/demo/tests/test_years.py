"""The demo is made for the year it is loaded in: loaded on 2027-01-20 (the story's 45 days
reach back into 2026) and on 2027-06-01, the loop still finds this year's programmes and
seeds its applications, payments and sample."""

from __future__ import annotations

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from bangfu.assistance.models import Application, Programme
from bangfu.funds.models import Book, Payment, Sample

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("day", "book_years"),
    [(datetime.date(2027, 1, 20), [2026, 2027]), (datetime.date(2027, 6, 1), [2027])],
)
def test_the_loop_seeds_in_the_year_the_demo_is_loaded(day, book_years):
    moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)
    out = StringIO()
    with time_machine.travel(moment, tick=True):
        call_command("seed_demo", stdout=out)
        assert timezone.localdate() == day

    assert "无帮扶发放" not in out.getvalue()
    assert Programme.objects.filter(year=day.year, kind="temporary").exists()
    assert sorted(Book.objects.values_list("year", flat=True)) == book_years
    approved = Application.objects.filter(
        status=Application.Status.APPROVED, programme__year=day.year
    )
    assert approved.count() == 5
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == 3
    assert Sample.objects.get().size == 3
