"""The notices' part of the worklist: notices about to end, and open objections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.workdays import add_working_days
from bangfu.core.worklist import DueItem, register

from . import selectors
from .permissions import NoticesPermission

# Notices whose last day lies within this many working days show on the worklist.
ENDING_SOON_WORKING_DAYS = 2


@register
def notice_due_items(user: Any) -> Iterable[DueItem]:
    if not policy.has_perm(user, NoticesPermission.MANAGE):
        return []
    today = timezone.localdate()
    until = add_working_days(today, ENDING_SOON_WORKING_DAYS)
    items: list[DueItem] = []
    for notice in selectors.notices_ending_soon(user=user, until=until, today=today):
        assert notice.ends_on is not None
        items.append(
            DueItem(
                title=_("公示即将期满:%(title)s") % {"title": notice.title},
                url=reverse("notices:notice_detail", args=[notice.pk]),
                due=notice.ends_on,
                rule=notice.period_text,
                context=_("公示"),
                provisional=notice.due_provisional,
            )
        )
    for objection in selectors.open_objections(user=user):
        notice = objection.notice
        target = objection.item.person_name if objection.item else _("整个公示")
        # An objection should be settled within the notice's period; one received later is
        # due at once.
        due = max(notice.ends_on or objection.received_on, objection.received_on)
        items.append(
            DueItem(
                title=_("公示异议待核实:%(title)s(%(target)s)")
                % {"title": notice.title, "target": target},
                url=reverse("notices:notice_detail", args=[notice.pk])
                + f"#objection-{objection.pk}",
                due=due,
                rule=_("公示异议:公示期满前核实办结"),
                context=_("公示"),
            )
        )
    return items
