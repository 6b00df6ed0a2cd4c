"""Reads of the procedure kit: a subject's case and records, the approval levels, the next
action and the worklist queries. Reads never write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet

from bangfu.accounts import policy
from bangfu.network.models import OrgUnit
from bangfu.network.selectors import centres_above, nearest_centre

from .declaration import CENTRE, COUNTY, PARENT, Level, Procedure
from .models import Case, Review, SignOff, Step, Visit


def case_of(procedure: Procedure, subject: Any) -> Case | None:
    return (
        Case.objects.select_related("unit", "approval_unit")
        .filter(
            procedure=procedure.key,
            subject_type=ContentType.objects.get_for_model(procedure.subject_model),
            subject_id=subject.pk,
        )
        .first()
    )


def latest_visit(case: Case) -> Visit | None:
    """The home visit recorded in the case's current round, if any."""
    return (
        case.visits.filter(round=case.round)
        .exclude(visited_on=None)
        .order_by("-visited_on", "-created_at")
        .first()
    )


def open_visit(case: Case) -> Visit | None:
    """The home visit of the current round waiting to be recorded, if any."""
    return case.visits.filter(round=case.round, visited_on=None).order_by("-created_at").first()


def latest_review(case: Case) -> Review | None:
    """The review of the case's current round, if any (an earlier round's does not count)."""
    return case.reviews.filter(round=case.round).order_by("-held_on", "-created_at").first()


def centre_of(unit: OrgUnit) -> OrgUnit:
    return nearest_centre(unit)


def level_unit(level: Level, unit: OrgUnit) -> OrgUnit:
    """The unit whose leaders sign at `level` for a subject of `unit`: its centre, the centre
    directly above (the centre itself at the top), or the nearest county-level centre."""
    centres = centres_above(unit)  # nearest first, the subject's own centre first
    if not centres:
        return unit
    if level.unit == CENTRE:
        return centres[0]
    if level.unit == PARENT:
        return centres[1] if len(centres) > 1 else centres[0]
    assert level.unit == COUNTY
    for centre in centres:
        if centre.level == OrgUnit.Level.COUNTY:
            return centre
    return centres[-1]


def levels_of(procedure: Procedure, subject: Any, case: Case) -> tuple[Level, ...]:
    return procedure.approval(subject).levels_for(case.amount)


def signoffs(case: Case) -> list[SignOff]:
    """Every sign-off of every round, oldest first (earlier rounds stay visible)."""
    return list(case.signoffs.select_related("level_unit", "signed_by").order_by("created_at"))


# --- the worklist (one query per kind, scoped and bounded) -------------------------------------


def _cases(procedure: Procedure) -> QuerySet[Case]:
    return Case.objects.filter(
        procedure=procedure.key,
        subject_type=ContentType.objects.get_for_model(procedure.subject_model),
    )


def visits_due(*, user: Any, procedure: Procedure) -> QuerySet[Visit]:
    """The home visits of the current round waiting to be recorded, in the user's scope."""
    return (
        Visit.objects.filter(
            case__in=_cases(procedure).filter(
                policy.scope_q(user, procedure.perms.visit), step=Step.VISIT
            ),
            visited_on=None,
        )
        .select_related("case")
        .order_by("due_on", "pk")
    )


def cases_at(*, user: Any, procedure: Procedure, steps: list[str], perm: str) -> QuerySet[Case]:
    """The cases at one of `steps` whose unit is in the user's scope for `perm`."""
    return (
        _cases(procedure)
        .filter(policy.scope_q(user, perm), step__in=steps)
        .select_related("unit")
        .order_by("step_since", "pk")
    )


def approvals_waiting(*, user: Any, procedure: Procedure) -> QuerySet[Case]:
    """Cases waiting for a sign-off at a level in the user's scope that the user may give:
    not made by the user and not yet signed by the user in this round."""
    signed = SignOff.objects.filter(case=OuterRef("pk"), round=OuterRef("round"), signed_by=user)
    made_visit = Visit.objects.filter(case=OuterRef("pk"), recorded_by=user)
    made_review = Review.objects.filter(case=OuterRef("pk"), recorded_by=user)
    return (
        _cases(procedure)
        .filter(policy.scope_q(user, procedure.perms.approve, "approval_unit"), step=Step.APPROVAL)
        .exclude(maker=user)
        .exclude(Exists(signed))
        .exclude(Exists(made_visit))
        .exclude(Exists(made_review))
        .select_related("approval_unit", "unit")
        .order_by("step_since", "pk")
    )


def returned_to_maker(*, user: Any, procedure: Procedure) -> QuerySet[Case]:
    """Cases returned for correction that the user made (and may still correct)."""
    return cases_at(
        user=user, procedure=procedure, steps=[Step.RETURNED], perm=procedure.perms.make
    ).filter(maker=user)


# --- the panel ---------------------------------------------------------------------------------


@dataclass
class StepView:
    """One step of the panel: its name, state (done / current / waiting / skipped), date,
    people and due date."""

    key: str
    label: str
    state: str
    done_on: date | None = None
    people: str = ""
    due_on: date | None = None
    overdue: bool = False
    provisional: bool = False
    rule: str = ""
    detail: str = ""


@dataclass
class ProcedureView:
    """What a page shows of a subject's procedure (`procedure_view`)."""

    case: Case | None
    steps: list[StepView] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    signoffs: list[SignOff] = field(default_factory=list)
    levels: list[dict[str, Any]] = field(default_factory=list)
    next_action: str = ""
    # The actions the viewer may take now: "start", "resubmit", "visit", "review", "notice",
    # "submit", "signoff" (each still checked again by its service).
    actions: list[str] = field(default_factory=list)
    round: int = 1


def _md(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _people(*users: Any) -> str:
    return "、".join(
        str(getattr(u, "display_name", "") or u.get_username()) for u in users if u is not None
    )


def procedure_view(procedure: Procedure, subject: Any, user: Any) -> ProcedureView:
    """The steps of the subject's procedure for `user`: done (dated, with the people), the
    current one (due, overdue), those to come, the sign-offs of every round, the one next
    action in words and the actions the user may take now. A bounded number of queries."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    today = timezone.localdate()
    case = case_of(procedure, subject)
    view = ProcedureView(case=case)
    unit = procedure.unit_of(subject)
    if case is None:
        if policy.has_perm(user, procedure.perms.make) and policy.unit_in_scope(
            user, procedure.perms.make, unit
        ):
            view.actions.append("start")
        return view
    view.round = case.round
    view.visits = list(case.visits.select_related("recorded_by").order_by("round", "created_at"))
    view.reviews = list(case.reviews.select_related("recorded_by").order_by("round", "held_on"))
    view.signoffs = signoffs(case)
    this_round = [s for s in view.signoffs if s.round == case.round]
    visit = next((v for v in reversed(view.visits) if v.round == case.round and v.visited_on), None)
    pending = next(
        (v for v in reversed(view.visits) if v.round == case.round and not v.visited_on), None
    )
    review = next((r for r in reversed(view.reviews) if r.round == case.round), None)
    order: list[str] = [Step.VISIT, Step.REVIEW, Step.NOTICE, Step.SUBMIT, Step.APPROVAL]
    position = order.index(case.step) if case.step in order else len(order)
    for key in procedure.steps_of(subject):
        index = order.index(key)
        state = "done" if index < position else "current" if index == position else "waiting"
        if key == Step.APPROVAL and case.step == Step.SUBMIT:
            state = "waiting"
        step = StepView(key=key, label=str(Step(key).label), state=state)
        if key == Step.VISIT:
            if visit is not None:
                step.done_on, step.people = visit.visited_on, "、".join(visit.visitors)
            elif pending is not None:
                step.due_on, step.rule = pending.due_on, pending.due_rule
                step.provisional = pending.due_provisional
        elif key == Step.REVIEW and review is not None:
            step.done_on, step.people = review.held_on, _people(review.recorded_by)
            step.detail = str(_("通过") if review.passed else _("未通过"))
        elif key == Step.NOTICE and case.notice_ends_on is not None:
            step.due_on = case.notice_ends_on
            step.detail = str(_("公示期至 %(date)s") % {"date": case.notice_ends_on})
        elif key == Step.APPROVAL and this_round:
            step.people = _people(*(s.signed_by for s in this_round))
            step.done_on = this_round[-1].created_at.date() if state == "done" else None
        if state == "current" and step.due_on is not None and key != Step.NOTICE:
            step.overdue = step.due_on < today
        view.steps.append(step)
    if case.step == Step.APPROVAL:
        levels = levels_of(procedure, subject, case)
        for index, level in enumerate(levels):
            signed = [
                s for s in this_round if s.level == index and s.outcome == SignOff.Outcome.APPROVED
            ]
            view.levels.append(
                {
                    "unit": level_unit(level, case.unit).name,
                    "count": level.count,
                    "signed": len(signed),
                    "current": index == case.approval_level,
                }
            )
    view.actions = _actions(procedure, subject, case, user)
    view.next_action = next_action(procedure, case, pending, user)
    return view


def _may(user: Any, perm: str, unit: OrgUnit) -> bool:
    return policy.has_perm(user, perm) and policy.unit_in_scope(user, perm, unit)


def _actions(procedure: Procedure, subject: Any, case: Case, user: Any) -> list[str]:
    perms = procedure.perms
    step = case.step
    if step == Step.VISIT and _may(user, perms.visit, case.unit):
        return ["visit"]
    if step == Step.REVIEW and _may(user, perms.review, case.unit):
        return ["review"]
    if step == Step.NOTICE:
        actions = []
        if _may(user, perms.notice, case.unit):
            actions.append("notice")
        if case.notice_ends_on is not None and _may(user, perms.submit, case.unit):
            actions.append("submit")
        return actions
    if step == Step.SUBMIT and _may(user, perms.submit, case.unit):
        return ["submit"]
    if step == Step.RETURNED and _may(user, perms.make, case.unit):
        return ["resubmit"]
    if (
        step == Step.APPROVAL
        and case.approval_unit is not None
        and _may_sign(user, procedure, case)
    ):
        return ["signoff"]
    return []


def _may_sign(user: Any, procedure: Procedure, case: Case) -> bool:
    """Whether the case waits for the user's sign-off (a level in scope, not its maker, not yet
    signed this round): the one test for the panel's actions and the next-action words."""
    return (
        user is not None
        and policy.has_perm(user, procedure.perms.approve)
        and approvals_waiting(user=user, procedure=procedure).filter(pk=case.pk).exists()
    )


def next_action(procedure: Procedure, case: Case, pending: Visit | None, user: Any) -> str:
    """The one next action in words, naming who must act, e.g.
    "等待中心工作人员入户调查,截止 12月11日"."""
    from django.utils.translation import gettext as _

    step = case.step
    perms = procedure.perms
    # The viewer who is the one to act is asked to, not told to wait for someone else.
    if step == Step.VISIT:
        due = pending.due_on if pending else case.visit_due_on
        if user is not None and _may(user, perms.visit, case.unit):
            text = _("请您入户调查")
        else:
            text = _("等待%(unit)s工作人员入户调查") % {"unit": case.unit.name}
        return text + (_(",截止 %(date)s") % {"date": _md(due)} if due else "")
    if step == Step.REVIEW:
        if user is not None and _may(user, perms.review, case.unit):
            return _("请您组织民主评议")
        return _("等待%(unit)s组织民主评议") % {"unit": case.unit.name}
    if step == Step.NOTICE:
        if case.notice_ends_on is None:
            if user is not None and _may(user, perms.notice, case.unit):
                return _("请您发布公示")
            return _("等待%(unit)s发布公示") % {"unit": case.unit.name}
        return _("公示中,至 %(date)s;期满无异议后由%(unit)s提交审批") % {
            "date": _md(case.notice_ends_on),
            "unit": case.unit.name,
        }
    if step == Step.SUBMIT:
        if user is not None and _may(user, perms.submit, case.unit):
            return _("请您提交审批")
        return _("等待%(unit)s提交审批") % {"unit": case.unit.name}
    if step == Step.APPROVAL and case.approval_unit is not None:
        if _may_sign(user, procedure, case):
            # The viewer is the one who must act: say so, not "waiting for the leader".
            return _("请您审批(%(unit)s)") % {"unit": case.approval_unit.name}
        return _("等待%(unit)s领导审批") % {"unit": case.approval_unit.name}
    if step == Step.RETURNED:
        if user is not None and _may(user, perms.make, case.unit):
            return _("已退回,请您修改后重新提交")
        return _("已退回,等待经办人修改后重新提交")
    if step == Step.APPROVED:
        return _("已批准")
    return _("不予批准")
