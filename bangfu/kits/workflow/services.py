"""The procedure's transitions, for any declared procedure (see `declaration`).

    start ──▶ VISIT ──visit_record──▶ REVIEW ──review_record──▶ NOTICE ──notice_start──▶ (公示中)
    (公示中, ended with objections settled) or SUBMIT ──submit──▶ APPROVAL
    APPROVAL ──signoff_record──▶ APPROVAL (next sign-off or level) | APPROVED | RETURNED | REFUSED
    RETURNED ──resubmit──▶ the first step, in a new round

Steps the subject does not use are skipped; when the next step would be the approval, the case
waits at SUBMIT for whoever acts to send it. A review that did not pass goes straight to
SUBMIT: the approvers can then only return or refuse (likewise after an upheld objection).

Every transition: checks the actor's permission and scope, locks the subject row and the case
(`select_for_update`), checks the case's step (Conflict naming it in Chinese: a second click is
refused, never a second record), runs the declaration's `before` check, writes, runs its
`on_transition` effects and writes one audit event — all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import audit_record
from bangfu.core.audit_actions import AuditAction
from bangfu.core.errors import Conflict, DomainError, PermissionDenied, ValidationError
from bangfu.core.text import clean_text
from bangfu.core.workdays import WorkCalendar, deadline
from bangfu.network.models import OrgUnit

from . import selectors
from .declaration import Procedure, Transition
from .models import Case, Review, SignOff, Step, Visit

Outcome = SignOff.Outcome


def _today() -> date:
    return timezone.localdate()


def _name(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_username())


def _msg(procedure: Procedure, key: str, default: str) -> str:
    """The declaration's wording of a refusal, else the kit's."""
    return str(procedure.messages.get(key) or default)


def _require(actor: Any, procedure: Procedure, perm: str, unit: OrgUnit) -> None:
    policy.require_perm(actor, perm)
    policy.require_in_scope(
        actor,
        perm,
        unit,
        message=_msg(procedure, "no_permission", _("您无权对该事项执行此操作。")),
    )


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)


def _date_check(
    errors: dict[str, str], key: str, value: Any, label: str, *, not_before: date | None = None
) -> None:
    if not isinstance(value, date):
        errors[key] = _("请填写%(label)s。") % {"label": label}
    elif value > _today():
        errors[key] = _("%(label)s不能晚于今天。") % {"label": label}
    elif not_before is not None and value < not_before:
        errors[key] = _("%(label)s不能早于 %(date)s。") % {
            "label": label,
            "date": not_before.isoformat(),
        }


def _lock_subject(procedure: Procedure, subject: models.Model) -> models.Model:
    return procedure.subject_model._default_manager.select_for_update(of=("self",)).get(
        pk=subject.pk
    )


def _lock_case(procedure: Procedure, subject: models.Model) -> Case | None:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(
            procedure=procedure.key,
            subject_type=ContentType.objects.get_for_model(procedure.subject_model),
            subject_id=subject.pk,
        )
        .first()
    )


def _conflict(procedure: Procedure, subject: Any, case: Case | None, verb: str) -> Conflict:
    if procedure.conflict_message is not None:
        return Conflict(procedure.conflict_message(subject, case, verb))
    if case is None:
        return Conflict(_("“%(title)s”尚未开始办理,不能执行此操作。") % {"title": subject})
    return Conflict(
        _("“%(title)s”当前环节为“%(step)s”,不能执行此操作。")
        % {"title": case.display, "step": case.get_step_display()}
    )


def _require_step(
    procedure: Procedure, subject: Any, case: Case | None, verb: str, *steps: str
) -> Case:
    if case is None or case.step not in steps:
        raise _conflict(procedure, subject, case, verb)
    return case


def _next_step(procedure: Procedure, subject: Any, after: str) -> str:
    steps = procedure.steps_of(subject)
    following = steps[steps.index(after) + 1] if after in steps else steps[0]
    return Step.SUBMIT if following == Step.APPROVAL else following


def _sync_status(procedure: Procedure, subject: models.Model, case: Case) -> dict[str, Any]:
    if procedure.status_of is None:
        return {}
    field = procedure.status_field
    before = getattr(subject, field)
    after = procedure.status_of(case)
    if before == after:
        return {}
    setattr(subject, field, after)
    fields = [field]
    if any(f.name == "updated_at" for f in subject._meta.get_fields()):
        fields.append("updated_at")
    subject.save(update_fields=fields)
    return {field: [before, after]}


def _finish(t: Transition, procedure: Procedure) -> None:
    """Move the subject's status, run the context's effects, write the audit event."""
    t.changes = {**_sync_status(procedure, t.subject, t.case), **t.changes}
    if t.before != t.after:
        t.changes.setdefault("step", [t.before or None, t.after])
    if procedure.on_transition is not None:
        procedure.on_transition(t)
    if not isinstance(procedure.audit_action(t.verb), AuditAction):
        raise TypeError(f"{procedure.key}: audit_action({t.verb!r}) is not an AuditAction.")
    audit_record(
        actor=t.actor,
        action=procedure.audit_action(t.verb),
        obj=t.subject,
        summary=t.summary,
        changes=t.changes,
    )


def _start_visit(procedure: Procedure, case: Case, start: date) -> Visit:
    days = procedure.visit_working_days()
    with translation.override(settings.LANGUAGE_CODE):  # the rule is stored as written
        rule = procedure.visit_rule(days)
    due = deadline(start, days, rule)
    case.visit_due_on = due.due
    return Visit.objects.create(
        case=case,
        round=case.round,
        due_on=due.due,
        due_rule=due.rule,
        due_from=start,
        due_provisional=due.provisional,
    )


def _enter_first_step(procedure: Procedure, subject: Any, case: Case, start: date) -> None:
    case.step = _next_step(procedure, subject, "")
    case.step_since = start
    case.visit_due_on = None
    case.notice_ends_on = None
    case.submitted_on = None
    case.approval_unit = None
    case.approval_level = 0
    case.decided_on = None
    if case.step == Step.VISIT:
        _start_visit(procedure, case, start)


# --- start and resubmit ------------------------------------------------------------------------


def _new_case(procedure: Procedure, subject: Any, actor: Any, start: date) -> Case:
    return Case(
        procedure=procedure.key,
        subject_type=ContentType.objects.get_for_model(procedure.subject_model),
        subject_id=subject.pk,
        unit=procedure.unit_of(subject),
        title=procedure.title_of(subject)[:200],
        reference=procedure.reference_of(subject)[:64],
        amount=procedure.amount_of(subject),
        maker=actor,
        step=Step.VISIT,
        step_since=start,
    )


def cases_open(
    *,
    actor: Any,
    procedure: Procedure,
    subjects: Sequence[models.Model],
    start_of: Callable[[Any], date],
) -> list[Case]:
    """Start the procedure for subjects just created by the caller, inside the caller's
    transaction and *without* an audit event: for a context's own create service (one
    archive or an import of many), whose create event records the application. Checks
    nothing (the caller checked the permission); a constant number of queries for any number
    of subjects (one calendar for the visit dues)."""
    if not subjects:
        return []
    cases = [_new_case(procedure, s, actor, start_of(s)) for s in subjects]
    steps = [_next_step(procedure, s, "") for s in subjects]
    for case, step in zip(cases, steps, strict=True):
        case.step = step
    Case.objects.bulk_create(cases)
    if Step.VISIT in steps:
        starts = [c.step_since for c in cases]
        days = procedure.visit_working_days()
        with translation.override(settings.LANGUAGE_CODE):  # the rule is stored as written
            rule = procedure.visit_rule(days)
        calendar = WorkCalendar(min(starts), max(starts) + timedelta(days=4 * days + 60))
        visits = []
        for case in cases:
            if case.step != Step.VISIT:
                continue
            due = deadline(case.step_since, days, rule, calendar=calendar)
            case.visit_due_on = due.due
            visits.append(
                Visit(
                    case=case,
                    round=case.round,
                    due_on=due.due,
                    due_rule=due.rule,
                    due_from=case.step_since,
                    due_provisional=due.provisional,
                )
            )
        Visit.objects.bulk_create(visits)
        Case.objects.bulk_update(cases, ["visit_due_on"])
    return cases


def case_start(
    *, actor: Any, procedure: Procedure, subject: models.Model, start: date | None = None
) -> Case:
    """Start the procedure for `subject` (the actor becomes its maker); the home visit, if the
    subject has one, is due counted from `start` (today by default)."""
    unit = procedure.unit_of(subject)
    _require(actor, procedure, procedure.perms.make, unit)
    start = start or _today()
    with transaction.atomic():
        subject = _lock_subject(procedure, subject)
        if _lock_case(procedure, subject) is not None:
            raise _conflict(procedure, subject, _lock_case(procedure, subject), "start")
        case = _new_case(procedure, subject, actor, start)
        t = Transition("start", actor, subject, case, "", "", _today())
        if procedure.before is not None:
            procedure.before(t)
        case.save(force_insert=True)
        _enter_first_step(procedure, subject, case, start)
        case.save()
        t.after = case.step
        t.summary = _("开始办理") + (
            _(",入户调查期限 %(due)s") % {"due": case.visit_due_on.isoformat()}
            if case.visit_due_on
            else ""
        )
        t.changes = {"visit_due_on": [None, case.visit_due_on]} if case.visit_due_on else {}
        _finish(t, procedure)
    return case


def case_resubmit(*, actor: Any, procedure: Procedure, subject: models.Model) -> Case:
    """Send a returned, corrected subject through the procedure again in a new round, from
    its first step (a home visit due counted from today). The earlier rounds' records stay."""
    _require(actor, procedure, procedure.perms.make, procedure.unit_of(subject))
    with transaction.atomic():
        subject = _lock_subject(procedure, subject)
        case = _require_step(
            procedure, subject, _lock_case(procedure, subject), "resubmit", Step.RETURNED
        )
        before = case.step
        case.round += 1
        _enter_first_step(procedure, subject, case, _today())
        case.save()
        t = Transition("resubmit", actor, subject, case, before, case.step, _today())
        t.summary = _("修改后重新提交(第 %(round)d 轮)") % {"round": case.round}
        t.changes = {"round": [case.round - 1, case.round]}
        if case.visit_due_on:
            t.changes["visit_due_on"] = [None, case.visit_due_on]
        _finish(t, procedure)
    return case


# --- home visit and review ---------------------------------------------------------------------


def _clean_visitors(visitors: Iterable[str] | None) -> list[str]:
    names: list[str] = []
    for raw in visitors or []:
        name = clean_text(raw)
        if name and name not in names:
            names.append(name)
    return names


def visit_record(
    *,
    actor: Any,
    procedure: Procedure,
    subject: models.Model,
    visited_on: date,
    visitors: list[str],
    findings: str,
    recommendation: str,
) -> Visit:
    """Record the home visit (入户调查) of this round: at least `min_visitors` distinct
    visitors, the findings and a recommendation ("agree" / "disagree"). VISIT → next step."""
    _require(actor, procedure, procedure.perms.visit, procedure.unit_of(subject))
    names = _clean_visitors(visitors)
    findings = (findings or "").strip()
    errors: dict[str, str] = {}
    current = selectors.case_of(procedure, subject)
    not_before = None
    if current is not None:
        not_before = (
            procedure.earliest_visit(subject, current)
            if procedure.earliest_visit
            else current.step_since
        )
    _date_check(errors, "visited_on", visited_on, _("调查日期"), not_before=not_before)
    if len(names) < procedure.min_visitors:
        errors["visitors"] = _("入户调查人员至少两人,请填写两个不同的姓名。")
    if not findings:
        errors["findings"] = _("请填写调查情况。")
    if recommendation not in Visit.Recommendation.values:
        errors["recommendation"] = _("请选择调查意见。")
    _raise(errors)
    with transaction.atomic():
        subject = _lock_subject(procedure, subject)
        case = _require_step(
            procedure, subject, _lock_case(procedure, subject), "visit", Step.VISIT
        )
        t = Transition("visit", actor, subject, case, case.step, "", _today())
        if procedure.before is not None:
            procedure.before(t)
        visit = (
            Visit.objects.filter(case=case, round=case.round, visited_on__isnull=True)
            .order_by("-created_at")
            .first()
        ) or _start_visit(procedure, case, case.step_since)
        visit.visited_on = visited_on
        visit.visitors = names
        visit.findings = findings
        visit.recommendation = recommendation
        visit.recorded_by = actor
        visit.save()
        case.step = _next_step(procedure, subject, Step.VISIT)
        case.step_since = _today()
        case.save()
        t.after, t.record = case.step, visit
        t.summary = _("记录入户调查(%(date)s,%(people)s)%(late)s") % {
            "date": visited_on.isoformat(),
            "people": "、".join(names),
            "late": _(",逾期") if visited_on > visit.due_on else "",
        }
        t.changes = {
            "visited_on": [None, visited_on],
            "visitors": [None, names],
            "recommendation": [None, recommendation],
        }
        _finish(t, procedure)
    return visit


def review_record(
    *,
    actor: Any,
    procedure: Procedure,
    subject: models.Model,
    held_on: date,
    participants: str,
    votes_for: int,
    votes_against: int,
    passed: bool,
    record: str,
) -> Review:
    """Record the collective review (民主评议). REVIEW → next step; a review that did not pass
    goes straight to SUBMIT (the approvers can then only return or refuse)."""
    _require(actor, procedure, procedure.perms.review, procedure.unit_of(subject))
    errors: dict[str, str] = {}
    current = selectors.case_of(procedure, subject)
    visit = selectors.latest_visit(current) if current is not None else None
    not_before = visit.visited_on if visit is not None else None
    if not_before is None and current is not None:
        not_before = current.step_since
    _date_check(errors, "held_on", held_on, _("评议日期"), not_before=not_before)
    participants = (participants or "").strip()
    record = (record or "").strip()
    if not participants:
        errors["participants"] = _("请填写参加人员。")
    if not record:
        errors["record"] = _("请填写评议记录。")
    for key, value, label in (
        ("votes_for", votes_for, _("同意票数")),
        ("votes_against", votes_against, _("反对票数")),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[key] = _("%(label)s应为不小于 0 的整数。") % {"label": label}
    if not isinstance(passed, bool):
        errors["passed"] = _("请选择评议是否通过。")
    _raise(errors)
    with transaction.atomic():
        subject = _lock_subject(procedure, subject)
        case = _require_step(
            procedure, subject, _lock_case(procedure, subject), "review", Step.REVIEW
        )
        t = Transition("review", actor, subject, case, case.step, "", _today())
        if procedure.before is not None:
            procedure.before(t)
        review = Review.objects.create(
            case=case,
            round=case.round,
            held_on=held_on,
            participants=participants,
            votes_for=votes_for,
            votes_against=votes_against,
            passed=passed,
            record=record,
            recorded_by=actor,
        )
        case.step = _next_step(procedure, subject, Step.REVIEW) if passed else Step.SUBMIT
        case.step_since = _today()
        case.save()
        t.after, t.record = case.step, review
        t.summary = _("记录民主评议(%(date)s,同意 %(yes)d 票,反对 %(no)d 票,%(result)s)") % {
            "date": held_on.isoformat(),
            "yes": votes_for,
            "no": votes_against,
            "result": _("通过") if passed else _("未通过"),
        }
        t.changes = {"held_on": [None, held_on], "passed": [None, passed]}
        _finish(t, procedure)
    return review


# --- public notice -----------------------------------------------------------------------------


def notice_start(
    *, actor: Any, procedure: Procedure, subject: models.Model, starts_on: date | None = None
) -> Case:
    """Publish the subject's public notice (公示) through `bangfu.notices`, with the display
    items the declaration gives. Allowed at NOTICE while no notice is running (a withdrawn
    notice can be started again)."""
    from bangfu.notices.selectors import subject_notice_state
    from bangfu.notices.services import notice_create, notice_publish

    _require(actor, procedure, procedure.perms.notice, procedure.unit_of(subject))
    with transaction.atomic():
        subject = _lock_subject(procedure, subject)
        case = _require_step(
            procedure, subject, _lock_case(procedure, subject), "notice", Step.NOTICE
        )
        state = subject_notice_state(subject, kind=procedure.notice_kind)
        if case.notice_ends_on is not None and state.status != "none":
            raise _conflict(procedure, subject, case, "notice")
        t = Transition("notice", actor, subject, case, case.step, case.step, _today())
        if procedure.before is not None:
            procedure.before(t)
        notice = notice_create(
            actor=actor,
            unit=selectors.centre_of(case.unit),
            kind=procedure.notice_kind,
            title=procedure.notice_title(subject),
            body=procedure.notice_body(subject),
            items=procedure.notice_items(subject),
        )
        notice = notice_publish(actor=actor, notice=notice, starts_on=starts_on)
        case.notice_ends_on = notice.ends_on
        case.save()
        t.record = notice
        t.summary = _("开始公示(%(first)s 至 %(last)s)") % {
            "first": notice.starts_on,
            "last": notice.ends_on,
        }
        t.changes = {"notice_id": [None, notice.pk], "notice_ends_on": [None, notice.ends_on]}
        _finish(t, procedure)
    return case


def _notice_waiting_message(status: str, ends_on: date | None) -> str:
    messages = {
        "none": _("尚无有效的公示,请先公示。"),
        "draft": _("公示尚未发布。"),
        "publishing": _("公示期未满(至 %(date)s),期满后才能提交审批。"),
        "objection_open": _("公示有未处理的异议,处理后才能提交审批。"),
    }
    message = messages.get(status, _("公示尚未结束。"))
    if "%(date)s" in message:
        message = message % {"date": ends_on.isoformat() if ends_on else ""}
    return message


# --- submission and approval -------------------------------------------------------------------


def submit(*, actor: Any, procedure: Procedure, subject: models.Model, note: str = "") -> Case:
    """Send the case to its approvers: from SUBMIT, or from NOTICE once the notice has ended
    with every objection settled (or an objection was upheld: the approvers can then only
    return or refuse). The first level's unit is where the sign-off is awaited."""
    from bangfu.notices.selectors import subject_notice_state

    _require(actor, procedure, procedure.perms.submit, procedure.unit_of(subject))
    with transaction.atomic():
        subject = _lock_subject(procedure, subject)
        case = _require_step(
            procedure, subject, _lock_case(procedure, subject), "submit", Step.SUBMIT, Step.NOTICE
        )
        t = Transition("submit", actor, subject, case, case.step, Step.APPROVAL, _today())
        if procedure.before is not None:
            procedure.before(t)
        if case.step == Step.NOTICE and case.notice_ends_on is None:
            # Not published in this round (an earlier round's notice does not count).
            raise Conflict(_notice_waiting_message("none", None))
        if case.step == Step.NOTICE:
            state = subject_notice_state(subject, kind=procedure.notice_kind)
            if state.status == "upheld":
                state_text = _("公示期间异议成立")
            elif state.status == "cleared":
                state_text = _("公示期满无异议")
            else:
                raise Conflict(_notice_waiting_message(state.status, state.ends_on))
        else:
            review = selectors.latest_review(case)
            state_text = _("民主评议未通过") if review and not review.passed else _("待审批")
        case.amount = procedure.amount_of(subject)
        levels = selectors.levels_of(procedure, subject, case)
        case.step = Step.APPROVAL
        case.step_since = case.submitted_on = _today()
        case.approval_level = 0
        case.approval_unit = selectors.level_unit(levels[0], case.unit)
        case.save()
        t.summary = _("提交%(unit)s审批(%(state)s)") % {
            "unit": case.approval_unit.name,
            "state": clean_text(note) or state_text,
        }
        t.changes = {"approval_unit": [None, case.approval_unit.name]}
        _finish(t, procedure)
    return case


def makers(procedure: Procedure, subject: Any, case: Case) -> set[int]:
    """The ids of who made the record: its maker, whoever recorded its visits and reviews (in
    any round) and whom the declaration adds. None of them may sign it off."""
    ids = {case.maker_id} | set(procedure.extra_makers(subject))
    ids |= set(case.visits.exclude(recorded_by=None).values_list("recorded_by_id", flat=True))
    ids |= set(case.reviews.values_list("recorded_by_id", flat=True))
    return {i for i in ids if i is not None}


def require_can_sign(actor: Any, procedure: Procedure, subject: Any, case: Case) -> OrgUnit:
    """Return the unit of the level awaiting a sign-off; raise PermissionDenied unless the
    actor may sign there now (in scope, not a maker, not signed in this round yet)."""
    policy.require_perm(actor, procedure.perms.approve)
    unit = case.approval_unit
    if unit is None or not policy.unit_in_scope(actor, procedure.perms.approve, unit):
        raise PermissionDenied(
            _msg(procedure, "not_in_level", _("该事项由%(unit)s审批,您不在该级审批范围内。"))
            % {"unit": unit.name if unit else "—"}
        )
    if actor.pk in makers(procedure, subject, case):
        raise PermissionDenied(
            _msg(
                procedure,
                "maker",
                _(
                    "您参与了该事项的经办、入户调查或民主评议记录,不能审批(经办与审核须由不同的人)。"
                ),
            )
        )
    if case.signoffs.filter(round=case.round, signed_by=actor).exists():
        raise PermissionDenied(
            _msg(procedure, "signed_twice", _("您已签署过本轮审批,同一人不能签署两次。"))
        )
    return unit


def approval_blocker(procedure: Procedure, subject: Any, case: Case) -> str:
    """Why the case cannot be approved (it can still be returned or refused), or ""."""
    steps = procedure.steps_of(subject)
    if Step.REVIEW in steps:
        review = selectors.latest_review(case)
        if review is None or not review.passed:
            return _msg(procedure, "review_failed", _("民主评议未通过,不能批准;请退回或不予批准。"))
    if Step.NOTICE in steps:
        from bangfu.notices.selectors import subject_notice_state

        state = subject_notice_state(subject, kind=procedure.notice_kind)
        if state.status != "cleared":
            return _msg(
                procedure,
                "notice_not_cleared",
                _("公示未正常结束(%(state)s),不能批准;请退回或不予批准。"),
            ) % {"state": state.label}
    return ""


def check_signoff(procedure: Procedure, outcome: str, opinion: str) -> tuple[str, str]:
    """Return (outcome, opinion) cleaned; raise ValidationError for an unknown outcome, or a
    return / refusal without a reason."""
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("请选择审批结果。")
    opinion = (opinion or "").strip()
    if outcome in (Outcome.RETURNED, Outcome.REFUSED) and not opinion:
        errors["opinion"] = _msg(procedure, "reason_required", _("退回或不予批准时请填写理由。"))
    _raise(errors)
    return outcome, opinion


def signoff_record(
    *,
    actor: Any,
    procedure: Procedure,
    subject: models.Model,
    outcome: str,
    opinion: str = "",
) -> SignOff:
    """Sign off the case at the level awaiting it: "approved" counts towards the level's
    sign-offs (the decision is complete when the rule's last level has them all); "returned"
    (for correction) or "refused" ends the round at once, a reason required."""
    outcome, opinion = check_signoff(procedure, outcome, opinion)
    with transaction.atomic():
        subject = _lock_subject(procedure, subject)
        case = _lock_case(procedure, subject)
        if case is not None and case.step == Step.APPROVAL:
            require_can_sign(actor, procedure, subject, case)
        else:
            policy.require_perm(actor, procedure.perms.approve)
        case = _require_step(procedure, subject, case, "signoff", Step.APPROVAL)
        return _sign(actor, procedure, subject, case, outcome, opinion)


def _sign(
    actor: Any, procedure: Procedure, subject: Any, case: Case, outcome: str, opinion: str
) -> SignOff:
    if outcome == Outcome.APPROVED:
        blocker = approval_blocker(procedure, subject, case)
        if blocker:
            raise Conflict(blocker)
    today = _today()
    t = Transition("signoff", actor, subject, case, case.step, case.step, today, outcome=outcome)
    if procedure.before is not None:
        procedure.before(t)
    assert case.approval_unit is not None
    unit = case.approval_unit
    signoff = SignOff.objects.create(
        case=case,
        round=case.round,
        level=case.approval_level,
        level_unit=unit,
        outcome=outcome,
        opinion=opinion,
        signed_by=actor,
    )
    levels = selectors.levels_of(procedure, subject, case)
    progress = ""
    if outcome == Outcome.APPROVED:
        level = levels[case.approval_level]
        signed = case.signoffs.filter(
            round=case.round, level=case.approval_level, outcome=Outcome.APPROVED
        ).count()
        if signed < level.count:
            progress = _("(本级已签 %(n)d/%(of)d)") % {"n": signed, "of": level.count}
        elif case.approval_level + 1 < len(levels):
            case.approval_level += 1
            case.approval_unit = selectors.level_unit(levels[case.approval_level], case.unit)
            case.step_since = today
            progress = _(",转%(unit)s审批") % {"unit": case.approval_unit.name}
        else:
            case.step = Step.APPROVED
    else:
        case.step = Step.RETURNED if outcome == Outcome.RETURNED else Step.REFUSED
    if case.step != Step.APPROVAL:
        case.decided_on = today
        case.step_since = today
        t.complete = True
    case.save()
    t.after, t.record = case.step, signoff
    t.summary = _("%(unit)s审批:%(outcome)s%(reason)s%(progress)s") % {
        "unit": unit.name,
        "outcome": Outcome(outcome).label,
        "reason": f"({opinion})" if opinion else "",
        "progress": progress,
    }
    t.changes = {"outcome": [None, outcome], "level_unit": [None, unit.name]}
    _finish(t, procedure)
    return signoff


@dataclass
class BatchResult:
    """One subject's answer in a batch: its sign-off, or the reason it was refused."""

    subject: Any
    signoff: SignOff | None = None
    error: str = ""


def signoff_many(
    *,
    actor: Any,
    procedure: Procedure,
    subjects: Iterable[models.Model],
    outcome: str,
    opinion: str = "",
) -> list[BatchResult]:
    """Sign off many subjects at once: one sign-off per subject, each in its own transaction
    with its own audit event; one that is refused (wrong step, not allowed, cannot be
    approved) is reported and changes nothing, the others go ahead."""
    outcome, opinion = check_signoff(procedure, outcome, opinion)
    results: list[BatchResult] = []
    for subject in subjects:
        try:
            signoff = signoff_record(
                actor=actor, procedure=procedure, subject=subject, outcome=outcome, opinion=opinion
            )
        except DomainError as error:
            results.append(BatchResult(subject, error=str(error)))
        else:
            results.append(BatchResult(subject, signoff=signoff))
    return results


def notice_start_many(
    *,
    actor: Any,
    procedure: Procedure,
    subjects: Iterable[models.Model],
    title: str,
    body: str = "",
    starts_on: date | None = None,
) -> tuple[Any, list[BatchResult]]:
    """Publish one public notice (公示) listing many subjects (a batch): each subject that is
    at NOTICE with no notice running goes onto it with the declaration's display items and gets
    its own transition and audit event; one that cannot (wrong step, not allowed, a notice
    already running) is reported with its reason and left as it was. Returns the notice (None
    when no subject could go on it) and one result per subject. An objection later concerns
    its item only, so it blocks that subject alone."""
    from bangfu.notices.selectors import subject_notice_state
    from bangfu.notices.services import notice_create, notice_publish

    results: list[BatchResult] = []
    ready: list[tuple[models.Model, Case, Transition]] = []
    with transaction.atomic():
        for subject in subjects:
            try:
                with transaction.atomic():
                    _require(actor, procedure, procedure.perms.notice, procedure.unit_of(subject))
                    locked = _lock_subject(procedure, subject)
                    case = _require_step(
                        procedure, locked, _lock_case(procedure, locked), "notice", Step.NOTICE
                    )
                    state = subject_notice_state(locked, kind=procedure.notice_kind)
                    if case.notice_ends_on is not None and state.status != "none":
                        raise _conflict(procedure, locked, case, "notice")
                    t = Transition("notice", actor, locked, case, case.step, case.step, _today())
                    if procedure.before is not None:
                        procedure.before(t)
            except DomainError as error:
                results.append(BatchResult(subject, error=str(error)))
            else:
                ready.append((locked, case, t))
        if not ready:
            return None, results
        centres = {selectors.centre_of(case.unit).pk: case.unit for _s, case, _t in ready}
        if len(centres) > 1:
            raise ValidationError(_("一份公示只能列入同一帮扶中心的事项。"), field="subjects")
        items: list[Any] = []
        for subject, _case, _t in ready:
            items.extend(procedure.notice_items(subject))
        notice = notice_create(
            actor=actor,
            unit=selectors.centre_of(ready[0][1].unit),
            kind=procedure.notice_kind,
            title=title,
            body=body,
            items=items,
        )
        notice = notice_publish(actor=actor, notice=notice, starts_on=starts_on)
        for subject, case, t in ready:
            case.notice_ends_on = notice.ends_on
            case.save()
            t.record = notice
            t.summary = _("开始公示(%(first)s 至 %(last)s)") % {
                "first": notice.starts_on,
                "last": notice.ends_on,
            }
            t.changes = {"notice_id": [None, notice.pk], "notice_ends_on": [None, notice.ends_on]}
            _finish(t, procedure)
            results.append(BatchResult(subject))
    return notice, results
