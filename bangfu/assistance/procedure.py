"""The application procedure, declared on the workflow kit (docs/dev/WORKFLOW.md):
入户走访 (where the programme requires one) → 民主评议 → 公示 through notices → 审批 with
sign-offs scaling with the amount (the programme rule's limits), or returned / refused.

The kit keeps the steps, dates, actors and the worklist; assistance maps the case's step to the
application's status and adds its own checks and effects: a flagged duplicate needs a leader's
reason first, and at approval the approval hooks (the funds context) run inside the transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.core.errors import Conflict
from bangfu.kits.workflow.declaration import (
    ApprovalRule,
    Perms,
    Procedure,
    Transition,
    by_amount,
    register,
)
from bangfu.kits.workflow.models import Case, Step
from bangfu.notices.selectors import subject_notice_state

from . import hooks
from .audit_actions import AssistanceAction
from .models import Application, Kind
from .permissions import AssistancePermission as P

S = Application.Status
APPLICATION_NOTICE_KIND = "assistance"


def _steps(application: Application) -> tuple[str, ...]:
    rule = application.rule
    steps = []
    if rule.requires_visit:
        steps.append(Step.VISIT)
    if rule.requires_review:
        steps.append(Step.REVIEW)
    if rule.requires_notice:
        steps.append(Step.NOTICE)
    return (*steps, Step.APPROVAL)


def _approval(application: Application) -> ApprovalRule:
    rule = application.rule
    return by_amount(
        (rule.one_signoff_limit, [("centre", 1)]),
        (rule.county_limit, [("centre", 2)]),
        (None, [("centre", 2), ("county", 1)]),
    )


def _status(case: Case) -> str:
    if case.step == Step.NOTICE and case.notice_ends_on is not None:
        return S.PUBLICIZING
    statuses: dict[str, str] = {
        Step.VISIT: S.SUBMITTED,
        Step.REVIEW: S.VERIFIED,
        Step.NOTICE: S.REVIEWED,
        Step.SUBMIT: S.REVIEWED,
        Step.APPROVAL: S.PENDING_APPROVAL,
        Step.RETURNED: S.RETURNED,
        Step.APPROVED: S.APPROVED,
        Step.REFUSED: S.REFUSED,
    }
    return statuses[case.step]


def masked_name(name: str) -> str:
    """张三丰 → 张*丰, 张三 → 张*: the public notice's name when the programme masks names."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _notice_items(application: Application) -> list[Any]:
    from bangfu.notices.services import NoticeItemInput

    name = application.household.name
    return [
        NoticeItemInput(
            subject=application,
            person_name=masked_name(name) if application.rule.mask_names else name,
            unit_name=application.unit.name,
            aid_kind=str(Kind(application.kind).label),
            amount=application.amount,
        )
    ]


def _before(t: Transition) -> None:
    application = t.subject
    assert isinstance(application, Application)
    approving = t.verb == "signoff" and t.outcome == "approved"
    if approving and application.duplicate_of_id and not application.duplicate_reason:
        raise Conflict(_("该申请疑似重复,须先由领导说明理由放行后才能批准。"))


def _effects(t: Transition) -> None:
    application = t.subject
    assert isinstance(application, Application)
    if t.verb == "notice":
        application.notice_ends_on = t.case.notice_ends_on
        application.save(update_fields=["notice_ends_on", "updated_at"])
    if t.verb == "signoff" and t.after == Step.APPROVED:
        application.approved_on = t.today
        # The notice's last day as the notice itself now says (funds pays only after it).
        state = subject_notice_state(application, kind=APPLICATION_NOTICE_KIND)
        application.notice_ends_on = state.ends_on or t.case.notice_ends_on
        application.save(update_fields=["approved_on", "notice_ends_on", "updated_at"])
        # Funds commits the money here; a refusal ("预算不足") rolls the approval back.
        hooks.run_approval_hooks(application=application, actor=t.actor)
        t.changes["approved_amount"] = [None, str(application.amount)]


VERBS = {
    "start": AssistanceAction.APPLICATION_SUBMIT,
    "resubmit": AssistanceAction.APPLICATION_RESUBMIT,
    "visit": AssistanceAction.APPLICATION_VISIT,
    "review": AssistanceAction.APPLICATION_REVIEW,
    "notice": AssistanceAction.APPLICATION_NOTICE,
    "submit": AssistanceAction.APPLICATION_SEND_FOR_APPROVAL,
    "signoff": AssistanceAction.APPLICATION_SIGNOFF,
}


def _amount(application: Application) -> Decimal:
    return application.amount


APPLICATION = register(
    Procedure(
        key="assistance.application",
        subject_model=Application,
        steps=(Step.VISIT, Step.REVIEW, Step.NOTICE, Step.APPROVAL),
        steps_for=_steps,
        perms=Perms(
            make=P.APPLY,
            visit=P.INVESTIGATE,
            review=P.INVESTIGATE,
            notice=P.INVESTIGATE,
            submit=P.INVESTIGATE,
            approve=P.APPROVE,
        ),
        audit_action=lambda verb: VERBS[verb],
        unit_of=lambda application: application.unit,
        url_of=lambda pk: reverse("assistance:application_detail", args=[pk]),
        label=_("帮扶救助"),
        title_of=lambda a: f"{a.household.name} · {a.programme.name}",
        reference_of=lambda a: f"{a.year}-{a.pk}",
        approval=_approval,
        amount_of=_amount,
        status_of=_status,
        before=_before,
        on_transition=_effects,
        extra_makers=lambda a: {a.created_by_id},
        notice_kind=APPLICATION_NOTICE_KIND,
        notice_title=lambda a: _("帮扶救助公示:%(programme)s") % {"programme": a.programme.name},
        notice_items=_notice_items,
    )
)
