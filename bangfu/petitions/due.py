"""What petitions put on the worklist: the office's open limits (route, acknowledge, handle)
for whoever handles them, the 复查 and 复核 answers for those who give them, and every breached
limit for the centre's leaders (escalation). Each kind is one scoped query, bounded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.worklist import DueItem, register

from .deadlines import Progress, progress
from .models import Deadline, Petition
from .permissions import PetitionsPermission as P
from .selectors.due import open_deadlines

LIMIT = 200
HANDLER_STAGES = (Deadline.Stage.ROUTE, Deadline.Stage.ACKNOWLEDGE, Deadline.Stage.HANDLE)
REVIEW_STAGES = (Deadline.Stage.REVIEW_REPLY, Deadline.Stage.RECHECK_REPLY)


def _item(d: Deadline, *, escalated: bool = False) -> DueItem:
    petition: Petition = d.petition
    state = progress(d)
    title = _("信访 %(number)s:%(stage)s(%(category)s)· %(state)s") % {
        "number": petition.number,
        "stage": d.get_stage_display(),
        "category": petition.get_category_display(),
        "state": Progress.LABELS[state],
    }
    if escalated:
        title = _("【超期督办】") + title
    return DueItem(
        title=title,
        url=reverse("petitions:petition_detail", args=[petition.pk]),
        due=d.due_on,
        rule=d.rule,
        context=_("信访"),
    )


@register
def petition_due_items(user: Any) -> Iterable[DueItem]:
    items: list[DueItem] = []
    seen: set[int] = set()
    if policy.has_perm(user, P.HANDLE):
        for d in open_deadlines(user=user, perm=P.HANDLE, stages=HANDLER_STAGES)[:LIMIT]:
            seen.add(d.pk)
            items.append(_item(d))
    if policy.has_perm(user, P.REVIEW):
        for d in open_deadlines(user=user, perm=P.REVIEW, stages=REVIEW_STAGES)[:LIMIT]:
            seen.add(d.pk)
            items.append(_item(d))
    if policy.has_perm(user, P.APPROVE_EXTENSION):
        # A breach goes up to the centre's leaders, whoever was to act.
        for d in open_deadlines(user=user, perm=P.VIEW, breached_only=True)[:LIMIT]:
            if d.pk not in seen:
                items.append(_item(d, escalated=True))
    return items
