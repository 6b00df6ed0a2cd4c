"""The archive page's section listing all money the household received from the fund, by year,
with totals — for whoever may read the books."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bangfu.accounts import policy
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
