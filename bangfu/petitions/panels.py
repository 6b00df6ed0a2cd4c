"""The archive page's section listing the household's petitions — only those the viewer may see
(restricted ones only with the permission; never one about the viewer)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.panels import Panel, register

from .permissions import PetitionsPermission
from .selectors.browse import household_petitions, next_deadline

# The archive page's key (`bangfu.archives.panels.PAGE`), named here so that petitions does not
# reach into the archives' page code.
ARCHIVE_PAGE = "archives.household"


@register(ARCHIVE_PAGE)
def petitions_panel(request: HttpRequest, household: Any) -> Panel | None:
    user = request.user
    if not policy.has_perm(user, PetitionsPermission.VIEW):
        return None
    petitions = household_petitions(user=user, household_id=household.pk)
    can_register = policy.unit_in_scope(user, PetitionsPermission.REGISTER, household.unit)
    if not petitions and not can_register:
        return None
    return Panel(
        key="petitions",
        title=_("信访记录"),
        template="petitions/_panel_household.html",
        context={
            "rows": [(p, next_deadline(p)) for p in petitions],
            "household": household,
            "can_register": can_register,
        },
        order=300,
    )
