"""Pages of the filing procedure: one action per URL, each posted from the procedure panel of
the detail page. A form with errors is shown again on its own page, keeping what was typed.

Every URL fetches the archive within the user's view scope first, so an archive outside it is a
404 whatever the action; the service then checks the action's own permission (403 with the
reason) and the archive's state (409, the reason shown on the form); invalid input is 400
(`core.formkit.action_response`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangfu.core.errors import NotFound
from bangfu.core.formkit import action_response

from ..forms.procedure import (
    ConsentForm,
    DecideForm,
    InvestigationForm,
    NoticeForm,
    ReviewForm,
    SubmitForm,
)
from ..models import Household
from ..selectors.access import access_household
from ..services import procedure


def _household(request: HttpRequest, pk: int) -> Household:
    try:
        return access_household(user=request.user, household_id=pk)
    except NotFound:
        raise Http404 from None


def _detail(household: Household) -> str:
    return reverse("archives:household_detail", args=[household.pk]) + "#panel-procedure"


class _EmptyForm(forms.Form):
    pass


def _action(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    title: str,
    run: Callable[[Household, forms.Form], Any],
    done: str,
) -> HttpResponse:
    household = _household(request, pk)
    form = form_class(request.POST or None)
    return action_response(
        request,
        form=form,
        run=lambda: run(household, form),
        success_url=_detail(household),
        done=done,
        template="archives/procedure/action.html",
        context={"household": household, "title": title, "detail_url": _detail(household)},
    )


@require_http_methods(["GET", "POST"])
def procedure_apply(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=_EmptyForm,
        title=_("提交建档申请"),
        run=lambda h, f: procedure.household_apply(actor=request.user, household=h),
        done=_("已提交建档申请,等待入户调查。"),
    )


@require_http_methods(["GET", "POST"])
def procedure_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=_EmptyForm,
        title=_("修改后重新提交"),
        run=lambda h, f: procedure.household_resubmit(actor=request.user, household=h),
        done=_("已重新提交,等待入户调查。"),
    )


@require_http_methods(["GET", "POST"])
def procedure_investigation(request: HttpRequest, pk: int) -> HttpResponse:
    def run(household: Household, form: Any) -> None:
        d = form.cleaned_data
        procedure.investigation_record(
            actor=request.user,
            household=household,
            visited_on=d["visited_on"],
            visitors=form.visitor_names(),
            findings=d["findings"],
            recommendation=d["recommendation"],
        )

    return _action(
        request,
        pk,
        form_class=InvestigationForm,
        title=_("记录入户调查"),
        run=run,
        done=_("已记录入户调查。"),
    )


@require_http_methods(["GET", "POST"])
def procedure_review(request: HttpRequest, pk: int) -> HttpResponse:
    def run(household: Household, form: Any) -> None:
        d = form.cleaned_data
        procedure.review_record(
            actor=request.user,
            household=household,
            held_on=d["held_on"],
            participants=d["participants"],
            votes_for=d["votes_for"],
            votes_against=d["votes_against"],
            passed=d["passed"],
            record=d["record"],
        )

    return _action(
        request,
        pk,
        form_class=ReviewForm,
        title=_("记录民主评议"),
        run=run,
        done=_("已记录民主评议。"),
    )


@require_http_methods(["GET", "POST"])
def procedure_notice(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=NoticeForm,
        title=_("开始公示"),
        run=lambda h, f: procedure.notice_start(
            actor=request.user, household=h, starts_on=f.cleaned_data.get("starts_on")
        ),
        done=_("已发布公示。"),
    )


@require_http_methods(["GET", "POST"])
def procedure_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=SubmitForm,
        title=_("提交审批"),
        run=lambda h, f: procedure.submit_for_approval(
            actor=request.user, household=h, note=f.cleaned_data.get("note") or ""
        ),
        done=_("已提交审批。"),
    )


@require_http_methods(["GET", "POST"])
def procedure_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=DecideForm,
        title=_("审批"),
        run=lambda h, f: procedure.decide(
            actor=request.user,
            household=h,
            outcome=f.cleaned_data["outcome"],
            reason=f.cleaned_data.get("reason") or "",
        ),
        done=_("已保存审批结果。"),
    )


@require_http_methods(["GET", "POST"])
def procedure_consent(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=ConsentForm,
        title=_("记录知情同意"),
        run=lambda h, f: procedure.consent_record(
            actor=request.user,
            household=h,
            kind=f.cleaned_data["kind"],
            given_on=f.cleaned_data["given_on"],
        ),
        done=_("已记录知情同意。"),
    )
