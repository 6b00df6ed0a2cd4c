"""Pages of assistance: applications (list, new, open) and programmes with their rule versions.
Views fetch through the selectors (outside the scope: 404) and write through the services."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.archives.selectors.access import access_household
from bangfu.core.formkit import action_response

from . import selectors, services
from .forms import ApplicationFilterForm, ApplicationForm, FollowUpForm, ProgrammeForm, RuleForm
from .models import Application, Programme
from .permissions import AssistancePermission as P

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
            "can_follow_up": policy.unit_in_scope(request.user, P.INVESTIGATE, application.unit),
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
