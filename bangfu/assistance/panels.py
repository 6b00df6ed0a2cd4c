"""The archive page's section listing every application and grant of the household by year."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.panels import Panel, register

from .permissions import AssistancePermission
from .selectors import household_aid

# The archive page's key (`bangfu.archives.panels.PAGE`).
ARCHIVE_PAGE = "archives.household"
# The application page's key: contexts above assistance (funds) add their sections to it.
APPLICATION_PAGE = "assistance.application"


@register(ARCHIVE_PAGE)
def assistance_panel(request: HttpRequest, household: Any) -> Panel | None:
    user = request.user
    if not policy.has_perm(user, AssistancePermission.VIEW):
        return None
    years = household_aid(user=user, household_id=household.pk)
    can_apply = household.status == household.Status.ACTIVE and policy.unit_in_scope(
        user, AssistancePermission.APPLY, household.unit
    )
    if not years and not can_apply:
        return None
    return Panel(
        key="assistance",
        title=_("帮扶救助"),
        template="assistance/_panel_household.html",
        context={"years": years, "household": household, "can_apply": can_apply},
        order=250,
    )
