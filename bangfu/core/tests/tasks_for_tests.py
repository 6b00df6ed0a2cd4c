"""Tasks that the job tests run in the worker (a task must live at module level)."""

from __future__ import annotations

from typing import Any

from bangfu.core.errors import ValidationError
from bangfu.core.jobs import job_progress, job_task


@job_task
def always_fails(job_id: str) -> None:
    raise RuntimeError("secret detail")


@job_task
def refuses(job_id: str) -> None:
    raise ValidationError("导入文件第 3 行缺少姓名。")


@job_task
def reports_halfway(job_id: str, *, total: int) -> dict[str, Any]:
    job_progress(job_id, done=total // 2, total=total)
    return {"ok": True, "rows": total}


@job_task
def sleeps(job_id: str, *, seconds: float) -> dict[str, Any]:
    """Sleep, and count how often the heartbeat changed meanwhile."""
    import time

    from bangfu.core.models import Job

    beats, last = 0, Job.objects.get(pk=job_id).heartbeat_at
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.1)
        now = Job.objects.get(pk=job_id).heartbeat_at
        if now != last:
            beats, last = beats + 1, now
    return {"ok": True, "beats": beats}
