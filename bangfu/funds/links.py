"""Funds wired to assistance (imported once from `FundsConfig.ready`).

Funds stands above assistance, so it may ask assistance directly; assistance never imports funds.
What this module fills in:

* `assistance.hooks.on_approval`: approving an application commits its amount, inside the
  approval's transaction, against the centre's book of the approval's year and the budget of its
  programme; a shortfall refuses the approval (the kit rolls everything back) with a Chinese
  message naming what is short;
* `funds.payable`: for `assistance.application`, the checker (approved, notice ended, no open
  objection — else the reason in words), the paid callback (the follow-up, 回访, becomes due)
  and the tracer (the application's page and its steps in words, for the payment's trace page).

An application's money is committed under the subject type `assistance.application`; the
programme kind maps onto the funds programme (and so onto its spending account): 临时救助 is
living aid; 法律援助补贴 and 节日慰问 go to 其他帮扶.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.assistance import hooks as assistance_hooks
from bangfu.assistance.models import Application, Kind
from bangfu.assistance.models import Programme as AssistanceProgramme
from bangfu.core.money import format_money
from bangfu.petitions.hooks import register_route_handler

from . import payable
from .models import Programme

SUBJECT_TYPE = payable.ASSISTANCE_APPLICATION

PROGRAMME_OF_KIND: dict[str, str] = {
    Kind.LIVING: Programme.LIVING,
    Kind.TEMPORARY: Programme.LIVING,
    Kind.MEDICAL: Programme.MEDICAL,
    Kind.EDUCATION: Programme.EDUCATION,
    Kind.EMPLOYMENT: Programme.EMPLOYMENT,
    Kind.LEGAL: Programme.OTHER,
    Kind.FESTIVAL: Programme.OTHER,
}


def programme_of(application: Application) -> str:
    return PROGRAMME_OF_KIND.get(application.kind, Programme.OTHER)


def label_of(application: Application) -> str:
    return f"{application.programme.name} · {application.household.name}"


def commit_on_approval(*, application: Application, actor: Any) -> None:
    """The approval hook: commit the approved amount (refusing the approval when it cannot)."""
    from .services.commitments import book_for, commitment_make

    day = application.approved_on or timezone.localdate()
    book = book_for(application.unit, day)
    commitment_make(
        actor=actor,
        book=book,
        programme=programme_of(application),
        amount=application.amount,
        date=day,
        subject_type=SUBJECT_TYPE,
        subject_id=application.pk,
        subject_label=label_of(application),
        recipient_name=application.household.name,
        household=application.household,
    )


def reason_not_payable(subject_id: int, actor: Any = None) -> str | None:
    """None when the application may be paid today, else why not, in words."""
    from bangfu.assistance.procedure import APPLICATION_NOTICE_KIND
    from bangfu.notices.models import NoticeItemState
    from bangfu.notices.selectors import subject_notice_state

    application = (
        Application.objects.select_related("rule", "programme", "household")
        .filter(pk=subject_id)
        .first()
    )
    if application is None:
        return _("未找到该救助申请,不能发放。")
    if application.status != Application.Status.APPROVED:
        return _("该救助申请尚未批准(当前状态:%(status)s),不能发放。") % {
            "status": application.get_status_display()
        }
    today = timezone.localdate()
    if application.rule.requires_notice or application.notice_ends_on is not None:
        state = subject_notice_state(application, kind=APPLICATION_NOTICE_KIND)
        if state.status in (NoticeItemState.OBJECTION_OPEN, NoticeItemState.UPHELD):
            return _("该救助的公示有未处理或成立的异议(%(state)s),不能发放。") % {
                "state": state.label
            }
        ends_on = state.ends_on or application.notice_ends_on
        if ends_on is None:
            return _("该救助尚未公示,公示期满后才能发放。")
        if ends_on >= today:
            return _("该救助公示期至 %(date)s,公示期满后才能发放。") % {"date": ends_on.isoformat()}
    return None


def schedule_followup(subject_id: int, paid_on: datetime.date, actor: Any) -> None:
    """Paid: the follow-up (回访) becomes due, inside the payment's transaction."""
    from bangfu.assistance.services import followup_schedule

    application = Application.objects.get(pk=subject_id)
    followup_schedule(application=application, paid_on=paid_on, actor=actor)


def trace(subject_id: int) -> tuple[str, list[str]]:
    """The application's page and its steps in words (reads only)."""
    from bangfu.kits.workflow.declaration import get as procedure_named
    from bangfu.kits.workflow.selectors import case_of, latest_review, latest_visit, signoffs

    application = (
        Application.objects.select_related("programme", "household", "unit", "created_by")
        .filter(pk=subject_id)
        .first()
    )
    if application is None:
        return "", []
    url = reverse("assistance:application_detail", args=[application.pk])
    steps = [
        _("申请:%(name)s(%(archive)s)申请%(programme)s %(amount)s 元,%(day)s 由%(by)s录入")
        % {
            "name": application.household.name,
            "archive": application.household.archive_no,
            "programme": application.programme.name,
            "amount": format_money(application.amount),
            "day": timezone.localdate(application.created_at).isoformat(),
            "by": application.created_by.display_name,
        }
    ]
    case = case_of(procedure_named(SUBJECT_TYPE), application)
    if case is not None:
        visit = latest_visit(case)
        if visit is not None and visit.visited_on:
            steps.append(
                _("入户走访:%(day)s,%(people)s")
                % {"day": visit.visited_on.isoformat(), "people": "、".join(visit.visitors)}
            )
        review = latest_review(case)
        if review is not None:
            steps.append(
                _("民主评议:%(day)s,%(result)s")
                % {
                    "day": review.held_on.isoformat(),
                    "result": _("通过") if review.passed else _("未通过"),
                }
            )
    if application.notice_ends_on is not None:
        steps.append(_("公示:至 %(day)s 期满") % {"day": application.notice_ends_on.isoformat()})
    if case is not None:
        for signoff in signoffs(case):
            steps.append(
                _("审批:%(day)s %(who)s %(outcome)s%(opinion)s")
                % {
                    "day": timezone.localdate(signoff.created_at).isoformat(),
                    "who": signoff.signed_by.display_name,
                    "outcome": signoff.get_outcome_display(),
                    "opinion": f"({signoff.opinion})" if signoff.opinion else "",
                }
            )
    if application.approved_on:
        steps.append(_("批准:%(day)s") % {"day": application.approved_on.isoformat()})
    return url, steps


# --- petitions → assistance ----------------------------------------------------------------
# Petitions and assistance stand side by side (neither may import the other); funds stands above
# both, so the referral of a petition to assistance is wired here.


def petition_to_assistance(*, actor: Any, route: Any) -> str:
    """A petition referred to assistance becomes a draft application (临时救助 of this year)
    for the petition's linked archive, the petition's request as its cause; returns the
    application's reference. Refused (the referral with it) when the petition has no archive,
    the archive is not 在档, or there is no 临时救助 programme this year."""
    from bangfu.assistance.services import ApplicationInput, application_create
    from bangfu.core.errors import ValidationError

    petition = route.petition
    household = petition.household
    if household is None:
        raise ValidationError(_("转帮扶救助须先关联困难职工档案(先建档后帮扶)。"), field="kind")
    if household.status != household.Status.ACTIVE:
        raise ValidationError(
            _("关联的档案 %(no)s 状态为「%(status)s」,不在档,不能转帮扶救助。")
            % {
                "no": household.archive_no or household.name,
                "status": household.get_status_display(),
            },
            field="kind",
        )
    today = timezone.localdate()
    path_ids = [int(x) for x in str(household.unit.path).strip("/").split("/") if x]
    programme = (
        AssistanceProgramme.objects.filter(
            kind=Kind.TEMPORARY, year=today.year, unit_id__in=path_ids
        )
        .order_by("-unit__path", "pk")
        .first()
    )
    if programme is None:
        raise ValidationError(
            _("%(year)s 年度没有该档案所属单位的临时救助项目,请先设立项目再转帮扶救助。")
            % {"year": today.year},
            field="kind",
        )
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    application = application_create(
        actor=actor,
        household_id=household.pk,
        data=ApplicationInput(
            programme=programme,
            period_start=today,
            period_end=month_end - datetime.timedelta(days=1),
            cause=(_("信访转来:%(request)s") % {"request": petition.request})[:200],
        ),
    )
    return f"{application.year}-{application.pk}"


def connect() -> None:
    """Register the wiring (idempotent: `on_approval` and the registries keep one of each)."""
    assistance_hooks.on_approval(commit_on_approval)
    payable.register(SUBJECT_TYPE, reason_not_payable)
    payable.register_paid(SUBJECT_TYPE, schedule_followup)
    payable.register_tracer(SUBJECT_TYPE, trace)
    register_route_handler("assistance", petition_to_assistance)
