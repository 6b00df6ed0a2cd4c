"""Funds' sections on other contexts' pages: on the archive page, all money the household
received from the fund, by year, with totals (for whoever may read the books); on an
assistance application waiting for approval, the money available and the budget left (for
whoever may approve it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.errors import Conflict
from bangfu.core.money import format_money
from bangfu.core.panels import Panel, register

from .permissions import FundsPermission
from .selectors import household_payments

# The archive page's key (`bangfu.archives.panels.PAGE`).
ARCHIVE_PAGE = "archives.household"


@register(ARCHIVE_PAGE)
def funds_panel(request: HttpRequest, household: Any) -> Panel | None:
    user = request.user
    if not policy.unit_in_scope(user, FundsPermission.VIEW, household.centre):
        return None
    rows, totals = household_payments(user, household.pk)
    return Panel(
        key="funds",
        title=_("帮扶资金发放"),
        template="funds/_panel_household.html",
        context={"rows": rows, "totals": totals},
        order=400,
    )


# The application page's key (`bangfu.assistance.panels.APPLICATION_PAGE`).
APPLICATION_PAGE = "assistance.application"


@register(APPLICATION_PAGE)
def approval_money_panel(request: HttpRequest, application: Any) -> Panel | None:
    """Before 审批, for whoever may approve the application: the money available in the
    centre's book (balance − commitments) and the budget left for the programme the approval
    would commit to, with a warning when the amount exceeds either (the approval would be
    refused). Reads only."""
    from bangfu.assistance.models import Application
    from bangfu.assistance.permissions import AssistancePermission

    from .links import programme_of
    from .models import Programme
    from .services.commitments import book_for, room

    user = request.user
    if application.status != Application.Status.PENDING_APPROVAL:
        return None
    if not policy.unit_in_scope(user, AssistancePermission.APPROVE, application.unit):
        return None
    programme = programme_of(application)
    context: dict[str, Any] = {
        "amount": application.amount,
        "programme_label": Programme(programme).label,
        "warnings": [],
    }
    try:
        book = book_for(application.unit, timezone.localdate())
    except Conflict as exc:
        context["warnings"].append(exc.message)
        context["book"] = None
    else:
        left = room(book, programme)
        context.update({"book": book, "available": left.available, "budget_left": left.budget_left})
        if left.available < application.amount:
            context["warnings"].append(
                _("申请金额 %(need)s 元超过专户可用资金 %(left)s 元,批准将被拒绝。")
                % {"need": format_money(application.amount), "left": format_money(left.available)}
            )
        if left.budget_left is not None and left.budget_left < application.amount:
            context["warnings"].append(
                _("申请金额 %(need)s 元超过“%(programme)s”预算余额 %(left)s 元,批准将被拒绝。")
                % {
                    "need": format_money(application.amount),
                    "programme": context["programme_label"],
                    "left": format_money(left.budget_left),
                }
            )
    context["can_view_book"] = context["book"] is not None and policy.unit_in_scope(
        user, FundsPermission.VIEW, context["book"].unit
    )
    return Panel(
        key="funds-room",
        title=_("审批前:资金与预算"),
        template="funds/_panel_approval.html",
        context=context,
        order=10,
    )
