"""Cases made directly in a given step, for tests that need a subject mid-procedure."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bangfu.kits.workflow.declaration import Procedure
from bangfu.kits.workflow.models import Case, Step, Visit
from bangfu.kits.workflow.selectors import level_unit


def make_case(
    procedure: Procedure,
    subject: Any,
    *,
    step: str = Step.VISIT,
    since: date | None = None,
    visit_due_on: date | None = None,
    due_rule: str = "入户调查:申请后 5 个工作日",
    **fields: Any,
) -> Case:
    """A case of `subject` at `step` since `since` (today); at VISIT with its open visit
    (due `visit_due_on`), at APPROVAL awaiting the first level's sign-off."""
    since = since or timezone.localdate()
    case = Case.objects.create(
        procedure=procedure.key,
        subject_type=ContentType.objects.get_for_model(procedure.subject_model),
        subject_id=subject.pk,
        unit=procedure.unit_of(subject),
        title=procedure.title_of(subject),
        reference=procedure.reference_of(subject),
        maker=fields.pop("maker", None),
        step=step,
        step_since=since,
        visit_due_on=visit_due_on if step == Step.VISIT else None,
        submitted_on=since if step == Step.APPROVAL else None,
        **fields,
    )
    if step == Step.APPROVAL and case.approval_unit is None:
        levels = procedure.approval(subject).levels_for(case.amount)
        case.approval_unit = level_unit(levels[0], case.unit)
        case.save(update_fields=["approval_unit"])
    if step == Step.VISIT:
        Visit.objects.create(
            case=case,
            round=case.round,
            due_on=visit_due_on or since,
            due_rule=due_rule,
            due_from=since,
        )
    return case
