"""The filing procedure of an archive: the archives' declaration of the workflow kit's
procedure (`bangfu.kits.workflow`, see docs/dev/WORKFLOW.md) and its archive-specific effects.

    DRAFT ──apply──▶ APPLIED ──investigation_record──▶ INVESTIGATED ──review_record──▶ REVIEWED
    REVIEWED ──notice_start──▶ PUBLICIZING ──submit_for_approval──▶ PENDING_APPROVAL
    PENDING_APPROVAL ──decide──▶ ACTIVE (approved) | RETURNED (returned) | REFUSED (refused)
    RETURNED ──(the filer corrects with filing.household_update)── resubmit ──▶ APPLIED

The archive's status follows the kit's case (`STATUS_OF_STEP`): the kit checks the step,
permission and scope, locks the archive, writes the visit / review / sign-off records and one
audit event per transition (`archives.procedure.<verb>`); this module adds what only archives
do: the consents required before the notice and before the approval, the opinions kept on the
archive, and on approval 职工编号's filing date, checker and review due, on refusal the release
of its ID numbers.

A returned archive goes back to APPLIED with a new home visit due, in a new round: what was
verified, reviewed and published may have changed with the correction, so it is checked again
from the start. A review that did not pass cannot be published; it goes straight to the
approver, who can only return or refuse it. An upheld objection to the notice likewise lets
the archive go to the approver, who can then only return or refuse.

Approval happens at the level named by `BANGFU_ARCHIVE_APPROVAL_LEVEL`: "centre" (the archive's
own centre) or "parent" (the centre directly above it): one leader holding archives.approve
there who did not make the record (neither its filer nor whoever recorded its home visit or
review) signs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts import policy
from bangfu.core.audit import audit_record
from bangfu.core.dates import add_months
from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.kits.workflow import declaration, selectors, services
from bangfu.kits.workflow.declaration import CENTRE, PARENT, Perms, Procedure, Transition
from bangfu.kits.workflow.models import Case, Review, SignOff, Step, Visit
from bangfu.network.models import OrgUnit

from ..audit_actions import ArchivesAction
from ..conf import review_interval_months
from ..models import Household
from ..permissions import ArchivesPermission
from .filing import release_ids

S = Household.Status
MIN_VISITORS = 2
RECOMMENDATIONS = ("agree", "disagree")
NOTICE_KIND = "archive"
KEY = "archives.filing"

# The archive's status at each step of its case.
STATUS_OF_STEP = {
    Step.VISIT: S.APPLIED,
    Step.REVIEW: S.INVESTIGATED,
    Step.SUBMIT: S.REVIEWED,  # a review that did not pass: straight to the approver
    Step.APPROVAL: S.PENDING_APPROVAL,
    Step.RETURNED: S.RETURNED,
    Step.APPROVED: S.ACTIVE,
    Step.REFUSED: S.REFUSED,
}
OUTCOME_LABELS = {
    SignOff.Outcome.APPROVED: gettext_lazy("批准建档"),
    SignOff.Outcome.RETURNED: gettext_lazy("退回修改"),
    SignOff.Outcome.REFUSED: gettext_lazy("不予建档"),
}
OUTCOME_CHOICES = [(outcome.value, label) for outcome, label in OUTCOME_LABELS.items()]
# The kit's verbs as the archives' audit actions have always been named.
VERBS = {
    "start": "apply",
    "resubmit": "resubmit",
    "visit": "investigation",
    "review": "review",
    "notice": "notice",
    "submit": "submit",
    "signoff": "decide",
}


def _today() -> date:
    return timezone.localdate()


def _name(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_username())


def _status_of(case: Case) -> str:
    if case.step == Step.NOTICE:
        return S.PUBLICIZING if case.notice_ends_on is not None else S.REVIEWED
    return STATUS_OF_STEP[Step(case.step)]


def _status_conflict(household: Any, case: Case | None, verb: str) -> str:
    if verb == "notice" and case is not None and case.step == Step.SUBMIT:
        return _("民主评议未通过,不能公示;请提交审批,由审批人退回或不予建档。")
    return _("档案 %(no)s 当前状态为“%(status)s”,不能执行此操作。") % {
        "no": household.archive_no,
        "status": household.get_status_display(),
    }


def approval_level() -> str:
    level = getattr(settings, "BANGFU_ARCHIVE_APPROVAL_LEVEL", "centre")
    return level if level in ("centre", "parent") else "centre"


def _approval_rule(household: Any) -> declaration.ApprovalRule:
    return declaration.one_leader(PARENT if approval_level() == "parent" else CENTRE)


def _before(t: Transition) -> None:
    household = t.subject
    if t.verb == "notice" and household.consent_publication_on is None:
        raise Conflict(_("职工尚未书面同意公示,不能公示。请先在“同意事项”中记录同意公示的日期。"))
    if t.verb == "submit":
        if household.consent_sensitive_on is None:
            raise Conflict(
                _("职工尚未书面同意处理其敏感个人信息(身份证号、健康、银行卡),不能提交审批。")
            )
        if t.case.step == Step.NOTICE and t.case.notice_ends_on is None:
            raise Conflict(_("民主评议已通过,须先公示,公示期满无异议后才能提交审批。"))


def _opinion(household: Any, entry: dict[str, Any]) -> None:
    household.opinions = [*household.opinions, entry]
    household.save(update_fields=["opinions", "updated_at"])


def _effects(t: Transition) -> None:
    """The archive's own effects and the wording of its audit events."""
    household, case = t.subject, t.case
    status = [t.changes.get("status", [None, None])[0], household.status]
    if t.verb in ("start", "resubmit"):
        due = case.visit_due_on.isoformat() if case.visit_due_on else ""
        t.summary = (
            _("提交建档申请,入户调查期限 %(due)s")
            if t.verb == "start"
            else _("修改后重新提交,入户调查期限 %(due)s")
        ) % {"due": due}
        t.changes = {"status": status, "investigation_due_on": [None, case.visit_due_on]}
    elif t.verb in ("visit", "review"):
        t.changes = {"status": status, **{k: v for k, v in t.changes.items() if k != "step"}}
    elif t.verb == "notice":
        t.changes = {
            "status": [status[0] or household.status, S.PUBLICIZING],
            "notice_id": t.changes["notice_id"],
            "notice_ends_on": t.changes["notice_ends_on"],
        }
    elif t.verb == "submit":
        unit = case.approval_unit
        assert unit is not None
        state_text = t.summary.split("(", 1)[1].rstrip(")") if "(" in t.summary else ""
        _opinion(
            household,
            {
                "level": household.unit.name,
                "opinion": state_text,
                "date": t.today.isoformat(),
                "by": _name(t.actor),
                "step": "submit",
            },
        )
        t.summary = _("提交%(unit)s审批(%(state)s)") % {"unit": unit.name, "state": state_text}
        t.changes = {"status": status, "approval_unit": [None, unit.name]}
    elif t.verb == "signoff":
        signoff: SignOff = t.record
        outcome = SignOff.Outcome(t.outcome)
        label = OUTCOME_LABELS[outcome]
        changes: dict[str, Any] = {}
        if t.after == Step.APPROVED:
            household.filed_on = t.today
            household.checked_by = t.actor
            household.review_due_on = add_months(t.today, review_interval_months())
            household.save(update_fields=["filed_on", "checked_by", "review_due_on", "updated_at"])
            changes.update(
                filed_on=[None, t.today],
                checked_by=[None, _name(t.actor)],
                review_due_on=[None, household.review_due_on],
            )
        elif t.after == Step.REFUSED:
            changes["released_ids"] = [None, release_ids(household)]
        _opinion(
            household,
            {
                "level": signoff.level_unit.name,
                "opinion": signoff.opinion or str(label),
                "outcome": t.outcome,
                "date": t.today.isoformat(),
                "by": _name(t.actor),
                "step": "decide",
            },
        )
        t.summary = _("%(unit)s审批:%(outcome)s%(reason)s") % {
            "unit": signoff.level_unit.name,
            "outcome": label,
            "reason": f"({signoff.opinion})" if signoff.opinion else "",
        }
        t.changes = {"status": status, "outcome": [None, t.outcome], **changes}


def _url(household_id: int) -> str:
    return reverse("archives:household_detail", args=[household_id]) + "#panel-procedure"


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


def _notice_body(household: Household) -> str:
    return _(
        "经本人申请(或工会代为申报)、入户调查和民主评议,下列职工拟纳入困难职工档案,"
        "现予公示。公示期间如有异议,请向%(centre)s反映。"
    ) % {"centre": household.centre.name}


def _visit_days() -> int:
    return int(settings.BANGFU_INVESTIGATION_WORKING_DAYS)


FILING = declaration.register(
    Procedure(
        key=KEY,
        subject_model=Household,
        steps=(Step.VISIT, Step.REVIEW, Step.NOTICE, Step.APPROVAL),
        perms=Perms(
            make=ArchivesPermission.FILE,
            visit=ArchivesPermission.INVESTIGATE,
            review=ArchivesPermission.INVESTIGATE,
            notice=ArchivesPermission.INVESTIGATE,
            submit=ArchivesPermission.INVESTIGATE,
            approve=ArchivesPermission.APPROVE,
        ),
        audit_action=lambda verb: ArchivesAction(f"archives.procedure.{VERBS[verb]}"),
        unit_of=lambda household: household.unit,
        url_of=_url,
        label=str(gettext_lazy("建档")),
        title_of=lambda household: household.name,
        reference_of=lambda household: household.archive_no,
        approval=_approval_rule,
        visit_working_days=_visit_days,
        min_visitors=MIN_VISITORS,
        earliest_visit=lambda household, case: household.applied_on,
        status_of=_status_of,
        before=_before,
        on_transition=_effects,
        messages={
            "no_permission": gettext_lazy("您无权对该档案执行此操作。"),
            "not_in_level": gettext_lazy("该档案由%(unit)s审批,您不在该级审批范围内。"),
            "maker": gettext_lazy(
                "您参与了该档案的建档、入户调查或民主评议记录,不能审批(建档与审核须由不同的人)。"
            ),
            "reason_required": gettext_lazy("退回或不予建档时请填写理由。"),
            "review_failed": gettext_lazy("民主评议未通过,不能批准建档;请退回或不予建档。"),
            "notice_not_cleared": gettext_lazy(
                "公示未正常结束(%(state)s),不能批准建档;请退回或不予建档。"
            ),
        },
        conflict_message=_status_conflict,
        extra_makers=lambda household: {household.filed_by_id} - {None},
        notice_kind=NOTICE_KIND,
        notice_title=lambda household: _("困难职工建档公示:%(name)s") % {"name": household.name},
        notice_body=_notice_body,
        notice_items=notice_items_for,
    )
)


def case_of(household: Household) -> Case | None:
    return selectors.case_of(FILING, household)


def open_investigation(household: Household) -> Visit | None:
    """Return the home visit waiting to be recorded, if any."""
    case = case_of(household)
    return selectors.open_visit(case) if case is not None else None


def latest_review(household: Household) -> Review | None:
    case = case_of(household)
    return selectors.latest_review(case) if case is not None else None


# --- application ------------------------------------------------------------------------------


def household_apply(*, actor: Any, household: Household) -> Household:
    """Submit a draft as an application: the home visit becomes due from the application date."""
    if household.status != S.DRAFT:
        policy.require_perm(actor, ArchivesPermission.FILE)
        raise Conflict(_status_conflict(household, case_of(household), "start"))
    services.case_start(
        actor=actor, procedure=FILING, subject=household, start=household.applied_on
    )
    household.refresh_from_db()
    return household


def household_resubmit(*, actor: Any, household: Household) -> Household:
    """Send a returned, corrected archive through the procedure again, from the home visit
    (due counted from today), in a new round."""
    services.case_resubmit(actor=actor, procedure=FILING, subject=household)
    household.refresh_from_db()
    return household


# --- consent ----------------------------------------------------------------------------------

CONSENT_FIELDS = {
    "sensitive": "consent_sensitive_on",
    "publication": "consent_publication_on",
}


def _require(actor: Any, perm: str, household: Household) -> None:
    policy.require_perm(actor, perm)
    if not policy.unit_in_scope(actor, perm, household.unit):
        raise PermissionDenied(_("您无权对该档案执行此操作。"))


def _date_check(errors: dict[str, str], key: str, value: Any, label: str) -> None:
    if not isinstance(value, date):
        errors[key] = _("请填写%(label)s。") % {"label": label}
    elif value > _today():
        errors[key] = _("%(label)s不能晚于今天。") % {"label": label}


def consent_record(*, actor: Any, household: Household, kind: str, given_on: date) -> Household:
    """Record the worker's written consent: `kind` "sensitive" (processing ID, health and bank
    data) or "publication" (being named in the public notice). The signed form is uploaded as
    an attachment of type 知情同意书."""
    _require(actor, ArchivesPermission.FILE, household)
    errors: dict[str, str] = {}
    if kind not in CONSENT_FIELDS:
        errors["kind"] = _("请选择同意事项(敏感信息处理或公示)。")
    _date_check(errors, "given_on", given_on, _("同意日期"))
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    field = CONSENT_FIELDS[kind]
    with transaction.atomic():
        household = (
            Household.objects.select_for_update(of=("self",))
            .select_related("unit", "centre", "area")
            .get(pk=household.pk)
        )
        if household.status in (S.CLOSED, S.REFUSED):
            raise Conflict(_status_conflict(household, None, "consent"))
        before = getattr(household, field)
        if before == given_on:
            return household  # already recorded (a second click): nothing to change
        setattr(household, field, given_on)
        household.save(update_fields=[field, "updated_at"])
        label = _("同意公示") if kind == "publication" else _("同意处理敏感信息")
        audit_record(
            actor=actor,
            action=ArchivesAction.PROCEDURE_CONSENT,
            obj=household,
            summary=_("记录%(label)s:%(date)s") % {"label": label, "date": given_on.isoformat()},
            changes={field: [before, given_on]},
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
) -> Visit:
    """Record the home visit (入户调查): at least two visitors, the findings and a
    recommendation ("agree" / "disagree"). APPLIED → INVESTIGATED."""
    return services.visit_record(
        actor=actor,
        procedure=FILING,
        subject=household,
        visited_on=visited_on,
        visitors=visitors,
        findings=findings,
        recommendation=recommendation,
    )


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
) -> Review:
    """Record the collective review (民主评议). INVESTIGATED → REVIEWED."""
    return services.review_record(
        actor=actor,
        procedure=FILING,
        subject=household,
        held_on=held_on,
        participants=participants,
        votes_for=votes_for,
        votes_against=votes_against,
        passed=passed,
        record=record,
    )


# --- public notice ----------------------------------------------------------------------------


def notice_start(*, actor: Any, household: Household, starts_on: date | None = None) -> Household:
    """Publish the archive's public notice (公示) through the notices context and move
    REVIEWED → PUBLICIZING. Refuse without the worker's consent to publication, after a
    review that did not pass, or while a notice is already running."""
    services.notice_start(actor=actor, procedure=FILING, subject=household, starts_on=starts_on)
    household.refresh_from_db()
    return household


# --- approval ---------------------------------------------------------------------------------


def approval_unit(household: Household) -> OrgUnit:
    """Return the centre whose leaders decide on the archive: its own centre, or with
    BANGFU_ARCHIVE_APPROVAL_LEVEL="parent" the centre directly above it (the centre itself
    when it has none above)."""
    (level,) = _approval_rule(household).levels_for(None)
    return selectors.level_unit(level, household.unit)


def submit_for_approval(*, actor: Any, household: Household, note: str = "") -> Household:
    """Send the archive to the approver. PUBLICIZING → PENDING_APPROVAL once its notice has
    ended with every objection settled (or an objection was upheld: then the approver can
    only return or refuse); REVIEWED → PENDING_APPROVAL when the review did not pass. The
    worker's consent to processing sensitive data is required: no archive without it."""
    services.submit(actor=actor, procedure=FILING, subject=household, note=note)
    household.refresh_from_db()
    return household


def makers(household: Household) -> set[int]:
    """Return the ids of the users who made the record: its filer and whoever recorded its
    home visits and reviews. None of them may decide on it."""
    case = case_of(household)
    ids = {household.filed_by_id} - {None}
    return ids | (services.makers(FILING, household, case) if case is not None else set())


def require_can_decide(actor: Any, household: Household) -> OrgUnit:
    """Return the approval unit; raise PermissionDenied unless the actor may decide there."""
    case = case_of(household)
    if case is None or case.step != Step.APPROVAL:
        policy.require_perm(actor, ArchivesPermission.APPROVE)
        unit = approval_unit(household)
        if not policy.unit_in_scope(actor, ArchivesPermission.APPROVE, unit):
            raise PermissionDenied(
                _("该档案由%(unit)s审批,您不在该级审批范围内。") % {"unit": unit.name}
            )
        if actor.pk in makers(household):
            raise PermissionDenied(str(FILING.messages["maker"]))
        return unit
    return services.require_can_sign(actor, FILING, household, case)


def decide(*, actor: Any, household: Household, outcome: str, reason: str = "") -> SignOff:
    """Decide on an archive waiting for approval.

    "approved" → ACTIVE (filed today, checked by the approver, review due a year later);
    "returned" → RETURNED to the filer with the reasons; "refused" → REFUSED with the reasons,
    its ID numbers released. A reason is required to return or refuse. An archive whose
    review did not pass or whose notice drew an upheld objection cannot be approved.
    """
    try:
        return services.signoff_record(
            actor=actor, procedure=FILING, subject=household, outcome=outcome, opinion=reason
        )
    except ValidationError as exc:
        errors = {("reason" if k == "opinion" else k): v for k, v in exc.errors.items()}
        raise ValidationError(exc.message, errors=errors) from None
