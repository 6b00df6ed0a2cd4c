"""Background tasks of the core context, run by `manage.py db_worker`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .checkpoints import verify_evidence
from .jobs import job_progress, job_succeeded, job_task
from .models import AccessLog, AuditEvent

AUDIT_VERIFY_KIND = "core.audit_verify"


def _progress_step(total: int) -> int:
    # About a hundred progress writes however long the chain is, but not one per event.
    return max(200, total // 100)


@job_task
def audit_verify(job_id: str) -> None:
    """Walk the audit trail and the access log, reporting progress; finish with the counts or
    the first broken link, and what the checkpoints show missing.

    A broken chain is a finding, not a failure of the job: the job succeeds with `ok: false`
    and names the event, like `manage.py verify_audit`.
    """
    total = AuditEvent.objects.count() + AccessLog.objects.count()
    job_progress(job_id, done=0, total=total, message=_("正在校验审计链……"))
    report = verify_evidence(
        progress=lambda done: job_progress(job_id, done=done),
        progress_every=_progress_step(total),
    )
    checked = report.audit_checked + report.access_checked
    result: dict[str, Any]
    if report.ok:
        result = {"ok": True, "checked": report.audit_checked}
        message = _("审计链完整:共校验 %(count)s 条。") % {"count": report.audit_checked}
        if report.last_checkpoint is not None:
            message += _("与最近的检查点(%(when)s)相符。") % {"when": report.last_checkpoint.when}
        job_succeeded(job_id, result, message=message, done=checked)
        return
    result = {"ok": False, "checked": report.audit_checked}
    problem = report.audit_problem
    if problem is not None:
        result.update(
            {
                "broken_seq": problem.seq,
                "broken_event_id": problem.event_id,
                "reason": problem.message,
                "url": reverse("workbench:audit_detail", kwargs={"seq": problem.seq}),
                "url_label": _("查看第 %(seq)s 号事件") % {"seq": problem.seq},
            }
        )
        message = _("审计链在第 %(seq)s 号事件处断裂:%(reason)s(此前 %(count)s 条完整)") % {
            "seq": problem.seq,
            "reason": problem.message,
            "count": report.audit_checked,
        }
    else:
        result["problems"] = report.problems()
        message = ";".join(report.problems())
    job_succeeded(job_id, result, message=message, done=checked)
