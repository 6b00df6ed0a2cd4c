"""A procedure declared for the kit's tests, over the archives' households (the kit knows no
subject: any model with a unit will do)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bangfu.archives.audit_actions import ArchivesAction
from bangfu.archives.models import Household
from bangfu.kits.workflow.declaration import Perms, Procedure, by_amount
from bangfu.kits.workflow.models import Step

VERBS = {
    "start": "apply",
    "resubmit": "resubmit",
    "visit": "investigation",
    "review": "review",
    "notice": "notice",
    "submit": "submit",
    "signoff": "decide",
}

# Amounts of the test subjects, by subject id (a real subject carries its own).
AMOUNTS: dict[int, Decimal] = {}
# Subjects that need no home visit (a programme without one).
NO_VISIT: set[int] = set()

RULE = by_amount(
    (1000, [("centre", 1)]),
    (5000, [("centre", 2)]),
    (None, [("centre", 2), ("county", 1)]),
)


def _items(subject: Any) -> list[Any]:
    from bangfu.notices.services import NoticeItemInput

    return [
        NoticeItemInput(
            subject=subject,
            person_name=subject.name,
            unit_name=subject.unit.name,
            category="",
            aid_kind="测试救助",
        )
    ]


def _steps(subject: Any) -> tuple[str, ...]:
    if subject.pk in NO_VISIT:
        return (Step.REVIEW, Step.NOTICE, Step.APPROVAL)
    return (Step.VISIT, Step.REVIEW, Step.NOTICE, Step.APPROVAL)


TEST_PROCEDURE = Procedure(
    key="tests.aid",
    subject_model=Household,
    steps=(Step.VISIT, Step.REVIEW, Step.NOTICE, Step.APPROVAL),
    steps_for=_steps,
    perms=Perms(
        make="archives.file",
        visit="archives.investigate",
        review="archives.investigate",
        notice="archives.investigate",
        submit="archives.investigate",
        approve="archives.approve",
    ),
    audit_action=lambda verb: ArchivesAction(f"archives.procedure.{VERBS[verb]}"),
    unit_of=lambda subject: subject.unit,
    url_of=lambda pk: f"/test/{pk}/",
    label="测试",
    title_of=lambda subject: f"{subject.name}(测试)",
    approval=lambda subject: RULE,
    amount_of=lambda subject: AMOUNTS.get(subject.pk),
    notice_kind="assistance",
    notice_title=lambda subject: f"救助公示:{subject.name}",
    notice_items=_items,
)
