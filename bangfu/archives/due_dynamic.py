"""Worklist items of dynamic management: yearly reviews due and 脱困 proposals.

Only users who may act on them (archives.manage) see them, within that permission's scope. The
worklist shows at most `LIMIT` archives of each kind, then one line pointing to the full list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core import worklist
from bangfu.core.worklist import DueItem

from .permissions import ArchivesPermission
from .selectors import dynamic as selectors
from .services.dynamic import recovery_months, review_rule
from .views.dynamic import household_url

LIMIT = 50
CONTEXT = "archives"


@worklist.register
def reviews_due(user: Any) -> Iterable[DueItem]:
    if not policy.has_perm(user, ArchivesPermission.MANAGE):
        return []
    rule = review_rule()
    rows = list(selectors.reviews_due(user=user, perm=ArchivesPermission.MANAGE)[: LIMIT + 1])
    items = []
    for household in rows[:LIMIT]:
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
    if len(rows) > LIMIT:
        total = selectors.reviews_due(user=user, perm=ArchivesPermission.MANAGE).count()
        items.append(
            DueItem(
                title=_("另有 %(n)d 份档案复核到期,见“复核到期”列表") % {"n": total - LIMIT},
                url=reverse("archives:review_due_list"),
                due=rows[LIMIT].review_due_on
                or rows[LIMIT - 1].review_due_on
                or timezone.localdate(),
                rule=rule,
                context=CONTEXT,
            )
        )
    return items


@worklist.register
def recovery_proposals(user: Any) -> Iterable[DueItem]:
    if not policy.has_perm(user, ArchivesPermission.MANAGE):
        return []
    rule = _("建议脱困:月人均收入连续 %(n)d 个月高于低保标准") % {"n": recovery_months()}
    candidates = selectors.recovery_candidates(user=user, perm=ArchivesPermission.MANAGE)
    items = [
        DueItem(
            title=_("建议脱困:%(archive)s(%(unit)s)")
            % {"archive": str(c.household), "unit": c.household.unit.name},
            url=household_url(c.household.pk),
            due=c.suggested_on,
            rule=rule,
            context=CONTEXT,
        )
        for c in candidates[:LIMIT]
    ]
    if len(candidates) > LIMIT:
        items.append(
            DueItem(
                title=_("另有 %(n)d 份档案建议脱困,见“建议脱困”列表")
                % {"n": len(candidates) - LIMIT},
                url=reverse("archives:recovery_list"),
                due=candidates[LIMIT].suggested_on,
                rule=rule,
                context=CONTEXT,
            )
        )
    return items
