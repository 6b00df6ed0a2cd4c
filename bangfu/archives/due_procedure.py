"""The filing procedure's part of the worklist: home visits due, approvals waiting at the user's
level (due `BANGFU_APPROVAL_WORKING_DAYS` working days after submission), and archives returned
to their filer. One query for each kind, scoped to the user (and one for the holidays)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.workdays import WorkCalendar, deadline
from bangfu.core.worklist import DueItem, register

from .permissions import ArchivesPermission
from .selectors import filing as selectors

# Items per kind at most: the worklist is a to-do list, the archive list shows the rest.
LIMIT = 200


def _url(household_id: int) -> str:
    return reverse("archives:household_detail", args=[household_id]) + "#panel-procedure"


def _submitted_on(household: Any) -> date:
    """Return the day the archive was last submitted for approval: the date of its latest
    "submit" opinion (written by `procedure.submit_for_approval`), else its last change."""
    for opinion in reversed(household.opinions or []):
        if isinstance(opinion, dict) and opinion.get("step") == "submit":
            try:
                return date.fromisoformat(str(opinion.get("date")))
            except ValueError:
                break
    return timezone.localtime(household.updated_at).date()


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
                    rule=visit.due_rule_text,
                    context=context,
                )
            )
    if policy.has_perm(user, ArchivesPermission.APPROVE):
        waiting = list(selectors.approvals_waiting(user=user)[:LIMIT])
        days = settings.BANGFU_APPROVAL_WORKING_DAYS
        rule = _("审批:提交后 %(days)d 个工作日") % {"days": days}
        submitted_on = [_submitted_on(h) for h in waiting]
        # One calendar for all the items: one query for the holidays, not one per item.
        calendar = (
            WorkCalendar(min(submitted_on), max(submitted_on) + timedelta(days=2 * days + 30))
            if waiting
            else None
        )
        for household, submitted in zip(waiting, submitted_on, strict=True):
            due = deadline(submitted, days, rule, calendar=calendar)
            items.append(
                DueItem(
                    title=_("建档审批:%(name)s(%(no)s,%(unit)s)")
                    % {
                        "name": household.name,
                        "no": household.archive_no,
                        "unit": household.unit.name,
                    },
                    url=_url(household.pk),
                    due=due.due,
                    rule=due.rule,
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
