"""Pages of dynamic management: reviews due, 脱困 proposals, closed archives, spot checks, and
the forms to review, record income, close and reopen an archive.

Views stay thin: archives are fetched through the user's scope (outside it: NotFound, the 404
page, exactly like a missing one), the services decide, and the forms answer through
`formkit.action_response` (400 invalid, 403 not allowed, 409 wrong state).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts.requests import AuthenticatedHttpRequest
from bangfu.core.formkit import action_response
from bangfu.core.masking import mask_id_number
from bangfu.core.paging import CappedPaginator

from .. import conf
from ..forms.dynamic import (
    AnnualReviewForm,
    CloseForm,
    MonthlyIncomeForm,
    ReopenForm,
    SpotCheckDrawForm,
    SpotCheckResultForm,
)
from ..permissions import ArchivesPermission
from ..selectors import access_household
from ..selectors import dynamic as selectors
from ..services import dynamic as services

MANAGE = ArchivesPermission.MANAGE
PAGE_SIZE = 50


def household_url(pk: int) -> str:
    """Return the archive's detail page (owned by the browse area)."""
    try:
        return reverse("archives:household_detail", args=[pk])
    except NoReverseMatch:  # the browse pages are not installed
        return reverse("archives:annual_review_create", args=[pk])


def _page(request: AuthenticatedHttpRequest, rows: Any) -> Any:
    # Counted to at most 10,000 rows: a city's reviews due must not be counted on every page.
    return CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- lists ---------------------------------------------------------------------------------


@require_GET
def review_due_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """复核到期: archives whose yearly review is due within 30 days or overdue."""
    rows = selectors.reviews_due(user=request.user)
    page = _page(request, rows)
    today = timezone.localdate()
    for household in page:
        household.overdue = household.review_due_on < today
        household.masked_id = mask_id_number(household.id_number)
        household.detail_url = household_url(household.pk)
    return render(
        request,
        "archives/dynamic/review_due_list.html",
        {
            "page": page,
            "rule": conf.review_rule(),
            "within_days": selectors.REVIEW_DUE_SOON_DAYS,
        },
    )


@require_GET
def recovery_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """建议脱困: archives whose recorded income stayed above the standard long enough."""
    candidates = selectors.recovery_candidates(user=request.user)
    page = _page(request, candidates)
    for candidate in page:
        candidate.household.detail_url = household_url(candidate.household.pk)
    return render(
        request,
        "archives/dynamic/recovery_list.html",
        {"page": page, "months": conf.recovery_months()},
    )


@require_GET
def closed_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """已撤档: closed archives, flagged once their retention review date has come."""
    retention_due_only = request.GET.get("retention_due") == "1"
    today = timezone.localdate()
    rows = selectors.closed_households(user=request.user, retention_due_only=retention_due_only)
    page = _page(request, rows)
    for household in page:
        household.retention_due = bool(
            household.retention_review_on and household.retention_review_on <= today
        )
        household.detail_url = household_url(household.pk)
    return render(
        request,
        "archives/dynamic/closed_list.html",
        {
            "page": page,
            "retention_due_only": retention_due_only,
            "years": conf.retention_years(),
        },
    )


# --- forms on one archive --------------------------------------------------------------------


def _archive_form(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    form_class: type,
    title: str,
    service: Callable[..., Any],
    success: str,
    submit: str,
) -> HttpResponse:
    """The page of a form on one archive: `service(actor=…, household=…, **cleaned_data)`."""
    household = access_household(user=request.user, household_id=pk, perm=MANAGE)
    form = form_class(request.POST or None)
    return action_response(
        request,
        form=form,
        run=lambda: service(actor=request.user, household=household, **form.cleaned_data),
        template="archives/dynamic/form.html",
        context={
            "household": household,
            "title": title,
            "submit": submit,
            "detail_url": household_url(household.pk),
        },
        success_url=household_url(household.pk),
        done=success,
    )


@require_http_methods(["GET", "POST"])
def annual_review_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _archive_form(
        request,
        pk,
        form_class=AnnualReviewForm,
        title=_("年度复核"),
        service=services.annual_review_record,
        success=_("已记录年度复核。"),
        submit=_("保存复核"),
    )


@require_http_methods(["GET", "POST"])
def monthly_income_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _archive_form(
        request,
        pk,
        form_class=MonthlyIncomeForm,
        title=_("记录月收入"),
        service=services.monthly_income_record,
        success=_("已记录月人均净收入。"),
        submit=_("保存"),
    )


@require_http_methods(["GET", "POST"])
def household_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _archive_form(
        request,
        pk,
        form_class=CloseForm,
        title=_("撤档"),
        service=services.household_close,
        success=_("档案已撤档,档案资料全部保留。"),
        submit=_("确认撤档"),
    )


@require_http_methods(["GET", "POST"])
def household_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _archive_form(
        request,
        pk,
        form_class=ReopenForm,
        title=_("恢复在档"),
        service=services.household_reopen,
        success=_("档案已恢复在档。"),
        submit=_("确认恢复"),
    )


# --- spot checks ----------------------------------------------------------------------------


def _draw_form(request: AuthenticatedHttpRequest, data: Any = None) -> SpotCheckDrawForm:
    return SpotCheckDrawForm(
        data,
        centres=selectors.spot_check_centres(user=request.user),
        rate=conf.spot_check_percent(),
    )


def _can_manage(request: AuthenticatedHttpRequest) -> bool:
    from bangfu.accounts import policy

    return policy.has_perm(request.user, MANAGE)


def _spot_check_list_page(
    request: AuthenticatedHttpRequest, form: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "archives/dynamic/spot_check_list.html",
        {
            "spot_checks": selectors.spot_check_list(user=request.user),
            "form": form,
        },
        status=status,
    )


@require_GET
def spot_check_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _draw_form(request) if _can_manage(request) else None
    return _spot_check_list_page(request, form)


@require_http_methods(["POST"])
def spot_check_draw(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _draw_form(request, request.POST)
    return action_response(
        request,
        form=form,
        run=lambda: services.spot_check_draw(
            actor=request.user,
            centre=form.cleaned_data["centre"],
            year=form.cleaned_data["year"],
            rate_percent=form.cleaned_data["rate_percent"],
        ),
        page=lambda form, status: _spot_check_list_page(request, form, status=status),
        success_url=lambda spot_check: reverse("archives:spot_check_detail", args=[spot_check.pk]),
        done=lambda spot_check: (
            _("已抽取 %(year)d 年度抽查:在档 %(n)d 户,抽中 %(k)d 户。")
            % {"year": spot_check.year, "n": spot_check.population, "k": spot_check.items.count()}
        ),
    )


@require_GET
def spot_check_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    spot_check = selectors.access_spot_check(user=request.user, spot_check_id=pk)
    items = selectors.spot_check_items(user=request.user, spot_check=spot_check)
    for item in items:
        item.household.detail_url = household_url(item.household_id)  # type: ignore[attr-defined]
    return render(
        request,
        "archives/dynamic/spot_check_detail.html",
        {"spot_check": spot_check, "items": items, "can_manage": _can_manage(request)},
    )


@require_http_methods(["GET", "POST"])
def spot_check_item_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_spot_check_item(user=request.user, item_id=pk)
    initial = {"checked_on": item.checked_on or timezone.localdate(), "finding": item.finding}
    form = SpotCheckResultForm(request.POST or None, initial=initial)
    return action_response(
        request,
        form=form,
        run=lambda: services.spot_check_result_record(
            actor=request.user, item=item, **form.cleaned_data
        ),
        template="archives/dynamic/form.html",
        context={
            "household": item.household,
            "title": _("记录抽查结果(%(year)d 年度)") % {"year": item.spot_check.year},
            "submit": _("保存"),
            "detail_url": reverse("archives:spot_check_detail", args=[item.spot_check_id]),
        },
        success_url=reverse("archives:spot_check_detail", args=[item.spot_check_id]),
        done=_("已记录抽查结果。"),
    )
