"""The detail page's 建档流程 section: the steps with their dates and people, due dates marked
overdue, and the action forms this user may use on this archive now."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bangfu.accounts import policy
from bangfu.core.errors import PermissionDenied
from bangfu.core.panels import Panel, register
from bangfu.kits.workflow import selectors as kit_selectors
from bangfu.kits.workflow.models import Case, SignOff, Visit

from ..forms.procedure import (
    ConsentForm,
    DecideForm,
    InvestigationForm,
    NoticeForm,
    ReviewForm,
    SubmitForm,
)
from ..models import Household
from ..permissions import ArchivesPermission
from ..services import procedure
from . import PAGE

S = Household.Status
_VISIT_RULE = re.compile(r"入户调查:申请后 (\d+) 个工作日")
RECOMMENDATIONS = {"agree": _l("情况属实,建议建档"), "disagree": _l("情况不符,不建议建档")}
# Statuses in which the procedure is still under way (or was just decided).
PROCEDURE_STATUSES = {
    S.DRAFT,
    S.APPLIED,
    S.INVESTIGATED,
    S.REVIEWED,
    S.PUBLICIZING,
    S.PENDING_APPROVAL,
    S.RETURNED,
    S.REFUSED,
}

# Statuses of a round that has not yet reached the review, or the notice.
BEFORE_REVIEW = {S.DRAFT, S.APPLIED, S.INVESTIGATED}
BEFORE_NOTICE = BEFORE_REVIEW | {S.REVIEWED}


@dataclass
class Step:
    title: str
    done: bool
    lines: list[str] = field(default_factory=list)
    due: date | None = None
    due_rule: str = ""
    overdue: bool = False


def _can(user: Any, perm: str, household: Household) -> bool:
    return policy.has_perm(user, perm) and policy.unit_in_scope(user, perm, household.unit)


def _who(user: Any) -> str:
    return (getattr(user, "display_name", "") or user.get_username()) if user else ""


def _steps(household: Household, case: Case | None, today: date) -> tuple[list[Step], Any]:
    from bangfu.notices.selectors import subject_notice_state

    visits = list(case.visits.select_related("recorded_by").order_by("created_at")) if case else []
    reviews = (
        list(case.reviews.select_related("recorded_by").order_by("held_on", "created_at"))
        if case
        else []
    )
    signoffs = kit_selectors.signoffs(case) if case else []
    state = subject_notice_state(household, kind=procedure.NOTICE_KIND)
    steps = [
        Step(
            _("申请"),
            household.status != S.DRAFT,
            [
                _("%(origin)s,申请日期 %(date)s,建档人 %(who)s")
                % {
                    "origin": household.get_origin_display(),
                    "date": household.applied_on.isoformat(),
                    "who": _who(household.filed_by),
                }
            ],
        )
    ]
    visit_step = Step(_("入户调查"), False)
    for visit in visits:
        if visit.visited_on:
            visit_step.lines.append(
                _("%(date)s,%(people)s:%(rec)s(记录人 %(who)s)")
                % {
                    "date": visit.visited_on.isoformat(),
                    "people": "、".join(visit.visitors),
                    "rec": RECOMMENDATIONS.get(visit.recommendation, visit.recommendation),
                    "who": _who(visit.recorded_by),
                }
            )
            visit_step.done = True
        else:
            visit_step.done = False
            visit_step.due, visit_step.due_rule = visit.due_on, _visit_rule_text(visit)
            visit_step.overdue = visit.due_on < today
    steps.append(visit_step)
    # After a return for correction the procedure starts again from the visit: a review or a
    # notice of the earlier round stays listed but does not count as this round's step done.
    status = household.status
    review_step = Step(_("民主评议"), bool(reviews) and status not in BEFORE_REVIEW)
    for review in reviews:
        review_step.lines.append(
            _("%(date)s,同意 %(yes)d 票、反对 %(no)d 票,%(result)s(记录人 %(who)s)")
            % {
                "date": review.held_on.isoformat(),
                "yes": review.votes_for,
                "no": review.votes_against,
                "result": _("通过") if review.passed else _("未通过"),
                "who": _who(review.recorded_by),
            }
        )
    steps.append(review_step)
    notice_step = Step(_("公示"), state.status == "cleared" and status not in BEFORE_NOTICE)
    labels = {
        "none": _("未公示"),
        "draft": _("公示草稿未发布"),
        "publishing": _("公示中"),
        "objection_open": _("有待处理的异议"),
        "cleared": _("公示期满,无异议"),
        "upheld": _("异议成立"),
    }
    if state.notice is not None:
        notice = state.notice
        notice_step.lines.append(
            _("%(state)s:%(first)s 至 %(last)s")
            % {
                "state": labels.get(state.status, state.status),
                # The period counted (the posting day itself does not count), as on the notice.
                "first": (notice.counts_from or notice.starts_on).isoformat()
                if notice.starts_on
                else "—",
                "last": notice.ends_on.isoformat() if notice.ends_on else "—",
            }
        )
        if state.status == "publishing" and notice.ends_on:
            notice_step.due, notice_step.due_rule = notice.ends_on, notice.period_text
    steps.append(notice_step)
    approval_step = Step(_("审批"), household.status in (S.ACTIVE, S.CLOSED))
    approval_step.lines.append(
        _("审批单位:%(unit)s") % {"unit": procedure.approval_unit(household).name}
    )
    for signoff in signoffs:
        approval_step.lines.append(
            _("%(date)s %(unit)s %(who)s:%(outcome)s%(reason)s")
            % {
                "date": timezone.localtime(signoff.created_at).date().isoformat(),
                "unit": signoff.level_unit.name,
                "who": _who(signoff.signed_by),
                "outcome": procedure.OUTCOME_LABELS[SignOff.Outcome(signoff.outcome)],
                "reason": f"({signoff.opinion})" if signoff.opinion else "",
            }
        )
    steps.append(approval_step)
    return steps, state


def _visit_rule_text(visit: Visit) -> str:
    """The rule of the due date in the reader's language (stored as written, in Chinese:
    入户调查:申请后 N 个工作日)."""
    match = _VISIT_RULE.fullmatch(visit.due_rule)
    if match is None:
        text = visit.due_rule
    else:
        text = _("入户调查:申请后 %(days)d 个工作日") % {"days": int(match.group(1))}
    if visit.due_provisional:
        text += _("(暂定:按暂定节假日安排计算)")
    return text


@register(PAGE)
def procedure_panel(request: HttpRequest, household: Household) -> Panel | None:
    case = procedure.case_of(household)
    if household.status not in PROCEDURE_STATUSES and case is None:
        return None
    user = request.user
    today = timezone.localdate()
    steps, state = _steps(household, case, today)
    can_file = _can(user, ArchivesPermission.FILE, household)
    can_investigate = _can(user, ArchivesPermission.INVESTIGATE, household)
    try:
        procedure.require_can_decide(user, household)
        can_decide = True
    except PermissionDenied as exc:
        can_decide = False
        decide_refusal = exc.message
    else:
        decide_refusal = ""
    review = procedure.latest_review(household)
    actions: dict[str, Any] = {}
    status = household.status
    if status == S.DRAFT and can_file:
        actions["apply"] = True
    if status == S.RETURNED and can_file:
        actions["resubmit"] = True
    if status == S.APPLIED and can_investigate:
        actions["investigation_form"] = InvestigationForm()
    if status == S.INVESTIGATED and can_investigate:
        actions["review_form"] = ReviewForm()
    if can_investigate and (
        (status == S.REVIEWED and review is not None and review.passed)
        or (status == S.PUBLICIZING and state.status == "none")
    ):
        if household.consent_publication_on is None:
            # Consent before the notice (issue 11): no notice form while the worker's written
            # consent to publication is missing; the panel says so and points at the consent form.
            actions["notice_blocked"] = True
        else:
            actions["notice_form"] = NoticeForm()
    if can_investigate and (
        (status == S.REVIEWED and (review is None or not review.passed))
        or (status == S.PUBLICIZING and state.status in ("cleared", "upheld"))
    ):
        actions["submit_form"] = SubmitForm()
    if status == S.PENDING_APPROVAL and can_decide:
        actions["decide_form"] = DecideForm()
    if (
        can_file
        and household.is_open
        and (household.consent_sensitive_on is None or household.consent_publication_on is None)
    ):
        actions["consent_form"] = ConsentForm()
    return Panel(
        key="procedure",
        title=_("建档流程"),
        template="archives/procedure/panel.html",
        context={
            "steps": steps,
            "actions": actions,
            "pending_decision_refusal": decide_refusal if status == S.PENDING_APPROVAL else "",
            "notice": state.notice,
            "last_return": case.signoffs.filter(outcome=SignOff.Outcome.RETURNED)
            .order_by("-created_at")
            .first()
            if status == S.RETURNED and case is not None
            else None,
            "next_action": kit_selectors.next_action(
                procedure.FILING, case, kit_selectors.open_visit(case), user
            )
            if case is not None and status in PROCEDURE_STATUSES
            else "",
        },
        order=20,
    )
