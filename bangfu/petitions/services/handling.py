"""Handling a petition, from acceptance to the last answer.

    registered ──accept──▶ accepted ──reply──▶ replied ──review_request──▶ reviewing
        │                     │  (extend once,      │                          │ review_reply
        ├──decline──▶ declined│   refer to legal    │                          ▼
        └──transfer─▶ transferred  aid/assistance)  │                       reviewed
                                                    │                          │ recheck_request
                                                    │                          ▼
                                  rate (after the reply, once)            rechecking
                                                                               │ recheck_reply
                                                                               ▼
                                                                   rechecked (final: the same
                                                                   matter is not accepted again)

Each transition is one transaction: lock the row, check permission and scope (a petition the
actor may not see is NotFound), check the state (Conflict naming it), write, meet the limit that
the step ends and start the next one, one audit event. Acknowledging the petitioner (告知) may
happen in any state until it is done.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.workdays import WorkCalendar, add_working_days, calendar_deadline
from bangfu.network.models import OrgUnit

from .. import hooks
from ..audit_actions import PetitionsAction
from ..deadlines import MAX_EXTENSION_DAYS, new_deadline
from ..models import Deadline, Petition, Reply, Route
from ..permissions import PetitionsPermission
from ..selectors.repeats import final_in_chain
from .common import check, day, lock, meet, text

S = Petition.Status
HANDLE = PetitionsPermission.HANDLE
NOT_ALLOWED = _("您无权办理该信访件。")


def _status_name(petition: Petition) -> str:
    return str(petition.get_status_display())


def _wrong_state(petition: Petition, action: str) -> Conflict:
    return Conflict(
        _("该信访件当前为“%(status)s”,不能%(action)s。")
        % {"status": _status_name(petition), "action": action}
    )


def petition_accept(
    *, actor: Any, petition: Petition, handling_unit: OrgUnit, accepted_on: date | None = None
) -> Petition:
    """Accept the petition and assign it to `handling_unit` (its centre or a station under it);
    the 60-day handling limit starts on the day of acceptance.

    Raise Conflict unless it is registered, or when its repeat chain ends in an answered 复核
    (the same matter is not accepted again); ValidationError for a unit outside the centre or
    the actor's scope, or a bad date.
    """
    check(actor, HANDLE, petition, message=NOT_ALLOWED)
    with transaction.atomic():
        locked = lock(petition)
        if locked.status != S.REGISTERED:
            raise _wrong_state(locked, _("受理"))
        final = final_in_chain(locked)
        if final is not None:
            raise Conflict(
                _(
                    "同一事项已于 %(number)s 复核终结;依照信访工作条例,对同一事项不再受理。"
                    "请作不予受理处理,并告知信访人。"
                )
                % {"number": final.number}
            )
        if not handling_unit.path.startswith(locked.centre.path) or handling_unit.kind not in (
            OrgUnit.Kind.CENTER,
            OrgUnit.Kind.STATION,
        ):
            raise ValidationError(_("办理单位须为本中心或其下属帮扶站。"), field="handling_unit")
        if not policy.unit_in_scope(actor, HANDLE, handling_unit):
            raise ValidationError(_("您无权把信访件交给该单位办理。"), field="handling_unit")
        on = day(accepted_on, "accepted_on", not_before=locked.received_on)
        before_unit = locked.unit_id
        locked.status = S.ACCEPTED
        locked.accepted_on = on
        locked.unit = handling_unit
        locked.save(update_fields=["status", "accepted_on", "unit", "updated_at"])
        meet(locked, Deadline.Stage.ROUTE, on)
        new_deadline(locked.pk, Deadline.Stage.HANDLE, on).save()
        audit_record(
            actor=actor,
            action=PetitionsAction.ACCEPT,
            obj=locked,
            summary=_("受理并交 %(unit)s 办理") % {"unit": handling_unit.name},
            changes={
                "status": [S.REGISTERED, S.ACCEPTED],
                "accepted_on": [None, on.isoformat()],
                "unit": [before_unit, handling_unit.pk],
            },
        )
    return locked


def petition_decline(
    *, actor: Any, petition: Petition, reason: str, decided_on: date | None = None
) -> Petition:
    """Decline the petition (不予受理) with the reason the petitioner will be told.

    Raise Conflict unless it is registered; ValidationError without a reason.
    """
    check(actor, HANDLE, petition, message=NOT_ALLOWED)
    reason = text(reason, "reason", _("请填写不予受理的理由,它将告知信访人。"))
    with transaction.atomic():
        locked = lock(petition)
        if locked.status != S.REGISTERED:
            raise _wrong_state(locked, _("作不予受理"))
        on = day(decided_on, "decided_on", not_before=locked.received_on)
        locked.status = S.DECLINED
        locked.declined_reason = reason
        locked.save(update_fields=["status", "declined_reason", "updated_at"])
        meet(locked, Deadline.Stage.ROUTE, on)
        audit_record(
            actor=actor,
            action=PetitionsAction.DECLINE,
            obj=locked,
            summary=_("不予受理:%(reason)s") % {"reason": reason[:100]},
            changes={"status": [S.REGISTERED, S.DECLINED], "declined_reason": [None, reason]},
        )
    return locked


def petition_transfer(
    *, actor: Any, petition: Petition, body: str, reason: str, decided_on: date | None = None
) -> Petition:
    """Transfer the petition to the body that has the power to handle it (where and why).

    Raise Conflict unless it is registered; ValidationError without the body or the reason.
    """
    check(actor, HANDLE, petition, message=NOT_ALLOWED)
    body = text(body, "body", _("请填写转交的机关,如“雨湖区人力资源和社会保障局”。"))[:100]
    reason = text(reason, "reason", _("请填写转交的理由。"))
    with transaction.atomic():
        locked = lock(petition)
        if locked.status != S.REGISTERED:
            raise _wrong_state(locked, _("转交"))
        on = day(decided_on, "decided_on", not_before=locked.received_on)
        locked.status = S.TRANSFERRED
        locked.outcome = Petition.Outcome.TRANSFERRED
        locked.transferred_to = body
        locked.transfer_reason = reason
        locked.save(
            update_fields=["status", "outcome", "transferred_to", "transfer_reason", "updated_at"]
        )
        meet(locked, Deadline.Stage.ROUTE, on)
        audit_record(
            actor=actor,
            action=PetitionsAction.TRANSFER,
            obj=locked,
            summary=_("转交 %(body)s") % {"body": body},
            changes={
                "status": [S.REGISTERED, S.TRANSFERRED],
                "transferred_to": [None, body],
                "transfer_reason": [None, reason],
            },
        )
    return locked


def petition_refer(*, actor: Any, petition: Petition, kind: str, reason: str) -> Route:
    """Refer an accepted petition to legal aid or to assistance. When the context that takes
    such referrals is installed (`hooks`), its handler turns the referral into a case or an
    application draft in the same transaction; otherwise the referral waits, recorded.

    Raise Conflict unless the petition is accepted or when it was already referred there;
    ValidationError for an unknown kind, without a reason, or for assistance without a linked
    archive (no archive, no assistance).
    """
    check(actor, HANDLE, petition, message=NOT_ALLOWED)
    if kind not in Route.Kind.values:
        raise ValidationError(_("请选择转往法律援助还是帮扶救助。"), field="kind")
    reason = text(reason, "reason", _("请填写转办的理由。"))
    with transaction.atomic():
        locked = lock(petition)
        if locked.status != S.ACCEPTED:
            raise _wrong_state(locked, _("转办"))
        if kind == Route.Kind.ASSISTANCE and locked.household_id is None:
            raise ValidationError(_("转帮扶救助须先关联困难职工档案(先建档后帮扶)。"), field="kind")
        if Route.objects.filter(petition=locked, kind=kind).exists():
            raise Conflict(
                _("该信访件已%(kind)s,不必重复转办。") % {"kind": Route.Kind(kind).label}
            )
        route = Route.objects.create(petition=locked, kind=kind, reason=reason, created_by=actor)
        handler = hooks.route_handler(kind)
        if handler is not None:
            route.reference = str(handler(actor=actor, route=route))[:64]
            route.state = Route.State.TAKEN
            route.save(update_fields=["reference", "state"])
        audit_record(
            actor=actor,
            action=PetitionsAction.REFER,
            obj=locked,
            summary=_("%(kind)s:%(reason)s")
            % {"kind": route.get_kind_display(), "reason": reason[:100]},
            changes={
                "route": [None, route.kind],
                "state": [None, route.state],
                "reference": [None, route.reference],
            },
        )
    return route


def route_take(*, actor: Any, route: Route, reference: str) -> Route:
    """Mark a waiting referral taken over by the context it went to (a legal-aid case, an
    assistance draft), with that record's reference. For the installed module's own use.

    Raise Conflict when it was already taken; ValidationError without a reference.
    """
    check(actor, HANDLE, route.petition, message=NOT_ALLOWED)
    reference = text(reference, "reference", _("请填写对方的编号。"))[:64]
    with transaction.atomic():
        locked = Route.objects.select_for_update().get(pk=route.pk)
        if locked.state != Route.State.WAITING:
            raise Conflict(_("该转办已被接收。"))
        locked.state = Route.State.TAKEN
        locked.reference = reference
        locked.save(update_fields=["state", "reference"])
        audit_record(
            actor=actor,
            action=PetitionsAction.ROUTE_TAKE,
            obj=locked,
            summary=_("%(kind)s已接收:%(ref)s")
            % {"kind": locked.get_kind_display(), "ref": reference},
            changes={"state": [Route.State.WAITING, Route.State.TAKEN]},
        )
    return locked


def petition_acknowledge(
    *, actor: Any, petition: Petition, method: str, acknowledged_on: date | None = None
) -> Petition:
    """Record that the petitioner was told the petition was received (or, for a declined or
    transferred one, why and where to go): within 15 days of receipt, in writing unless on the
    spot. Raise Conflict when already told; ValidationError for a bad method or date."""
    check(actor, HANDLE, petition, message=NOT_ALLOWED)
    if method not in Petition.AckMethod.values:
        raise ValidationError(_("请选择告知方式。"), field="method")
    with transaction.atomic():
        locked = lock(petition)
        if locked.acknowledged_on is not None:
            raise Conflict(
                _("已于 %(date)s 告知信访人。") % {"date": locked.acknowledged_on.isoformat()}
            )
        if locked.anonymous:
            raise Conflict(_("匿名检举无法告知信访人。"))
        on = day(acknowledged_on, "acknowledged_on", not_before=locked.received_on)
        if method == Petition.AckMethod.ON_THE_SPOT and (
            locked.channel != Petition.Channel.VISIT or on != locked.received_on
        ):
            raise ValidationError(
                _("当场告知只适用于来访当天;其他情况请选择书面告知。"), field="method"
            )
        locked.acknowledged_on = on
        locked.ack_method = method
        locked.save(update_fields=["acknowledged_on", "ack_method", "updated_at"])
        meet(locked, Deadline.Stage.ACKNOWLEDGE, on)
        audit_record(
            actor=actor,
            action=PetitionsAction.ACKNOWLEDGE,
            obj=locked,
            summary=_("告知信访人(%(method)s)") % {"method": locked.get_ack_method_display()},
            changes={"acknowledged_on": [None, on.isoformat()], "ack_method": [None, method]},
        )
    return locked


def extended_due(old_due: date, days: int, counting: str) -> date:
    """Return the handling limit moved `days` on from `old_due`, counted as the limit is."""
    if counting == Deadline.Counting.WORKING:
        return add_working_days(old_due, days)
    calendar = WorkCalendar(old_due, old_due + timedelta(days=days + 30))
    return calendar_deadline(old_due, days, "", calendar=calendar).due


def petition_extend(
    *,
    actor: Any,
    petition: Petition,
    days: int,
    reason: str,
    told_on: date | None,
) -> Petition:
    """Extend the handling limit once, by at most 30 days, approved by the head (this actor),
    with the reason told to the petitioner on `told_on`.

    Raise PermissionDenied without petitions.approve_extension; Conflict unless it is being
    handled, for a second extension or after the limit has passed; ValidationError for more
    than 30 days, without a reason or without the day the petitioner was told.
    """
    check(
        actor,
        PetitionsPermission.APPROVE_EXTENSION,
        petition,
        message=_("延期须经中心负责人批准。"),
    )
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            _("延期不能超过 %(max)d 日(信访工作条例)。") % {"max": MAX_EXTENSION_DAYS},
            field="days",
        )
    reason = text(reason, "reason", _("请填写延期理由,它须告知信访人。"))
    if told_on is None:
        raise ValidationError(_("请填写把延期理由告知信访人的日期。"), field="told_on")
    with transaction.atomic():
        locked = lock(petition)
        if locked.status != S.ACCEPTED:
            raise _wrong_state(locked, _("延期"))
        if locked.extension_days:
            raise Conflict(
                _("办理期限只能延长一次,已延长 %(days)d 日。") % {"days": locked.extension_days}
            )
        deadline = Deadline.objects.select_for_update().get(
            petition=locked, stage=Deadline.Stage.HANDLE
        )
        today = timezone.localdate()
        if deadline.due_on < today:
            raise Conflict(
                _("办理期限已于 %(date)s 届满,不能再延期。") % {"date": deadline.due_on.isoformat()}
            )
        told = day(told_on, "told_on", not_before=locked.accepted_on)
        old_due = deadline.due_on
        deadline.due_on = extended_due(old_due, int(days), deadline.counting)
        deadline.days = deadline.days + int(days)
        approver = getattr(actor, "display_name", "") or actor.get_username()
        deadline.rule = (
            deadline.rule
            + _(";经 %(who)s 批准延期 %(days)d 日") % {"who": approver, "days": int(days)}
        )[:255]
        deadline.save(update_fields=["due_on", "days", "rule"])
        locked.extension_days = int(days)
        locked.extension_reason = reason
        locked.extension_approved_by = actor
        locked.extension_told_on = told
        locked.save(
            update_fields=[
                "extension_days",
                "extension_reason",
                "extension_approved_by",
                "extension_told_on",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action=PetitionsAction.EXTEND,
            obj=locked,
            summary=_("办理期限延长 %(days)d 日,至 %(date)s")
            % {"days": int(days), "date": deadline.due_on.isoformat()},
            changes={
                "due_on": [old_due.isoformat(), deadline.due_on.isoformat()],
                "extension_days": [None, int(days)],
                "extension_reason": [None, reason],
                "extension_told_on": [None, told.isoformat()],
            },
        )
    return locked


def _reply_fields(outcome: str, decision: str, basis: str) -> tuple[str, str, str]:
    if outcome not in Petition.Outcome.values:
        raise ValidationError(_("请选择处理结果。"), field="outcome")
    decision = text(decision, "decision", _("请填写处理意见。"))
    basis = text(basis, "basis", _("请填写处理依据(法律、政策或事实)。"))
    return outcome, decision, basis


def petition_reply(
    *,
    actor: Any,
    petition: Petition,
    outcome: str,
    decision: str,
    basis: str,
    replied_on: date | None = None,
) -> Reply:
    """Answer the petition in writing (处理意见书): the decision, its basis and a coded outcome.
    The petitioner may ask for 复查 within 30 days of it.

    Raise Conflict before acceptance or when already answered; ValidationError for a missing
    outcome, decision or basis, or a bad date.
    """
    check(actor, HANDLE, petition, message=NOT_ALLOWED)
    outcome, decision, basis = _reply_fields(outcome, decision, basis)
    with transaction.atomic():
        locked = lock(petition)
        if locked.status == S.REGISTERED:
            raise Conflict(_("该信访件尚未受理,不能答复;请先受理(或作不予受理、转交)。"))
        if locked.status != S.ACCEPTED:
            raise _wrong_state(locked, _("答复"))
        on = day(replied_on, "replied_on", not_before=locked.accepted_on)
        reply = Reply.objects.create(
            petition=locked,
            stage=Reply.Stage.REPLY,
            outcome=outcome,
            decision=decision,
            basis=basis,
            replied_on=on,
            replied_by=actor,
        )
        locked.status = S.REPLIED
        locked.outcome = outcome
        locked.save(update_fields=["status", "outcome", "updated_at"])
        meet(locked, Deadline.Stage.HANDLE, on)
        new_deadline(locked.pk, Deadline.Stage.REVIEW_REQUEST, on).save()
        audit_record(
            actor=actor,
            action=PetitionsAction.REPLY,
            obj=locked,
            summary=_("答复:%(outcome)s") % {"outcome": reply.get_outcome_display()},
            changes={
                "status": [S.ACCEPTED, S.REPLIED],
                "outcome": [None, outcome],
                "replied_on": [None, on.isoformat()],
            },
        )
    return reply


def _request_window(locked: Petition, stage: str, on: date, what: str) -> None:
    window = Deadline.objects.filter(petition=locked, stage=stage).first()
    if window is not None and on > window.due_on:
        raise ValidationError(
            _("%(what)s应在 %(date)s 之前提出(%(rule)s),已超过期限。")
            % {"what": what, "date": window.due_on.isoformat(), "rule": window.rule},
            field="requested_on",
        )


def petition_review_request(
    *, actor: Any, petition: Petition, reason: str, requested_on: date | None = None
) -> Petition:
    """Record the petitioner's request for 复查 of the reply (within 30 days of it).

    Raise Conflict unless the petition is answered and not yet reviewed; ValidationError without
    a reason or after the 30 days.
    """
    check(actor, HANDLE, petition, message=NOT_ALLOWED)
    reason = text(reason, "reason", _("请填写信访人请求复查的理由。"))
    with transaction.atomic():
        locked = lock(petition)
        if locked.status != S.REPLIED:
            raise _wrong_state(locked, _("请求复查"))
        reply_on = locked.replies.get(stage=Reply.Stage.REPLY).replied_on
        on = day(requested_on, "requested_on", not_before=reply_on)
        _request_window(locked, Deadline.Stage.REVIEW_REQUEST, on, _("复查请求"))
        locked.status = S.REVIEWING
        locked.review_requested_on = on
        locked.review_request_reason = reason
        locked.save(
            update_fields=["status", "review_requested_on", "review_request_reason", "updated_at"]
        )
        meet(locked, Deadline.Stage.REVIEW_REQUEST, on)
        new_deadline(locked.pk, Deadline.Stage.REVIEW_REPLY, on).save()
        audit_record(
            actor=actor,
            action=PetitionsAction.REVIEW_REQUEST,
            obj=locked,
            summary=_("信访人请求复查"),
            changes={"status": [S.REPLIED, S.REVIEWING], "requested_on": [None, on.isoformat()]},
        )
    return locked


def petition_review_reply(
    *,
    actor: Any,
    petition: Petition,
    outcome: str,
    decision: str,
    basis: str,
    replied_on: date | None = None,
) -> Reply:
    """Answer the 复查 (复查意见书). Raise PermissionDenied without petitions.review; Conflict
    unless a 复查 was requested; ValidationError as for a reply."""
    check(actor, PetitionsPermission.REVIEW, petition, message=_("复查意见须由中心负责人作出。"))
    outcome, decision, basis = _reply_fields(outcome, decision, basis)
    with transaction.atomic():
        locked = lock(petition)
        if locked.status != S.REVIEWING:
            raise _wrong_state(locked, _("作复查答复"))
        on = day(replied_on, "replied_on", not_before=locked.review_requested_on)
        reply = Reply.objects.create(
            petition=locked,
            stage=Reply.Stage.REVIEW,
            outcome=outcome,
            decision=decision,
            basis=basis,
            replied_on=on,
            replied_by=actor,
        )
        before = locked.outcome
        locked.status = S.REVIEWED
        locked.outcome = outcome
        locked.save(update_fields=["status", "outcome", "updated_at"])
        meet(locked, Deadline.Stage.REVIEW_REPLY, on)
        new_deadline(locked.pk, Deadline.Stage.RECHECK_REQUEST, on).save()
        audit_record(
            actor=actor,
            action=PetitionsAction.REVIEW_REPLY,
            obj=locked,
            summary=_("复查答复:%(outcome)s") % {"outcome": reply.get_outcome_display()},
            changes={"status": [S.REVIEWING, S.REVIEWED], "outcome": [before, outcome]},
        )
    return reply


def petition_recheck_request(
    *, actor: Any, petition: Petition, reason: str, requested_on: date | None = None
) -> Petition:
    """Record the petitioner's request for 复核 of the 复查 opinion (within 30 days of it).

    Raise Conflict unless the 复查 is answered — in particular for a 复核 after 复核: its
    opinion is final; ValidationError without a reason or after the 30 days.
    """
    check(actor, HANDLE, petition, message=NOT_ALLOWED)
    reason = text(reason, "reason", _("请填写信访人请求复核的理由。"))
    with transaction.atomic():
        locked = lock(petition)
        if locked.status in (S.RECHECKING, S.RECHECKED):
            raise Conflict(
                _("该信访事项已请求过复核;复核意见为终结意见,同一事项不再复查、复核或受理。")
            )
        if locked.status != S.REVIEWED:
            raise _wrong_state(locked, _("请求复核"))
        review_on = locked.replies.get(stage=Reply.Stage.REVIEW).replied_on
        on = day(requested_on, "requested_on", not_before=review_on)
        _request_window(locked, Deadline.Stage.RECHECK_REQUEST, on, _("复核请求"))
        locked.status = S.RECHECKING
        locked.recheck_requested_on = on
        locked.recheck_request_reason = reason
        locked.save(
            update_fields=[
                "status",
                "recheck_requested_on",
                "recheck_request_reason",
                "updated_at",
            ]
        )
        meet(locked, Deadline.Stage.RECHECK_REQUEST, on)
        new_deadline(locked.pk, Deadline.Stage.RECHECK_REPLY, on).save()
        audit_record(
            actor=actor,
            action=PetitionsAction.RECHECK_REQUEST,
            obj=locked,
            summary=_("信访人请求复核"),
            changes={
                "status": [S.REVIEWED, S.RECHECKING],
                "requested_on": [None, on.isoformat()],
            },
        )
    return locked


def petition_recheck_reply(
    *,
    actor: Any,
    petition: Petition,
    outcome: str,
    decision: str,
    basis: str,
    replied_on: date | None = None,
) -> Reply:
    """Answer the 复核 (复核意见书): final; the same matter is not accepted again.

    Raise PermissionDenied without petitions.review; Conflict unless a 复核 was requested;
    ValidationError as for a reply."""
    check(actor, PetitionsPermission.REVIEW, petition, message=_("复核意见须由中心负责人作出。"))
    outcome, decision, basis = _reply_fields(outcome, decision, basis)
    with transaction.atomic():
        locked = lock(petition)
        if locked.status != S.RECHECKING:
            raise _wrong_state(locked, _("作复核答复"))
        on = day(replied_on, "replied_on", not_before=locked.recheck_requested_on)
        reply = Reply.objects.create(
            petition=locked,
            stage=Reply.Stage.RECHECK,
            outcome=outcome,
            decision=decision,
            basis=basis,
            replied_on=on,
            replied_by=actor,
        )
        before = locked.outcome
        locked.status = S.RECHECKED
        locked.outcome = outcome
        locked.save(update_fields=["status", "outcome", "updated_at"])
        meet(locked, Deadline.Stage.RECHECK_REPLY, on)
        audit_record(
            actor=actor,
            action=PetitionsAction.RECHECK_REPLY,
            obj=locked,
            summary=_("复核答复(终结):%(outcome)s") % {"outcome": reply.get_outcome_display()},
            changes={"status": [S.RECHECKING, S.RECHECKED], "outcome": [before, outcome]},
        )
    return reply


RATABLE = (S.REPLIED, S.REVIEWING, S.REVIEWED, S.RECHECKING, S.RECHECKED)


def rate(*, actor: Any, petition: Petition, rating: str, comment: str, online: bool) -> Petition:
    """Record the petitioner's rating once, after the reply. For the services below."""
    if rating not in Petition.Rating.values:
        raise ValidationError(_("请选择满意、基本满意或不满意。"), field="rating")
    comment = text(comment, "comment", "", required=False)[:500]
    with transaction.atomic():
        locked = lock(petition)
        if locked.status not in RATABLE:
            raise Conflict(_("答复之后才能评价。"))
        if locked.rating:
            raise Conflict(
                _("已于 %(date)s 评价为“%(rating)s”,不能重复评价。")
                % {"date": locked.rated_on, "rating": locked.get_rating_display()}
            )
        locked.rating = rating
        locked.rating_comment = comment
        locked.rated_on = timezone.localdate()
        locked.rated_online = online
        locked.save(
            update_fields=["rating", "rating_comment", "rated_on", "rated_online", "updated_at"]
        )
        audit_record(
            actor=actor,
            action=PetitionsAction.RATE,
            obj=locked,
            summary=_("满意度评价:%(rating)s") % {"rating": locked.get_rating_display()},
            changes={"rating": [None, rating], "online": [None, online]},
        )
    return locked


def petition_rate(*, actor: Any, petition: Petition, rating: str, comment: str = "") -> Petition:
    """Record the rating the petitioner gave the staff (by phone, at a visit), once, after the
    reply. Raise Conflict before the reply or when already rated."""
    check(actor, HANDLE, petition, message=NOT_ALLOWED)
    return rate(actor=actor, petition=petition, rating=rating, comment=comment, online=False)
