"""The filing procedure of an archive, as a state machine.

    DRAFT ──apply──▶ APPLIED ──investigation_record──▶ INVESTIGATED ──review_record──▶ REVIEWED
    REVIEWED ──notice_start──▶ PUBLICIZING ──submit_for_approval──▶ PENDING_APPROVAL
    PENDING_APPROVAL ──decide──▶ ACTIVE (approved) | RETURNED (returned) | REFUSED (refused)
    RETURNED ──(the filer corrects with filing.household_update)── resubmit ──▶ APPLIED

A returned archive goes back to APPLIED with a new home visit due: what was verified, reviewed
and published may have changed with the correction, so it is checked again from the start.
A review that did not pass cannot be published; it goes straight to the approver, who can
only return or refuse it. An upheld objection to the notice likewise lets the archive go to
the approver, who can then only return or refuse.

Every transition checks the current status and the actor's permission and scope; a refusal is
Conflict / PermissionDenied / ValidationError with a Chinese message and changes nothing. Each
transition is one transaction with one audit event. Approval happens at the level named by
`BANGFU_ARCHIVE_APPROVAL_LEVEL`: "centre" (the archive's own centre) or "parent" (the centre
above it); the approver must hold archives.approve there and must not have made the record
(neither its filer nor whoever recorded its home visit or review).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import audit_record
from bangfu.core.dates import add_months
from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.text import clean_text
from bangfu.network.models import OrgUnit
from bangfu.network.selectors import centres_above

from ..audit_actions import ArchivesAction
from ..conf import review_interval_months
from ..models import Decision, DemocraticReview, Household, Investigation
from ..permissions import ArchivesPermission
from .filing import new_investigation, release_ids

S = Household.Status
MIN_VISITORS = 2
RECOMMENDATIONS = ("agree", "disagree")
NOTICE_KIND = "archive"


def _today() -> date:
    return timezone.localdate()


def _require(actor: Any, perm: str, household: Household) -> None:
    """Raise PermissionDenied unless the actor holds `perm` over the archive's unit."""
    policy.require_perm(actor, perm)
    if not policy.unit_in_scope(actor, perm, household.unit):
        raise PermissionDenied(_("您无权对该档案执行此操作。"))


def _lock(household: Household) -> Household:
    return (
        Household.objects.select_for_update(of=("self",))
        .select_related("unit", "centre", "area")
        .get(pk=household.pk)
    )


def _require_status(household: Household, *allowed: str) -> None:
    if household.status not in allowed:
        raise Conflict(
            _("档案 %(no)s 当前状态为“%(status)s”,不能执行此操作。")
            % {"no": household.archive_no, "status": household.get_status_display()}
        )


def _audit(actor: Any, household: Household, action: str, summary: str, changes: dict) -> None:
    audit_record(
        actor=actor,
        action=ArchivesAction(f"archives.procedure.{action}"),
        obj=household,
        summary=summary,
        changes=changes,
    )


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


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)


def open_investigation(household: Household) -> Investigation | None:
    """Return the home visit waiting to be recorded, if any."""
    return household.investigations.filter(visited_on__isnull=True).order_by("-created_at").first()


def _start_investigation(household: Household, start: date) -> Investigation:
    visit = new_investigation(household, start)
    visit.save(force_insert=True)
    return visit


# --- application ------------------------------------------------------------------------------


def household_apply(*, actor: Any, household: Household) -> Household:
    """Submit a draft as an application: the home visit becomes due from the application date."""
    _require(actor, ArchivesPermission.FILE, household)
    with transaction.atomic():
        household = _lock(household)
        _require_status(household, S.DRAFT)
        household.status = S.APPLIED
        household.save(update_fields=["status", "updated_at"])
        visit = _start_investigation(household, household.applied_on)
        _audit(
            actor,
            household,
            "apply",
            _("提交建档申请,入户调查期限 %(due)s") % {"due": visit.due_on.isoformat()},
            {"status": [S.DRAFT, S.APPLIED], "investigation_due_on": [None, visit.due_on]},
        )
    return household


def household_resubmit(*, actor: Any, household: Household) -> Household:
    """Send a returned, corrected archive through the procedure again, from the home visit
    (due counted from today)."""
    _require(actor, ArchivesPermission.FILE, household)
    with transaction.atomic():
        household = _lock(household)
        _require_status(household, S.RETURNED)
        household.status = S.APPLIED
        household.save(update_fields=["status", "updated_at"])
        visit = _start_investigation(household, _today())
        _audit(
            actor,
            household,
            "resubmit",
            _("修改后重新提交,入户调查期限 %(due)s") % {"due": visit.due_on.isoformat()},
            {"status": [S.RETURNED, S.APPLIED], "investigation_due_on": [None, visit.due_on]},
        )
    return household


# --- consent ----------------------------------------------------------------------------------

CONSENT_FIELDS = {
    "sensitive": "consent_sensitive_on",
    "publication": "consent_publication_on",
}


def consent_record(*, actor: Any, household: Household, kind: str, given_on: date) -> Household:
    """Record the worker's written consent: `kind` "sensitive" (processing ID, health and bank
    data) or "publication" (being named in the public notice). The signed form is uploaded as
    an attachment of type 知情同意书."""
    _require(actor, ArchivesPermission.FILE, household)
    errors: dict[str, str] = {}
    if kind not in CONSENT_FIELDS:
        errors["kind"] = _("请选择同意事项(敏感信息处理或公示)。")
    _date_check(errors, "given_on", given_on, _("同意日期"))
    _raise(errors)
    field = CONSENT_FIELDS[kind]
    with transaction.atomic():
        household = _lock(household)
        if household.status in (S.CLOSED, S.REFUSED):
            _require_status(household, *Household.OPEN_STATUSES)
        before = getattr(household, field)
        if before == given_on:
            return household  # already recorded (a second click): nothing to change
        setattr(household, field, given_on)
        household.save(update_fields=[field, "updated_at"])
        label = _("同意公示") if kind == "publication" else _("同意处理敏感信息")
        _audit(
            actor,
            household,
            "consent",
            _("记录%(label)s:%(date)s") % {"label": label, "date": given_on.isoformat()},
            {field: [before, given_on]},
        )
    return household


# --- investigation and review -----------------------------------------------------------------


def investigation_record(
    *,
    actor: Any,
    household: Household,
    visited_on: date,
    visitors: list[str],
    findings: str,
    recommendation: str,
) -> Investigation:
    """Record the home visit (入户调查): at least two visitors, the findings and a
    recommendation ("agree" / "disagree"). APPLIED → INVESTIGATED."""
    _require(actor, ArchivesPermission.INVESTIGATE, household)
    names: list[str] = []
    for raw in visitors or []:
        name = clean_text(raw)
        if name and name not in names:
            names.append(name)
    errors: dict[str, str] = {}
    _date_check(errors, "visited_on", visited_on, _("调查日期"), not_before=household.applied_on)
    if len(names) < MIN_VISITORS:
        errors["visitors"] = _("入户调查人员至少两人,请填写两个不同的姓名。")
    findings = (findings or "").strip()
    if not findings:
        errors["findings"] = _("请填写调查情况。")
    if recommendation not in RECOMMENDATIONS:
        errors["recommendation"] = _("请选择调查意见。")
    _raise(errors)
    with transaction.atomic():
        household = _lock(household)
        _require_status(household, S.APPLIED)
        visit = open_investigation(household)
        if visit is None:  # an application made before the investigation row existed
            visit = _start_investigation(household, household.applied_on)
        visit.visited_on = visited_on
        visit.visitors = names
        visit.findings = findings
        visit.recommendation = recommendation
        visit.recorded_by = actor
        visit.save()
        household.status = S.INVESTIGATED
        household.save(update_fields=["status", "updated_at"])
        overdue = visited_on > visit.due_on
        _audit(
            actor,
            household,
            "investigation",
            _("记录入户调查(%(date)s,%(people)s)%(late)s")
            % {
                "date": visited_on.isoformat(),
                "people": "、".join(names),
                "late": _(",逾期") if overdue else "",
            },
            {
                "status": [S.APPLIED, S.INVESTIGATED],
                "visited_on": [None, visited_on],
                "visitors": [None, names],
                "recommendation": [None, recommendation],
            },
        )
    return visit


def review_record(
    *,
    actor: Any,
    household: Household,
    held_on: date,
    participants: str,
    votes_for: int,
    votes_against: int,
    passed: bool,
    record: str,
) -> DemocraticReview:
    """Record the collective review (民主评议). INVESTIGATED → REVIEWED."""
    _require(actor, ArchivesPermission.INVESTIGATE, household)
    errors: dict[str, str] = {}
    visit = (
        household.investigations.exclude(visited_on__isnull=True).order_by("-visited_on").first()
    )
    _date_check(
        errors,
        "held_on",
        held_on,
        _("评议日期"),
        not_before=visit.visited_on if visit else household.applied_on,
    )
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
        if not isinstance(value, int) or value < 0:
            errors[key] = _("%(label)s应为不小于 0 的整数。") % {"label": label}
    if not isinstance(passed, bool):
        errors["passed"] = _("请选择评议是否通过。")
    _raise(errors)
    with transaction.atomic():
        household = _lock(household)
        _require_status(household, S.INVESTIGATED)
        review = DemocraticReview.objects.create(
            household=household,
            held_on=held_on,
            participants=participants,
            votes_for=votes_for,
            votes_against=votes_against,
            passed=passed,
            record=record,
            recorded_by=actor,
        )
        household.status = S.REVIEWED
        household.save(update_fields=["status", "updated_at"])
        _audit(
            actor,
            household,
            "review",
            _("记录民主评议(%(date)s,同意 %(yes)d 票,反对 %(no)d 票,%(result)s)")
            % {
                "date": held_on.isoformat(),
                "yes": votes_for,
                "no": votes_against,
                "result": _("通过") if passed else _("未通过"),
            },
            {
                "status": [S.INVESTIGATED, S.REVIEWED],
                "held_on": [None, held_on],
                "passed": [None, passed],
            },
        )
    return review


def latest_review(household: Household) -> DemocraticReview | None:
    return household.reviews.order_by("-held_on", "-created_at").first()


# --- public notice ----------------------------------------------------------------------------


def notice_items_for(household: Household) -> list[Any]:
    """Return what the notice shows of the archive: name, unit, category and the kind only —
    never the ID number, bank account, diagnosis or children."""
    from bangfu.notices.services import NoticeItemInput

    return [
        NoticeItemInput(
            subject=household,
            person_name=household.name,
            unit_name=household.unit.name,
            category=household.get_category_display() if household.category else "",
            aid_kind=str(_("困难职工建档")),
        )
    ]


def notice_start(*, actor: Any, household: Household, starts_on: date | None = None) -> Household:
    """Publish the archive's public notice (公示) through the notices context and move
    REVIEWED → PUBLICIZING. Refuse without the worker's consent to publication, after a
    review that did not pass, or while a notice is already running."""
    from bangfu.notices.selectors import subject_notice_state
    from bangfu.notices.services import notice_create, notice_publish

    _require(actor, ArchivesPermission.INVESTIGATE, household)
    with transaction.atomic():
        household = _lock(household)
        state = subject_notice_state(household, kind=NOTICE_KIND)
        # A notice that was withdrawn leaves the archive PUBLICIZING with no notice: start again.
        if not (household.status == S.PUBLICIZING and state.status == "none"):
            _require_status(household, S.REVIEWED)
        if household.consent_publication_on is None:
            raise Conflict(
                _("职工尚未书面同意公示,不能公示。请先在“同意事项”中记录同意公示的日期。")
            )
        review = latest_review(household)
        if review is None or not review.passed:
            raise Conflict(_("民主评议未通过,不能公示;请提交审批,由审批人退回或不予建档。"))
        notice = notice_create(
            actor=actor,
            unit=household.centre,
            kind=NOTICE_KIND,
            title=_("困难职工建档公示:%(name)s") % {"name": household.name},
            body=_(
                "经本人申请(或工会代为申报)、入户调查和民主评议,下列职工拟纳入困难职工档案,"
                "现予公示。公示期间如有异议,请向%(centre)s反映。"
            )
            % {"centre": household.centre.name},
            items=notice_items_for(household),
        )
        notice = notice_publish(actor=actor, notice=notice, starts_on=starts_on)
        before = household.status
        household.status = S.PUBLICIZING
        household.save(update_fields=["status", "updated_at"])
        _audit(
            actor,
            household,
            "notice",
            _("开始公示(%(first)s 至 %(last)s)")
            % {"first": notice.starts_on, "last": notice.ends_on},
            {
                "status": [before, S.PUBLICIZING],
                "notice_id": [None, notice.pk],
                "notice_ends_on": [None, notice.ends_on],
            },
        )
    return household


# --- approval ---------------------------------------------------------------------------------


def approval_level() -> str:
    level = getattr(settings, "BANGFU_ARCHIVE_APPROVAL_LEVEL", "centre")
    return level if level in ("centre", "parent") else "centre"


def approval_unit(household: Household) -> OrgUnit:
    """Return the centre whose leaders decide on the archive: its own centre, or with
    BANGFU_ARCHIVE_APPROVAL_LEVEL="parent" the nearest centre above it (the centre itself
    when it has none above)."""
    centre = household.centre
    if approval_level() == "parent":
        # centres_above lists the centre itself first, then those above it.
        above = [unit for unit in centres_above(centre) if unit.pk != centre.pk]
        if above:
            return above[0]
    return centre


def submit_for_approval(*, actor: Any, household: Household, note: str = "") -> Household:
    """Send the archive to the approver. PUBLICIZING → PENDING_APPROVAL once its notice has
    ended with every objection settled (or an objection was upheld: then the approver can
    only return or refuse); REVIEWED → PENDING_APPROVAL when the review did not pass. The
    worker's consent to processing sensitive data is required: no archive without it."""
    from bangfu.notices.selectors import subject_notice_state

    _require(actor, ArchivesPermission.INVESTIGATE, household)
    with transaction.atomic():
        household = _lock(household)
        _require_status(household, S.PUBLICIZING, S.REVIEWED)
        if household.consent_sensitive_on is None:
            raise Conflict(
                _("职工尚未书面同意处理其敏感个人信息(身份证号、健康、银行卡),不能提交审批。")
            )
        state_text = ""
        if household.status == S.REVIEWED:
            review = latest_review(household)
            if review is not None and review.passed:
                raise Conflict(_("民主评议已通过,须先公示,公示期满无异议后才能提交审批。"))
            state_text = _("民主评议未通过")
        else:
            state = subject_notice_state(household, kind=NOTICE_KIND)
            if state.status == "upheld":
                state_text = _("公示期间异议成立")
            elif state.status != "cleared":
                messages = {
                    "none": _("尚无有效的公示,请先公示。"),
                    "draft": _("公示尚未发布。"),
                    "publishing": _("公示期未满(至 %(date)s),期满后才能提交审批。"),
                    "objection_open": _("公示有未处理的异议,处理后才能提交审批。"),
                }
                message = messages.get(state.status, _("公示尚未结束。"))
                if "%(date)s" in message:
                    message = message % {"date": state.ends_on.isoformat() if state.ends_on else ""}
                raise Conflict(message)
            else:
                state_text = _("公示期满无异议")
        before = household.status
        household.status = S.PENDING_APPROVAL
        household.opinions = [
            *household.opinions,
            {
                "level": household.unit.name,
                "opinion": clean_text(note) or str(state_text),
                "date": _today().isoformat(),
                "by": _name(actor),
                "step": "submit",
            },
        ]
        household.save(update_fields=["status", "opinions", "updated_at"])
        unit = approval_unit(household)
        _audit(
            actor,
            household,
            "submit",
            _("提交%(unit)s审批(%(state)s)") % {"unit": unit.name, "state": state_text},
            {"status": [before, S.PENDING_APPROVAL], "approval_unit": [None, unit.name]},
        )
    return household


def _name(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_username())


def makers(household: Household) -> set[int]:
    """Return the ids of the users who made the record: its filer and whoever recorded its
    home visits and reviews. None of them may decide on it."""
    ids = {household.filed_by_id}
    ids |= set(
        household.investigations.exclude(recorded_by__isnull=True).values_list(
            "recorded_by_id", flat=True
        )
    )
    ids |= set(household.reviews.values_list("recorded_by_id", flat=True))
    return {i for i in ids if i is not None}


def require_can_decide(actor: Any, household: Household) -> OrgUnit:
    """Return the approval unit; raise PermissionDenied unless the actor may decide there."""
    policy.require_perm(actor, ArchivesPermission.APPROVE)
    unit = approval_unit(household)
    if not policy.unit_in_scope(actor, ArchivesPermission.APPROVE, unit):
        raise PermissionDenied(
            _("该档案由%(unit)s审批,您不在该级审批范围内。") % {"unit": unit.name}
        )
    if actor.pk in makers(household):
        raise PermissionDenied(
            _("您参与了该档案的建档、入户调查或民主评议记录,不能审批(建档与审核须由不同的人)。")
        )
    return unit


def decide(*, actor: Any, household: Household, outcome: str, reason: str = "") -> Decision:
    """Decide on an archive waiting for approval.

    "approved" → ACTIVE (filed today, checked by the approver, review due a year later);
    "returned" → RETURNED to the filer with the reasons; "refused" → REFUSED with the reasons,
    its ID numbers released. A reason is required to return or refuse. An archive whose
    review did not pass or whose notice drew an upheld objection cannot be approved.
    """
    errors: dict[str, str] = {}
    if outcome not in Decision.Outcome.values:
        errors["outcome"] = _("请选择审批结果。")
    reason = (reason or "").strip()
    if outcome in (Decision.Outcome.RETURNED, Decision.Outcome.REFUSED) and not reason:
        errors["reason"] = _("退回或不予建档时请填写理由。")
    with transaction.atomic():
        household = _lock(household)
        unit = require_can_decide(actor, household)
        _require_status(household, S.PENDING_APPROVAL)
        _raise(errors)
        if outcome == Decision.Outcome.APPROVED:
            blocker = _approval_blocker(household)
            if blocker:
                raise Conflict(blocker)
        today = _today()
        decision = Decision.objects.create(
            household=household,
            outcome=outcome,
            level_unit=unit,
            reason=reason,
            decided_by=actor,
        )
        before = household.status
        changes: dict[str, Any] = {}
        if outcome == Decision.Outcome.APPROVED:
            household.status = S.ACTIVE
            household.filed_on = today
            household.checked_by = actor
            household.review_due_on = add_months(today, review_interval_months())
            changes.update(
                filed_on=[None, today],
                checked_by=[None, _name(actor)],
                review_due_on=[None, household.review_due_on],
            )
        elif outcome == Decision.Outcome.RETURNED:
            household.status = S.RETURNED
        else:
            household.status = S.REFUSED
            changes["released_ids"] = [None, release_ids(household)]
        household.opinions = [
            *household.opinions,
            {
                "level": unit.name,
                "opinion": reason or str(Decision.Outcome(outcome).label),
                "outcome": outcome,
                "date": today.isoformat(),
                "by": _name(actor),
                "step": "decide",
            },
        ]
        household.save()
        _audit(
            actor,
            household,
            "decide",
            _("%(unit)s审批:%(outcome)s%(reason)s")
            % {
                "unit": unit.name,
                "outcome": Decision.Outcome(outcome).label,
                "reason": f"({reason})" if reason else "",
            },
            {"status": [before, household.status], "outcome": [None, outcome], **changes},
        )
    return decision


def _approval_blocker(household: Household) -> str:
    review = latest_review(household)
    if review is None or not review.passed:
        return str(_("民主评议未通过,不能批准建档;请退回或不予建档。"))
    from bangfu.notices.selectors import subject_notice_state

    state = subject_notice_state(household, kind=NOTICE_KIND)
    if state.status != "cleared":
        return str(
            _("公示未正常结束(%(state)s),不能批准建档;请退回或不予建档。")
            % {"state": _("异议成立") if state.status == "upheld" else state.status}
        )
    return ""
