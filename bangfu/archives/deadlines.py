"""The archives' stored deadlines: the home visit due (入户调查期限) of an application.

Recounted when a year's holidays are confirmed (`core.deadlines`) while the visit is still to
be made. (Approvals are due a number of working days after submission, but that date is
counted when the worklist is shown, never stored: it follows the calendar by itself.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.utils.translation import gettext, gettext_lazy

from bangfu.core import deadlines
from bangfu.core.workdays import WorkCalendar

from .models import Household, Investigation


class VisitDue(deadlines.DeadlineKind):
    key = "archives.investigation.due_on"
    label = gettext_lazy("入户调查期限")

    def open_deadlines(
        self, *, first: date, last: date, provisional_only: bool = False, lock: bool = False
    ) -> Iterable[deadlines.OpenDeadline]:
        rows = Investigation.objects.filter(
            visited_on__isnull=True,
            household__status=Household.Status.APPLIED,
            due_on__gte=first,
            due_from__lte=last,
        ).order_by("pk")
        if provisional_only:
            rows = rows.filter(due_provisional=True)
        if lock:
            rows = rows.select_for_update(of=("self",))
        for visit in rows.select_related("household").only(
            "pk",
            "due_on",
            "due_rule",
            "due_from",
            "due_provisional",
            "household__archive_no",
        ):
            days = visit.due_working_days
            if visit.due_from is None or days is None:
                continue  # a rule this code cannot count again: left as it is
            yield deadlines.OpenDeadline(
                object_id=str(visit.pk),
                # The archive's number only: the list is read by the calendar's administrators.
                object_repr=gettext("档案 %(no)s 的入户调查") % {"no": visit.household.archive_no},
                start=visit.due_from,
                working_days=days,
                due=visit.due_on,
                provisional=visit.due_provisional,
                rule=visit.due_rule,
            )

    def apply(self, changes: Sequence[deadlines.Change], *, calendar: WorkCalendar) -> None:
        Investigation.objects.bulk_update(
            [
                Investigation(
                    pk=int(change.item.object_id),
                    due_on=change.new.due,
                    due_provisional=change.new.provisional,
                )
                for change in changes
            ],
            ["due_on", "due_provisional"],
            batch_size=500,
        )


deadlines.register(VisitDue())
