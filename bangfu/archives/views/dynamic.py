"""Pages of dynamic management: reviews due, 脱困 proposals, closed archives, spot checks, and
the forms to review, record income, close and reopen an archive.

Views stay thin: archives are fetched through the user's scope (outside it: 404, exactly like a
missing one), the services decide, domain errors become form errors or a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.core.errors import DomainError, ValidationError
from bangfu.core.formkit import apply_errors
from bangfu.core.masking import mask_id_number
from bangfu.core.paging import CappedPaginator
from bangfu.core.shortcuts import found

from ..forms.dynamic import (
    AnnualReviewForm,
    CloseForm,
    MonthlyIncomeForm,
    ReopenForm,
    SpotCheckDrawForm,
    SpotCheckResultForm,
)
from ..models import Household
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


def _page(request: HttpRequest, rows: Any) -> Any:
    # Counted to at most 10,000 rows: a city's reviews due must not be counted on every page.
    return CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- lists ---------------------------------------------------------------------------------


@require_GET
def review_due_list(request: HttpRequest) -> HttpResponse:
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
            "rule": services.review_rule(),
            "within_days": selectors.REVIEW_DUE_SOON_DAYS,
        },
    )


@require_GET
def recovery_list(request: HttpRequest) -> HttpResponse:
    """建议脱困: archives whose recorded income stayed above the standard long enough."""
    candidates = selectors.recovery_candidates(user=request.user)
    page = _page(request, candidates)
    for candidate in page:
        candidate.household.detail_url = household_url(candidate.household.pk)
    return render(
        request,
        "archives/dynamic/recovery_list.html",
        {"page": page, "months": services.recovery_months()},
    )


@require_GET
def closed_list(request: HttpRequest) -> HttpResponse:
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
            "years": services.retention_years(),
        },
    )


# --- forms on one archive --------------------------------------------------------------------


def _archive_form(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type,
    title: str,
    action: Callable[[Household, dict[str, Any]], Any],
    success: str,
    submit: str,
) -> HttpResponse:
    household = found(lambda: access_household(user=request.user, household_id=pk, perm=MANAGE))
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(household, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return redirect(household_url(household.pk))
    return render(
        request,
        "archives/dynamic/form.html",
        {
            "household": household,
            "form": form,
            "title": title,
            "submit": submit,
            "detail_url": household_url(household.pk),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def annual_review_create(request: HttpRequest, pk: int) -> HttpResponse:
    def act(household: Household, data: dict[str, Any]) -> Any:
        return services.annual_review_record(actor=request.user, household=household, **data)

    return _archive_form(
        request,
        pk,
        form_class=AnnualReviewForm,
        title=_("年度复核"),
        action=act,
        success=_("已记录年度复核。"),
        submit=_("保存复核"),
    )


@require_http_methods(["GET", "POST"])
def monthly_income_record(request: HttpRequest, pk: int) -> HttpResponse:
    def act(household: Household, data: dict[str, Any]) -> Any:
        return services.monthly_income_record(actor=request.user, household=household, **data)

    return _archive_form(
        request,
        pk,
        form_class=MonthlyIncomeForm,
        title=_("记录月收入"),
        action=act,
        success=_("已记录月人均净收入。"),
        submit=_("保存"),
    )


@require_http_methods(["GET", "POST"])
def household_close(request: HttpRequest, pk: int) -> HttpResponse:
    def act(household: Household, data: dict[str, Any]) -> Any:
        return services.household_close(actor=request.user, household=household, **data)

    return _archive_form(
        request,
        pk,
        form_class=CloseForm,
        title=_("撤档"),
        action=act,
        success=_("档案已撤档,档案资料全部保留。"),
        submit=_("确认撤档"),
    )


@require_http_methods(["GET", "POST"])
def household_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def act(household: Household, data: dict[str, Any]) -> Any:
        return services.household_reopen(actor=request.user, household=household, **data)

    return _archive_form(
        request,
        pk,
        form_class=ReopenForm,
        title=_("恢复在档"),
        action=act,
        success=_("档案已恢复在档。"),
        submit=_("确认恢复"),
    )


# --- spot checks ----------------------------------------------------------------------------


def _draw_form(request: HttpRequest, data: Any = None) -> SpotCheckDrawForm:
    return SpotCheckDrawForm(
        data,
        centres=selectors.spot_check_centres(user=request.user),
        rate=services.spot_check_percent(),
    )


def _can_manage(request: HttpRequest) -> bool:
    from bangfu.accounts import policy

    return policy.has_perm(request.user, MANAGE)


def _spot_check_list_page(
    request: HttpRequest, form: SpotCheckDrawForm | None, status: int = 200
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
def spot_check_list(request: HttpRequest) -> HttpResponse:
    form = _draw_form(request) if _can_manage(request) else None
    return _spot_check_list_page(request, form)


@require_http_methods(["POST"])
def spot_check_draw(request: HttpRequest) -> HttpResponse:
    form = _draw_form(request, request.POST)
    if form.is_valid():
        try:
            spot_check = services.spot_check_draw(
                actor=request.user,
                centre=form.cleaned_data["centre"],
                year=form.cleaned_data["year"],
                rate_percent=form.cleaned_data["rate_percent"],
            )
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已抽取 %(year)d 年度抽查:在档 %(n)d 户,抽中 %(k)d 户。")
                % {
                    "year": spot_check.year,
                    "n": spot_check.population,
                    "k": spot_check.items.count(),
                },
            )
            return redirect("archives:spot_check_detail", pk=spot_check.pk)
    return _spot_check_list_page(request, form, status=400)


@require_GET
def spot_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    spot_check = found(lambda: selectors.access_spot_check(user=request.user, spot_check_id=pk))
    items = selectors.spot_check_items(user=request.user, spot_check=spot_check)
    for item in items:
        item.household.detail_url = household_url(item.household_id)  # type: ignore[attr-defined]
    return render(
        request,
        "archives/dynamic/spot_check_detail.html",
        {"spot_check": spot_check, "items": items, "can_manage": _can_manage(request)},
    )


@require_http_methods(["GET", "POST"])
def spot_check_item_record(request: HttpRequest, pk: int) -> HttpResponse:
    item = found(lambda: selectors.access_spot_check_item(user=request.user, item_id=pk))
    initial = {"checked_on": item.checked_on or timezone.localdate(), "finding": item.finding}
    form = SpotCheckResultForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.spot_check_result_record(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已记录抽查结果。"))
            return redirect("archives:spot_check_detail", pk=item.spot_check_id)
    return render(
        request,
        "archives/dynamic/form.html",
        {
            "household": item.household,
            "form": form,
            "title": _("记录抽查结果(%(year)d 年度)") % {"year": item.spot_check.year},
            "submit": _("保存"),
            "detail_url": reverse("archives:spot_check_detail", args=[item.spot_check_id]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
