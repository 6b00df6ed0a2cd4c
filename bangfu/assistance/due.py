"""What assistance puts on the worklist: follow-ups (回访) due or overdue, for whoever records
them in the station's scope — one scoped query, bounded. The procedure's steps (visits,
reviews, notices, approvals) come from the workflow kit's own provider."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.worklist import DueItem, register

from .models import FollowUp
from .permissions import AssistancePermission as P

LIMIT = 200
AHEAD_DAYS = 14


@register
def followup_due_items(user: Any) -> Iterable[DueItem]:
    if not policy.has_perm(user, P.INVESTIGATE):
        return []
    horizon = timezone.localdate() + timedelta(days=AHEAD_DAYS)
    qs = (
        FollowUp.objects.filter(policy.scope_q(user, P.INVESTIGATE, field="unit"))
        .filter(done_on__isnull=True, due_on__lte=horizon)
        .select_related("application__household", "application__programme")
        .order_by("due_on", "id")[:LIMIT]
    )
    return [
        DueItem(
            title=_("回访:%(name)s(%(programme)s)")
            % {"name": f.application.household.name, "programme": f.application.programme.name},
            url=reverse("assistance:application_detail", args=[f.application_id]),
            due=f.due_on,
            rule=f.rule,
            context=_("帮扶救助"),
        )
        for f in qs
    ]
