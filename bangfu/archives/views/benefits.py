"""Pages of policy benefits (应保尽保): add and end a household's benefit, and the list of
archives that qualify for 低保 but do not receive it."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts.requests import AuthenticatedHttpRequest
from bangfu.core.formkit import action_response
from bangfu.core.masking import mask_id_number
from bangfu.core.paging import CappedPaginator

from .. import rules
from ..forms.standards import BenefitAddForm, BenefitEndForm
from ..models import Household, HouseholdBenefit
from ..permissions import ArchivesPermission
from ..selectors import access_household
from ..selectors import benefits as selectors
from ..services import benefits as services
from .standards import household_url

PAGE_SIZE = 50


def _household_form(title: str, household: Household) -> dict[str, Any]:
    return {
        "household": household,
        "title": title,
        "detail_url": household_url(household.pk),
        "submit": _("保存"),
    }


@require_http_methods(["GET", "POST"])
def household_benefit_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = access_household(user=request.user, household_id=pk, perm=ArchivesPermission.FILE)
    form = BenefitAddForm(request.POST or None, types=selectors.benefit_types(active_only=True))

    def run() -> HouseholdBenefit:
        data = form.cleaned_data
        return services.household_benefit_add(
            actor=request.user,
            household_id=household.pk,
            benefit_type_id=data["benefit"],
            started_on=data["started_on"],
            note=data["note"],
        )

    return action_response(
        request,
        form=form,
        run=run,
        template="archives/standards/household_form.html",
        context=_household_form(_("登记享受的政策待遇"), household),
        success_url=household_url(household.pk),
        done=lambda row: _("已登记享受“%(name)s”。") % {"name": row.benefit.name},
    )


@require_http_methods(["GET", "POST"])
def household_benefit_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = selectors.access_household_benefit(user=request.user, benefit_id=pk)
    form = BenefitEndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    title = _("登记政策待遇结束:%(name)s(%(day)s 起)") % {
        "name": row.benefit.name,
        "day": row.started_on.isoformat(),
    }
    return action_response(
        request,
        form=form,
        run=lambda: services.household_benefit_end(
            actor=request.user, benefit_id=row.pk, ended_on=form.cleaned_data["ended_on"]
        ),
        template="archives/standards/household_form.html",
        context=_household_form(title, row.household),
        success_url=household_url(row.household_id),
        done=_("已登记“%(name)s”结束。") % {"name": row.benefit.name},
    )


GAP_COUNT_CAP = 1_000


@require_GET
def dibao_gap_list(request: AuthenticatedHttpRequest) -> HttpResponse:
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
