"""The filing procedure's part of the worklist: home visits due, approvals waiting at the user's
level, and archives returned to their filer. One query for each kind, scoped to the user."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.worklist import DueItem, register

from .permissions import ArchivesPermission
from .selectors import filing as selectors

# Items per kind at most: the worklist is a to-do list, the archive list shows the rest.
LIMIT = 200


def _url(household_id: int) -> str:
    return reverse("archives:household_detail", args=[household_id]) + "#panel-procedure"


@register
def procedure_due_items(user: Any) -> Iterable[DueItem]:
    items: list[DueItem] = []
    context = _("建档")
    if policy.has_perm(user, ArchivesPermission.INVESTIGATE):
        for visit in selectors.investigations_due(user=user)[:LIMIT]:
            household = visit.household
            items.append(
                DueItem(
                    title=_("入户调查:%(name)s(%(no)s)")
                    % {"name": household.name, "no": household.archive_no},
                    url=_url(household.pk),
                    due=visit.due_on,
                    rule=visit.due_rule,
                    context=context,
                )
            )
    if policy.has_perm(user, ArchivesPermission.APPROVE):
        for household in selectors.approvals_waiting(user=user)[:LIMIT]:
            submitted = timezone.localtime(household.updated_at).date()
            items.append(
                DueItem(
                    title=_("建档审批:%(name)s(%(no)s,%(unit)s)")
                    % {
                        "name": household.name,
                        "no": household.archive_no,
                        "unit": household.unit.name,
                    },
                    url=_url(household.pk),
                    due=submitted,
                    rule=_("待审批:%(date)s 提交") % {"date": submitted.isoformat()},
                    context=context,
                )
            )
    if policy.has_perm(user, ArchivesPermission.FILE):
        for household in selectors.returned_to_filer(user=user)[:LIMIT]:
            returned_at = getattr(household, "returned_at", None)  # annotated by the selector
            returned = (
                timezone.localtime(returned_at).date() if returned_at else timezone.localdate()
            )
            items.append(
                DueItem(
                    title=_("退回修改:%(name)s(%(no)s)")
                    % {"name": household.name, "no": household.archive_no},
                    url=_url(household.pk),
                    due=returned,
                    rule=_("审批退回:%(date)s 退回,请修改后重新提交")
                    % {"date": returned.isoformat()},
                    context=context,
                )
            )
    return items
