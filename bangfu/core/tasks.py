"""Background tasks of the core context, run by `manage.py db_worker`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .audit import ChainProblem, iter_chain_problems
from .jobs import job_progress, job_succeeded, job_task
from .models import AuditEvent

AUDIT_VERIFY_KIND = "core.audit_verify"


def _progress_step(total: int) -> int:
    # About a hundred progress writes however long the chain is, but not one per event.
    return max(200, total // 100)


@job_task
def audit_verify(job_id: str) -> None:
    """Walk the audit chain, reporting progress; finish with the count or the first broken link.

    A broken chain is a finding, not a failure of the job: the job succeeds with `ok: false`
    and names the event, like `manage.py verify_audit`.
    """
    total = AuditEvent.objects.count()
    job_progress(job_id, done=0, total=total, message=_("正在校验审计链……"))
    checked = 0
    problem: ChainProblem | None = None
    for item in iter_chain_problems(progress_every=_progress_step(total)):
        if isinstance(item, ChainProblem):
            problem = item
            break
        checked = item
        job_progress(job_id, done=checked)

    result: dict[str, Any]
    if problem is None:
        result = {"ok": True, "checked": checked}
        message = _("审计链完整:共校验 %(count)s 条。") % {"count": checked}
    else:
        result = {
            "ok": False,
            "checked": checked,
            "broken_seq": problem.seq,
            "broken_event_id": problem.event_id,
            "reason": problem.message,
            "url": reverse("workbench:audit_detail", kwargs={"seq": problem.seq}),
            "url_label": _("查看第 %(seq)s 号事件") % {"seq": problem.seq},
        }
        message = _("审计链在第 %(seq)s 号事件处断裂:%(reason)s(此前 %(count)s 条完整)") % {
            "seq": problem.seq,
            "reason": problem.message,
            "count": checked,
        }
    job_succeeded(job_id, result, message=message, done=checked)
