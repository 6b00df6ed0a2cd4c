"""The home visits' stored due dates, recounted when a year's holidays are confirmed
(`core.deadlines`) while the visit is still to be made.

The kit registers nothing by itself: a context registers one kind per procedure in its own
``deadlines`` module, under the key it has always used::

    deadlines.register(VisitDeadlines(FILING, key="archives.investigation.due_on",
                                      label=gettext_lazy("入户调查期限"),
                                      describe=lambda case: f"档案 {case.reference} 的入户调查"))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from bangfu.core import deadlines
from bangfu.core.workdays import WorkCalendar

from .declaration import Procedure
from .models import Case, Step, Visit


class VisitDeadlines(deadlines.DeadlineKind):
    """The open home visits of one procedure. `describe(case)` names a visit without personal
    data (the list of what moved is read by the calendar's administrators)."""

    def __init__(
        self, procedure: Procedure, *, key: str, label: Any, describe: Callable[[Case], str]
    ) -> None:
        self.procedure = procedure
        self.key = key
        self.label = label
        self.describe = describe

    def open_deadlines(
        self, *, first: date, last: date, provisional_only: bool = False, lock: bool = False
    ) -> Iterable[deadlines.OpenDeadline]:
        rows = Visit.objects.filter(
            case__procedure=self.procedure.key,
            case__subject_type=ContentType.objects.get_for_model(self.procedure.subject_model),
            case__step=Step.VISIT,
            visited_on__isnull=True,
            due_on__gte=first,
            due_from__lte=last,
        ).order_by("pk")
        if provisional_only:
            rows = rows.filter(due_provisional=True)
        if lock:
            rows = rows.select_for_update(of=("self",))
        for visit in rows.select_related("case"):
            days_of_rule = visit_rule_days(visit.due_rule, self.procedure)
            if days_of_rule is None:
                continue  # a rule this code cannot count again: left as it is
            yield deadlines.OpenDeadline(
                object_id=str(visit.pk),
                object_repr=self.describe(visit.case),
                start=visit.due_from,
                working_days=days_of_rule,
                due=visit.due_on,
                provisional=visit.due_provisional,
                rule=visit.due_rule,
            )

    def apply(self, changes: Sequence[deadlines.Change], *, calendar: WorkCalendar) -> None:
        visits = [
            Visit(
                pk=int(change.item.object_id),
                due_on=change.new.due,
                due_provisional=change.new.provisional,
            )
            for change in changes
        ]
        Visit.objects.bulk_update(visits, ["due_on", "due_provisional"], batch_size=500)
        # The case keeps the due date of its open visit for the worklist and the panel.
        by_visit = dict(
            Visit.objects.filter(pk__in=[v.pk for v in visits]).values_list("pk", "case_id")
        )
        Case.objects.bulk_update(
            [Case(pk=by_visit[v.pk], visit_due_on=v.due_on) for v in visits],
            ["visit_due_on"],
            batch_size=500,
        )


def visit_rule_days(rule: str, procedure: Procedure) -> int | None:
    """The number of working days of a rule written by `procedure.visit_rule`, or None."""
    with translation.override(settings.LANGUAGE_CODE):  # stored as written, in Chinese
        for days in range(1, 61):
            if procedure.visit_rule(days) == rule:
                return days
    return None
