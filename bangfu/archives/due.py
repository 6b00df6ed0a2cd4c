"""What the archives put on the worklist.

The filing procedure's items (home visits due, approvals waiting at the user's level, archives
returned to their filer) come from the workflow kit's one provider (`kits/workflow/due.py`).
Dynamic management: yearly reviews due and 脱困 proposals. Each kind is one scoped query
(and one for the holidays); the worklist shows at most a limit of each kind, then one line
pointing to the full list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.paging import capped_count
from bangfu.core.worklist import DueItem, register
from bangfu.kits.workflow.due import items_of

from .conf import recovery_months, review_rule
from .permissions import ArchivesPermission
from .selectors import dynamic as dynamic_selectors
from .services.procedure import FILING
from .views.dynamic import household_url

# Items per kind at most: the worklist is a to-do list, the archive list shows the rest.
LIMIT = 200


def procedure_due_items(user: Any) -> Iterable[DueItem]:
    """The filing procedure's items for `user` (visits due, reviews, notices ending,
    approvals waiting at the user's level, archives returned to their filer). The workflow
    kit's provider puts them on the worklist, with every other declared procedure's."""
    return items_of(user, FILING)


# Dynamic management shows fewer of each kind: the lists behind them show the rest.
DYNAMIC_LIMIT = 50
CONTEXT = "archives"


@register
def reviews_due(user: Any) -> Iterable[DueItem]:
    if not policy.has_perm(user, ArchivesPermission.MANAGE):
        return []
    rule = review_rule()
    rows = list(
        dynamic_selectors.reviews_due(user=user, perm=ArchivesPermission.MANAGE)[
            : DYNAMIC_LIMIT + 1
        ]
    )
    items = []
    for household in rows[:DYNAMIC_LIMIT]:
        if household.review_due_on is None:  # not possible: the selector filters on it
            continue
        items.append(
            DueItem(
                title=_("年度复核:%(archive)s(%(unit)s)")
                % {"archive": str(household), "unit": household.unit.name},
                url=household_url(household.pk),
                due=household.review_due_on,
                rule=rule,
                context=CONTEXT,
            )
        )
    if len(rows) > DYNAMIC_LIMIT:
        # Counted to at most COUNT_CAP rows: a city's reviews due are not counted on every visit.
        total = capped_count(
            dynamic_selectors.reviews_due(user=user, perm=ArchivesPermission.MANAGE)
        )
        more = total.value - DYNAMIC_LIMIT
        title = (
            _("另有超过 %(n)s 份档案复核到期,见“复核到期”列表")
            if total.capped
            else _("另有 %(n)s 份档案复核到期,见“复核到期”列表")
        ) % {"n": f"{more:,}"}
        items.append(
            DueItem(
                title=title,
                url=reverse("archives:review_due_list"),
                due=rows[DYNAMIC_LIMIT].review_due_on
                or rows[DYNAMIC_LIMIT - 1].review_due_on
                or timezone.localdate(),
                rule=rule,
                context=CONTEXT,
            )
        )
    return items


@register
def recovery_proposals(user: Any) -> Iterable[DueItem]:
    if not policy.has_perm(user, ArchivesPermission.MANAGE):
        return []
    rule = _("建议脱困:月人均收入连续 %(n)d 个月高于低保标准") % {"n": recovery_months()}
    candidates = dynamic_selectors.recovery_candidates(user=user, perm=ArchivesPermission.MANAGE)
    items = [
        DueItem(
            title=_("建议脱困:%(archive)s(%(unit)s)")
            % {"archive": str(c.household), "unit": c.household.unit.name},
            url=household_url(c.household.pk),
            due=c.suggested_on,
            rule=rule,
            context=CONTEXT,
        )
        for c in candidates[:DYNAMIC_LIMIT]
    ]
    if len(candidates) > DYNAMIC_LIMIT:
        items.append(
            DueItem(
                title=_("另有 %(n)d 份档案建议脱困,见“建议脱困”列表")
                % {"n": len(candidates) - DYNAMIC_LIMIT},
                url=reverse("archives:recovery_list"),
                due=candidates.suggested_on(DYNAMIC_LIMIT),
                rule=rule,
                context=CONTEXT,
            )
        )
    return items
