"""What funds puts on the worklist: sampled payments still to be checked (within
`CHECK_DAYS` of the draw) for whoever pays, and every check that did not match, until closed,
for the centre's leaders and finance — one scoped, bounded query each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.workdays import WorkCalendar
from bangfu.core.worklist import DueItem, register

from .models import Commitment, SampleCheck
from .payable import ASSISTANCE_APPLICATION
from .permissions import FundsPermission

LIMIT = 200
CHECK_DAYS = 30


def _check_url(check: SampleCheck) -> str:
    return reverse("funds:sample_detail", args=[check.sample_id]) + f"#check-{check.pk}"


@register
def sample_due_items(user: Any) -> Iterable[DueItem]:
    items: list[DueItem] = []
    if policy.has_perm(user, FundsPermission.PAY):
        todo = (
            SampleCheck.objects.filter(
                policy.scope_q(user, FundsPermission.PAY, field="sample__book__unit"),
                checked_on__isnull=True,
            )
            .select_related("sample", "payment")
            .order_by("sample__drawn_on", "pk")[:LIMIT]
        )
        items.extend(
            DueItem(
                title=_("发放抽查:%(name)s(%(number)s)")
                % {"name": c.payment.recipient_name, "number": c.payment.number},
                url=_check_url(c),
                due=c.sample.drawn_on + timedelta(days=CHECK_DAYS),
                rule=_("抽样后 %(days)s 天内入户或电话核查") % {"days": CHECK_DAYS},
                context=_("帮扶资金"),
            )
            for c in todo
        )
    if policy.has_perm(user, FundsPermission.RESOLVE):
        mismatches = (
            SampleCheck.objects.filter(
                policy.scope_q(user, FundsPermission.RESOLVE, field="sample__book__unit"),
                outcome=SampleCheck.Outcome.MISMATCH,
                resolved_at__isnull=True,
            )
            .select_related("payment")
            .order_by("checked_on", "pk")[:LIMIT]
        )
        items.extend(
            DueItem(
                title=_("抽查不相符:%(name)s(%(number)s)")
                % {"name": c.payment.recipient_name, "number": c.payment.number},
                url=_check_url(c),
                # Due a check window after it was found, not overdue the next day.
                due=c.checked_on + timedelta(days=CHECK_DAYS),
                rule=_("抽查结果与发放记录不相符,须在 %(days)s 天内核实处理:%(notes)s")
                % {"days": CHECK_DAYS, "notes": c.notes[:60]},
                context=_("帮扶资金"),
            )
            for c in mismatches
            if c.checked_on is not None
        )
    return items


@register
def payment_due_items(user: Any) -> Iterable[DueItem]:
    """Approved items whose notice has ended with nothing paid or under way yet, for whoever pays:
    to be paid within `BANGFU_PAY_WITHIN_DAYS` working days of the day they became payable (the
    later of the approval and the end of the notice). Items still in notice are not listed: they
    cannot be paid yet. Two queries (the commitments with their applications, the calendar)."""
    if not policy.has_perm(user, FundsPermission.PAY):
        return []
    from bangfu.assistance.models import Application
    from bangfu.assistance.selectors import payable as assistance_payable

    commitments = list(
        Commitment.objects.filter(
            policy.scope_q(user, FundsPermission.PAY, field="book__unit"),
            status=Commitment.Status.COMMITTED,
            subject_type=ASSISTANCE_APPLICATION,
            subject_id__in=assistance_payable(user=user).values("pk"),
        )
        .exclude(payments__status__in=["prepared", "sent", "paid"])
        .order_by("pk")[:LIMIT]
    )
    if not commitments:
        return []
    applications = {
        a.pk: a
        for a in Application.objects.filter(pk__in=[c.subject_id for c in commitments]).only(
            "pk", "approved_on", "notice_ends_on"
        )
    }
    days = int(settings.BANGFU_PAY_WITHIN_DAYS)

    def since(c: Commitment) -> Any:
        application = applications.get(c.subject_id)
        dates = [c.created_at.date()]
        if application is not None:
            dates += [d for d in (application.approved_on, application.notice_ends_on) if d]
        return max(dates)

    starts = {c.pk: since(c) for c in commitments}
    calendar = WorkCalendar(
        min(starts.values()), max(starts.values()) + timedelta(days=days * 2 + 30)
    )
    items = []
    for c in commitments:
        due = calendar.add_working_days(starts[c.pk], days)
        items.append(
            DueItem(
                title=_("待发放:%(label)s,%(amount)s 元")
                % {"label": c.subject_label, "amount": c.amount},
                url=reverse("funds:commitment_list", args=[c.book_id]),
                due=due,
                rule=_("已批准且公示期满,%(days)s 个工作日内实名发放") % {"days": days},
                context=_("帮扶资金"),
                provisional=calendar.provisional_between(starts[c.pk], due),
            )
        )
    return items
