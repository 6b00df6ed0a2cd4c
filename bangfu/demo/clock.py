"""The demo's clock: the story is played through the services with the clock moved back.

A notice cannot be published in the past (`notices.services.notice_publish` refuses it), and no
service gains a backdating path for the demo. Instead `seed_demo` moves the process clock back
(the `time-machine` library, used here only) to each day of the story and calls the ordinary
services on that day: every record and audit event carries the date the story says, notices
run their real periods, and on the day the demo is loaded those notices have ended.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.utils import timezone

# How far back the story reaches: the money comes in about 45 days before the demo is loaded.
STORY_DAYS = 45


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@contextmanager
def on_day(day: datetime.date, hour: int = 9) -> Iterator[datetime.date]:
    """Run the block as on `day` (local time, the clock ticking from `hour` o'clock); a day
    that is not in the past runs on the real clock."""
    if day >= timezone.localdate():
        yield timezone.localdate()
        return
    moment = datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    with time_machine.travel(moment, tick=True):
        yield day
