"""What the archives put on the worklist.

The filing procedure: home visits due, approvals waiting at the user's level (due
`BANGFU_APPROVAL_WORKING_DAYS` working days after submission), and archives returned to their
filer. Dynamic management: yearly reviews due and 脱困 proposals. Each kind is one scoped query
(and one for the holidays); the worklist shows at most a limit of each kind, then one line
pointing to the full list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.paging import capped_count
from bangfu.core.workdays import WorkCalendar, deadline
from bangfu.core.worklist import DueItem, register

from .conf import recovery_months, review_rule
from .permissions import ArchivesPermission
from .selectors import dynamic as dynamic_selectors
from .selectors import filing as filing_selectors
from .views.dynamic import household_url

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
        for visit in filing_selectors.investigations_due(user=user)[:LIMIT]:
            household = visit.household
            items.append(
                DueItem(
                    title=_("入户调查:%(name)s(%(no)s)")
                    % {"name": household.name, "no": household.archive_no},
                    url=_url(household.pk),
                    due=visit.due_on,
                    rule=visit.due_rule_text,
                    context=context,
                    provisional=visit.due_provisional,
                )
            )
    if policy.has_perm(user, ArchivesPermission.APPROVE):
        waiting = list(filing_selectors.approvals_waiting(user=user)[:LIMIT])
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
                    provisional=due.provisional,
                )
            )
    if policy.has_perm(user, ArchivesPermission.FILE):
        for household in filing_selectors.returned_to_filer(user=user)[:LIMIT]:
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
                due=candidates[DYNAMIC_LIMIT].suggested_on,
                rule=rule,
                context=CONTEXT,
            )
        )
    return items
