"""The worklist items of every declared procedure, from one provider.

For each procedure and each kind (home visit due, review due, notice ending, approval waiting
at the user's level, returned to the maker) one scoped query with a limit; approval due dates
are counted `BANGFU_APPROVAL_WORKING_DAYS` working days after the level was reached, with one
`WorkCalendar` for all of them (one query for the holidays, not one per item).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.workdays import WorkCalendar, deadline
from bangfu.core.worklist import DueItem, register

from . import declaration, selectors
from .deadlines import visit_rule_days
from .models import Step

# Items per kind and procedure at most: the worklist is a to-do list.
LIMIT = 200


def _approval_title(label: str, case: Any) -> str:
    """ "建档审批:张三(XS-2026-0001,金霞社区帮扶站)": the subject, its reference and unit."""
    where = f"{case.reference},{case.unit.name}" if case.reference else case.unit.name
    return _("%(label)s审批:%(title)s(%(where)s)") % {
        "label": label,
        "title": case.title,
        "where": where,
    }


def rule_text(procedure: declaration.Procedure, visit: Any, cache: dict[str, str]) -> str:
    """The visit's rule in the reader's language (stored as written, in Chinese), marked when
    it is provisional."""
    if visit.due_rule not in cache:
        days = visit_rule_days(visit.due_rule, procedure)
        cache[visit.due_rule] = visit.due_rule if days is None else procedure.visit_rule(days)
    text = cache[visit.due_rule]
    return text + _("(暂定:按暂定节假日安排计算)") if visit.due_provisional else text


def items_of(user: Any, procedure: declaration.Procedure) -> list[DueItem]:
    """The due items of one procedure for `user`."""
    items: list[DueItem] = []
    cache: dict[str, str] = {}
    perms = procedure.perms
    label = procedure.label or procedure.key
    if policy.has_perm(user, perms.visit):
        for visit in selectors.visits_due(user=user, procedure=procedure)[:LIMIT]:
            items.append(
                DueItem(
                    title=_("入户调查:%(title)s") % {"title": visit.case.display},
                    url=procedure.url_of(visit.case.subject_id),
                    due=visit.due_on,
                    rule=rule_text(procedure, visit, cache),
                    context=label,
                    provisional=visit.due_provisional,
                )
            )
    # Reviews due and notices ending: one query for both.
    steps: list[str] = [
        step
        for step, perm in ((Step.REVIEW, perms.review), (Step.NOTICE, perms.notice))
        if policy.has_perm(user, perm)
    ]
    if steps:
        perm = perms.review if Step.REVIEW in steps else perms.notice
        cases = (
            selectors.cases_at(user=user, procedure=procedure, steps=steps, perm=perm)
            .exclude(step=Step.NOTICE, notice_ends_on=None)
            .order_by("step_since", "pk")[: 2 * LIMIT]
        )
        for case in cases:
            if case.step == Step.REVIEW:
                items.append(
                    DueItem(
                        title=_("民主评议:%(title)s") % {"title": case.display},
                        url=procedure.url_of(case.subject_id),
                        due=case.step_since,
                        rule=_("入户调查后组织民主评议"),
                        context=label,
                    )
                )
            else:
                assert case.notice_ends_on is not None
                items.append(
                    DueItem(
                        title=_("公示期满:%(title)s") % {"title": case.display},
                        url=procedure.url_of(case.subject_id),
                        due=case.notice_ends_on,
                        rule=_("公示期满无异议后提交审批"),
                        context=label,
                    )
                )
    if policy.has_perm(user, perms.approve):
        waiting = list(selectors.approvals_waiting(user=user, procedure=procedure)[:LIMIT])
        days = settings.BANGFU_APPROVAL_WORKING_DAYS
        rule = _("审批:提交后 %(days)d 个工作日") % {"days": days}
        calendar = (
            WorkCalendar(
                min(c.step_since for c in waiting),
                max(c.step_since for c in waiting) + timedelta(days=2 * days + 30),
            )
            if waiting
            else None
        )
        for case in waiting:
            due = deadline(case.step_since, days, rule, calendar=calendar)
            assert case.approval_unit is not None
            items.append(
                DueItem(
                    title=_approval_title(label, case),
                    url=procedure.url_of(case.subject_id),
                    due=due.due,
                    rule=due.rule,
                    context=label,
                    provisional=due.provisional,
                )
            )
    if policy.has_perm(user, perms.make):
        for case in selectors.returned_to_maker(user=user, procedure=procedure)[:LIMIT]:
            items.append(
                DueItem(
                    title=_("退回修改:%(title)s") % {"title": case.display},
                    url=procedure.url_of(case.subject_id),
                    due=case.step_since,
                    rule=_("审批退回:%(date)s 退回,请修改后重新提交")
                    % {"date": case.step_since.isoformat()},
                    context=label,
                )
            )
    items.extend(waiting_on_others(user, procedure))
    return items


def waiting_on_others(user: Any, procedure: declaration.Procedure) -> list[DueItem]:
    """The cases of the user's units (where the user may start one) at a step the user cannot
    do: a station liaison sees its archives waiting for the centre's visit, review, notice or
    the leader's approval, each with who must act next ("等待金霞社区帮扶站工作人员入户调查,截止
    12月11日"). One scoped query with a limit."""
    perms = procedure.perms
    if not policy.has_perm(user, perms.make):
        return []
    others: list[str] = [
        step
        for step, perm in (
            (Step.VISIT, perms.visit),
            (Step.REVIEW, perms.review),
            (Step.NOTICE, perms.notice),
            (Step.SUBMIT, perms.submit),
            (Step.APPROVAL, perms.approve),
        )
        if not policy.has_perm(user, perm)
    ]
    if not others:
        return []
    label = procedure.label or procedure.key
    cases = selectors.cases_at(
        user=user, procedure=procedure, steps=others, perm=perms.make
    ).select_related("approval_unit")[:LIMIT]
    items = []
    for case in cases:
        if case.step == Step.VISIT and case.visit_due_on is not None:
            due = case.visit_due_on
        elif case.step == Step.NOTICE and case.notice_ends_on is not None:
            due = case.notice_ends_on
        else:
            due = case.step_since
        items.append(
            DueItem(
                title=case.display,
                url=procedure.url_of(case.subject_id),
                due=due,
                rule=selectors.next_action(procedure, case, None, user),
                context=label,
                waiting=True,
            )
        )
    return items


@register
def procedure_due_items(user: Any) -> Iterable[DueItem]:
    items: list[DueItem] = []
    for procedure in declaration.registered():
        items.extend(items_of(user, procedure))
    return items
