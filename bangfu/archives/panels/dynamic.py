"""The detail page's 动态管理 section: reviews, next review due, monthly incomes, and the
forms to review, record income, close and reopen (for holders of archives.manage)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.panels import Panel, register

from ..conf import review_rule
from ..forms.dynamic import AnnualReviewForm, CloseForm, MonthlyIncomeForm, ReopenForm
from ..models import Household
from ..permissions import ArchivesPermission
from ..selectors import dynamic as selectors
from . import PAGE


@register(PAGE)
def dynamic_panel(request: HttpRequest, household: Household) -> Panel | None:
    if household.status not in (Household.Status.ACTIVE, Household.Status.CLOSED):
        return None  # an application in procedure has nothing to review yet
    today = timezone.localdate()
    manage = policy.has_perm(request.user, ArchivesPermission.MANAGE) and policy.unit_in_scope(
        request.user, ArchivesPermission.MANAGE, household.unit
    )
    active = household.status == Household.Status.ACTIVE
    context: dict[str, Any] = {
        "household": household,
        "reviews": selectors.household_reviews(household=household),
        "incomes": selectors.household_incomes(household=household),
        "rule": review_rule(),
        "review_overdue": bool(
            active and household.review_due_on and household.review_due_on < today
        ),
        "retention_due": bool(
            household.retention_review_on and household.retention_review_on <= today
        ),
        "can_manage": manage,
        "active": active,
    }
    if manage and active:
        context["review_form"] = AnnualReviewForm(auto_id="id_review_%s")
        context["income_form"] = MonthlyIncomeForm(auto_id="id_income_%s")
        context["close_form"] = CloseForm(auto_id="id_close_%s")
    elif manage:
        context["reopen_form"] = ReopenForm(auto_id="id_reopen_%s")
    return Panel(
        key="dynamic",
        title=_("动态管理"),
        template="archives/dynamic/panel.html",
        context=context,
        order=60,
    )
