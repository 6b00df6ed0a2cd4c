"""Pages of policy benefits (应保尽保): add and end a household's benefit, and the list of
archives that qualify for 低保 but do not receive it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.core.errors import DomainError, NotFound, ValidationError
from bangfu.core.masking import mask_id_number
from bangfu.core.paging import CappedPaginator

from .. import rules
from ..forms.standards import BenefitAddForm, BenefitEndForm
from ..models import HouseholdBenefit
from ..permissions import ArchivesPermission
from ..selectors import access_household
from ..selectors import benefits as selectors
from ..services import benefits as services
from .standards import household_url

PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
def household_benefit_add(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        household = access_household(
            user=request.user, household_id=pk, perm=ArchivesPermission.FILE
        )
    except NotFound:
        raise Http404 from None
    form = BenefitAddForm(request.POST or None, types=selectors.benefit_types(active_only=True))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.household_benefit_add(
                actor=request.user,
                household_id=household.pk,
                benefit_type_id=data["benefit"],
                started_on=data["started_on"],
                note=data["note"],
            )
        except NotFound:
            raise Http404 from None
        except ValidationError as exc:
            form.apply_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已登记享受“%(name)s”。") % {"name": row.benefit.name})
            return redirect(household_url(household.pk))
    return render(
        request,
        "archives/standards/household_form.html",
        {
            "form": form,
            "household": household,
            "title": _("登记享受的政策待遇"),
            "detail_url": household_url(household.pk),
            "submit": _("保存"),
        },
    )


@require_http_methods(["GET", "POST"])
def household_benefit_end(request: HttpRequest, pk: int) -> HttpResponse:
    row = (
        HouseholdBenefit.objects.select_related("benefit", "household__unit").filter(pk=pk).first()
    )
    try:
        if row is None:
            raise NotFound("")
        household = access_household(
            user=request.user, household_id=row.household_id, perm=ArchivesPermission.FILE
        )
    except NotFound:
        raise Http404 from None
    form = BenefitEndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.household_benefit_end(
                actor=request.user, benefit_id=row.pk, ended_on=form.cleaned_data["ended_on"]
            )
        except NotFound:
            raise Http404 from None
        except ValidationError as exc:
            form.apply_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已登记“%(name)s”结束。") % {"name": row.benefit.name})
            return redirect(household_url(household.pk))
    return render(
        request,
        "archives/standards/household_form.html",
        {
            "form": form,
            "household": household,
            "title": _("登记政策待遇结束:%(name)s(%(day)s 起)")
            % {"name": row.benefit.name, "day": row.started_on.isoformat()},
            "detail_url": household_url(household.pk),
            "submit": _("保存"),
        },
    )


GAP_COUNT_CAP = 1_000


@require_GET
def dibao_gap_list(request: HttpRequest) -> HttpResponse:
    """应享未享低保: archives whose income qualifies for 低保 but who do not receive it."""
    today = timezone.localdate()
    # Counted to 1,000 along the gap's own index: each row is checked against current 低保
    # benefits, so a city's whole gap is not counted on every page.
    rows = selectors.dibao_gap(user=request.user, day=today)
    page = CappedPaginator(rows, PAGE_SIZE, cap=GAP_COUNT_CAP, in_order=True).get_page(
        request.GET.get("page")
    )
    household: Any
    for household in page:
        household.masked_id = mask_id_number(household.id_number)
        household.detail_url = household_url(household.pk)
        household.latest_label = rules.CATEGORY_LABELS.get(household.latest_category, "")
        # Subquery values come back unscaled on SQLite ("500"): show fen.
        household.net_income = rules.money(household.net_income)
        household.dibao_line = rules.money(household.dibao_line)
    return render(request, "archives/standards/dibao_gap_list.html", {"page": page, "today": today})
