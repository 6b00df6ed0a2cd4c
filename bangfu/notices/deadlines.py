"""The notices' stored deadline: the last day of a published notice (`ends_on`).

Recounted when a year's holidays are confirmed (`core.deadlines`), for notices still running
by their stored date; a notice already over stays as it was posted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy

from bangfu.core import deadlines
from bangfu.core.workdays import WorkCalendar

from . import period
from .models import Notice
from .services import set_period


class NoticeEnds(deadlines.DeadlineKind):
    key = "notices.notice.ends_on"
    label = gettext_lazy("公示期截止")

    def open_deadlines(
        self, *, first: date, last: date, provisional_only: bool = False, lock: bool = False
    ) -> Iterable[deadlines.OpenDeadline]:
        rows = Notice.objects.filter(
            status=Notice.Status.PUBLISHED,
            ends_on__gte=max(first, timezone.localdate()),
            starts_on__lte=last,
        ).order_by("pk")
        if provisional_only:
            rows = rows.filter(due_provisional=True)
        if lock:
            rows = rows.select_for_update()
        for notice in rows.only(
            "pk", "title", "starts_on", "ends_on", "working_days", "due_provisional", "due_rule"
        ):
            if notice.starts_on is None or notice.ends_on is None or not notice.working_days:
                continue
            yield deadlines.OpenDeadline(
                object_id=str(notice.pk),
                object_repr=notice.title,
                start=notice.starts_on,
                working_days=notice.working_days,
                due=notice.ends_on,
                provisional=notice.due_provisional,
                rule=notice.due_rule,
            )

    def apply(self, changes: Sequence[deadlines.Change], *, calendar: WorkCalendar) -> None:
        notices = []
        for change in changes:
            item = change.item
            notice = Notice(pk=int(item.object_id), starts_on=item.start)
            set_period(
                notice,
                period.notice_period(item.start, item.working_days, calendar=calendar),
            )
            notices.append(notice)
        Notice.objects.bulk_update(
            notices,
            ["counts_from", "ends_on", "working_days", "due_rule", "due_provisional"],
            batch_size=500,
        )


deadlines.register(NoticeEnds())
