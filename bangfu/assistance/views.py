"""Pages of assistance: applications (list, new, open) and programmes with their rule versions.
Views fetch through the selectors (outside the scope: 404) and write through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.archives.selectors.access import access_household
from bangfu.core.formkit import ConfirmForm, action_response
from bangfu.core.panels import panels_for
from bangfu.kits.workflow.selectors import procedure_view

from . import campaign, selectors, services
from .forms import (
    ApplicationFilterForm,
    ApplicationForm,
    BatchCreateForm,
    BatchReviewForm,
    BatchSignOffDecisionForm,
    BatchSignOffForm,
    BatchStartsForm,
    DuplicateReleaseForm,
    FollowUpForm,
    NoteForm,
    ProgrammeForm,
    ReviewForm,
    RuleForm,
    SignOffForm,
    VisitForm,
)
from .models import Application, Programme
from .panels import APPLICATION_PAGE
from .permissions import AssistancePermission as P
from .procedure import APPLICATION

PER_PAGE = 30


def application_list(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ApplicationFilters(
        status=data.get("status") or "", kind=data.get("kind") or "", year=data.get("year")
    )
    page = Paginator(
        selectors.application_list(user=request.user, filters=filters), PER_PAGE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assistance/application_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def application_create(request: HttpRequest) -> HttpResponse:
    household = access_household(
        user=request.user, household_id=request.GET.get("household"), perm=P.APPLY
    )
    year = timezone.localdate().year
    programmes = selectors.programme_list().filter(year__in=(year - 1, year, year + 1))
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        programmes=programmes,
        members=household.members.all(),
    )

    def run() -> Application:
        d = form.cleaned_data
        data = services.ApplicationInput(
            programme=d["programme"],
            period_start=d["period_start"],
            period_end=d["period_end"],
            amount=d["amount"],
            amount_reason=d["amount_reason"],
            cause=d["cause"],
            expenses=d["expenses"],
            illness=d["illness"],
            hospital=d["hospital"],
            bill_items=d["bill_items"],
            insurance_paid=d["insurance_paid"],
            other_aid=d["other_aid"],
            self_paid=d["self_paid"],
            student_id=d["student"],
            school=d["school"],
            school_level=d["school_level"],
            school_year=d["school_year"],
            tuition=d["tuition"],
            admission_letter=d["admission_letter"],
            school_kind=d["school_kind"],
            aided_elsewhere=d["aided_elsewhere"],
        )
        return services.application_create(actor=request.user, household_id=household.pk, data=data)

    return action_response(
        request,
        form=form,
        run=run,
        success_url=lambda a: reverse("assistance:application_detail", args=[a.pk]),
        done=_("救助申请已保存为草稿。"),
        template="assistance/application_create.html",
        context={"household": household},
    )


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.access_application(user=request.user, application_id=pk)
    year_rows = selectors.household_aid(user=request.user, household_id=application.household_id)
    return render(
        request,
        "assistance/application_detail.html",
        {
            "a": application,
            "this_year": next((r for r in year_rows if r.year == application.year), None),
            "signoffs": application.rule.signoffs_needed(application.amount),
            "followup": selectors.followup_of(application),
            "procedure_view": procedure_view(APPLICATION, application, request.user),
            "can_release": bool(
                application.duplicate_of_id
                and not application.duplicate_reason
                and policy.unit_in_scope(request.user, P.APPROVE, application.unit)
            ),
            "can_follow_up": policy.unit_in_scope(request.user, P.INVESTIGATE, application.unit),
            "panels": [
                {
                    "panel": panel,
                    "html": render_to_string(
                        panel.template, {**panel.context, "a": application}, request=request
                    ),
                }
                for panel in panels_for(APPLICATION_PAGE, request, application)
            ],
        },
    )


def programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assistance/programme_list.html",
        {"programmes": selectors.programme_list()},
    )


def programme_create(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        units=policy.units_in_scope(request.user, P.MANAGE_PROGRAMMES),
        initial={"year": timezone.localdate().year},
    )

    def run() -> Programme:
        d = form.cleaned_data
        return services.programme_create(
            actor=request.user,
            unit=d["unit"],
            kind=d["kind"],
            year=d["year"],
            name=d["name"],
            campaign=d["campaign"],
            budget_line=d["budget_line"],
        )

    return action_response(
        request,
        form=form,
        run=run,
        success_url=lambda p: reverse("assistance:programme_detail", args=[p.pk]),
        done=_("救助项目已建立。"),
        template="assistance/programme_form.html",
        context={"title": _("新建救助项目")},
    )


def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(pk)
    return render(
        request,
        "assistance/programme_detail.html",
        {
            "programme": programme,
            "rules": selectors.rule_history(programme),
            "can_manage": policy.unit_in_scope(request.user, P.MANAGE_PROGRAMMES, programme.unit),
        },
    )


def rule_revise(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(pk)
    current = selectors.current_rule(programme)
    initial: dict[str, Any] = {f: getattr(current, f) for f in services.RULE_FIELDS}
    form = RuleForm(request.POST if request.method == "POST" else None, initial=initial)

    def run() -> Any:
        d = dict(form.cleaned_data)
        note = d.pop("note")
        return services.rule_revise(actor=request.user, programme=programme, rules=d, note=note)

    return action_response(
        request,
        form=form,
        run=run,
        success_url=reverse("assistance:programme_detail", args=[programme.pk]),
        done=_("已保存为新的规则版本。"),
        template="assistance/programme_form.html",
        context={"title": _("修改规则(保存为新版本)"), "programme": programme},
    )


def followup_record(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.access_followup(user=request.user, followup_id=pk)
    form = FollowUpForm(
        request.POST if request.method == "POST" else None,
        initial={"done_on": timezone.localdate()},
    )
    return action_response(
        request,
        form=form,
        run=lambda: services.followup_record(
            actor=request.user, followup_id=followup.pk, **form.cleaned_data
        ),
        success_url=reverse("assistance:application_detail", args=[followup.application_id]),
        done=_("已记录回访结果。"),
        template="assistance/application_step.html",
        context={"a": followup.application, "title": _("记录回访结果")},
    )


def student_register(request: HttpRequest) -> HttpResponse:
    """困难学生档案: every household member in school, with grants year by year and who must
    re-apply this year."""
    page = Paginator(selectors.student_members(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    year = timezone.localdate().year
    rows = selectors.student_rows(list(page.object_list), year=year)
    return render(
        request,
        "assistance/student_register.html",
        {"page": page, "rows": rows, "year": year, "query": ""},
    )


# --- the procedure's steps --------------------------------------------------------------------


def _step(
    request: HttpRequest,
    pk: int,
    *,
    form_class: Any,
    run: Any,
    done: str,
    title: str,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    application = selectors.access_application(user=request.user, application_id=pk)
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    return action_response(
        request,
        form=form,
        run=lambda: run(application, form.cleaned_data),
        success_url=reverse("assistance:application_detail", args=[application.pk]),
        done=done,
        template="assistance/application_step.html",
        context={"a": application, "title": title},
    )


def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=ConfirmForm,
        run=lambda a, d: services.application_submit(actor=request.user, application=a),
        done=_("申请已提交,进入办理流程。"),
        title=_("提交申请"),
    )


def application_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=ConfirmForm,
        run=lambda a, d: services.application_resubmit(actor=request.user, application=a),
        done=_("已重新提交。"),
        title=_("修改后重新提交"),
    )


def application_visit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=VisitForm,
        run=lambda a, d: services.application_visit(actor=request.user, application=a, **d),
        done=_("已记录入户走访。"),
        title=_("记录入户走访"),
        initial={"visited_on": timezone.localdate()},
    )


def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=ReviewForm,
        run=lambda a, d: services.application_review(actor=request.user, application=a, **d),
        done=_("已记录民主评议。"),
        title=_("记录民主评议"),
        initial={"held_on": timezone.localdate()},
    )


def application_notice(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=ConfirmForm,
        run=lambda a, d: services.application_notice(actor=request.user, application=a),
        done=_("已发布公示。"),
        title=_("发布公示"),
    )


def application_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=NoteForm,
        run=lambda a, d: services.application_send(actor=request.user, application=a, **d),
        done=_("已提交审批。"),
        title=_("提交审批"),
    )


def application_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=SignOffForm,
        run=lambda a, d: services.application_signoff(actor=request.user, application=a, **d),
        done=_("审批意见已记录。"),
        title=_("审批"),
    )


def application_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=DuplicateReleaseForm,
        run=lambda a, d: services.application_release_duplicate(
            actor=request.user, application=a, **d
        ),
        done=_("已放行该重复申请。"),
        title=_("放行疑似重复申请"),
    )


def approval_batch(request: HttpRequest) -> HttpResponse:
    """The applications waiting for the user's sign-off, approved (or returned, refused) many
    at once: one decision per application, each refusable on its own."""
    waiting = selectors.awaiting_signoff(user=request.user)
    form = BatchSignOffForm(request.POST if request.method == "POST" else None, queryset=waiting)
    results: list[Any] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            results = services.application_signoff_many(
                actor=request.user,
                applications=list(d["applications"]),
                outcome=d["outcome"],
                opinion=d["opinion"],
            )
            form = BatchSignOffForm(None, queryset=selectors.awaiting_signoff(user=request.user))
        else:
            status = 400
    return render(
        request,
        "assistance/approval_batch.html",
        {"form": form, "results": results},
        status=status,
    )


# --- 金秋助学 batches ----------------------------------------------------------------------------


def batch_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.batch_list(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "assistance/batch_list.html", {"page": page, "query": ""})


def batch_create(request: HttpRequest) -> HttpResponse:
    form = BatchCreateForm(
        request.POST if request.method == "POST" else None,
        programmes=selectors.programme_list().filter(campaign=True),
        units=policy.units_in_scope(request.user, P.INVESTIGATE, kind="center"),
        candidates=selectors.batch_candidates(user=request.user),
    )

    def run() -> Any:
        d = form.cleaned_data
        return campaign.batch_create(
            actor=request.user,
            programme=d["programme"],
            unit=d["unit"],
            name=d["name"],
            application_ids=[a.pk for a in d["applications"]],
        )

    return action_response(
        request,
        form=form,
        run=run,
        success_url=lambda b: reverse("assistance:batch_detail", args=[b.pk]),
        done=_("金秋助学批次已建立。"),
        template="assistance/batch_form.html",
        context={"title": _("新建金秋助学批次")},
    )


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.access_batch(user=request.user, batch_id=pk)
    items = list(selectors.batch_items(batch))
    counts: dict[str, int] = {}
    for a in items:
        counts[a.status] = counts.get(a.status, 0) + 1
    S = Application.Status
    return render(
        request,
        "assistance/batch_detail.html",
        {
            "batch": batch,
            "items": items,
            "can_work": policy.unit_in_scope(request.user, P.INVESTIGATE, batch.unit),
            "can_sign": policy.unit_in_scope(request.user, P.APPROVE, batch.unit),
            "drafts": counts.get(S.DRAFT, 0),
            "reviewable": sum(counts.get(s, 0) for s in (S.SUBMITTED, S.VERIFIED)),
            "to_notice": counts.get(S.REVIEWED, 0),
            "publicizing": counts.get(S.PUBLICIZING, 0),
            "pending": counts.get(S.PENDING_APPROVAL, 0),
        },
    )


def _report(request: HttpRequest, results: list[Any]) -> str:
    """Each refused item as its own message; the count of the done ones as the answer."""
    for r in results:
        if r.error:
            messages.error(
                request,
                _("%(name)s:%(error)s") % {"name": r.application.household.name, "error": r.error},
            )
    done = sum(1 for r in results if r.done)
    return _("已办理 %(done)d 项,未办理 %(left)d 项。") % {
        "done": done,
        "left": len(results) - done,
    }


def _batch_action(
    request: HttpRequest,
    pk: int,
    *,
    form: Any,
    run: Any,
    title: str,
    template: str = "assistance/batch_step.html",
    perm: str = P.INVESTIGATE,
) -> HttpResponse:
    batch = selectors.access_batch(user=request.user, batch_id=pk)
    policy.require_in_scope(request.user, perm, batch.unit)
    form = form(batch)
    return action_response(
        request,
        form=form,
        run=lambda: run(batch, form.cleaned_data if form.is_bound else {}, form),
        success_url=reverse("assistance:batch_detail", args=[batch.pk]),
        done=lambda results: _report(request, results),
        template=template,
        context={"batch": batch, "title": title},
    )


def _bound(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def batch_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(
        request,
        pk,
        form=lambda b: ConfirmForm(_bound(request)),
        run=lambda b, d, f: campaign.batch_submit(actor=request.user, batch=b),
        title=_("提交本批次全部草稿"),
    )


def batch_review(request: HttpRequest, pk: int) -> HttpResponse:
    S = Application.Status

    def run(batch: Any, d: dict[str, Any], form: BatchReviewForm) -> Any:
        return campaign.batch_review(
            actor=request.user,
            batch=batch,
            held_on=d["held_on"],
            participants=d["participants"],
            record=d["record"],
            decisions=[campaign.ReviewDecision(*row) for row in form.decisions()],
        )

    return _batch_action(
        request,
        pk,
        form=lambda b: BatchReviewForm(
            _bound(request),
            items=list(selectors.batch_items(b).filter(status__in=(S.SUBMITTED, S.VERIFIED))),
            initial={"held_on": timezone.localdate()},
        ),
        run=run,
        title=_("逐项民主评议"),
        template="assistance/batch_review.html",
    )


def batch_notice(request: HttpRequest, pk: int) -> HttpResponse:
    def run(batch: Any, d: dict[str, Any], form: Any) -> Any:
        _notice, results = campaign.batch_notice(
            actor=request.user, batch=batch, starts_on=d.get("starts_on")
        )
        return results

    return _batch_action(
        request,
        pk,
        form=lambda b: BatchStartsForm(_bound(request)),
        run=run,
        title=_("发布本批次公示"),
    )


def batch_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(
        request,
        pk,
        form=lambda b: NoteForm(_bound(request)),
        run=lambda b, d, f: campaign.batch_send(actor=request.user, batch=b, **d),
        title=_("本批次逐项提交审批"),
    )


def batch_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    waiting = selectors.awaiting_signoff(user=request.user)

    def run(batch: Any, d: dict[str, Any], form: BatchSignOffDecisionForm) -> Any:
        return campaign.batch_signoff(
            actor=request.user,
            batch=batch,
            decisions=[campaign.SignOffDecision(*row) for row in form.decisions()],
        )

    return _batch_action(
        request,
        pk,
        form=lambda b: BatchSignOffDecisionForm(
            _bound(request), items=list(waiting.filter(batch=b))
        ),
        run=run,
        title=_("逐项审批"),
        template="assistance/batch_signoff.html",
        perm=P.APPROVE,
    )
