"""What funds puts on the worklist: sampled payments still to be checked (within
`CHECK_DAYS` of the draw) for whoever pays, and every check that did not match, until closed,
for the centre's leaders and finance — one scoped, bounded query each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.worklist import DueItem, register

from .models import SampleCheck
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
                due=c.checked_on,
                rule=_("抽查结果与发放记录不相符,须核实处理:%(notes)s") % {"notes": c.notes[:60]},
                context=_("帮扶资金"),
            )
            for c in mismatches
            if c.checked_on is not None
        )
    return items
