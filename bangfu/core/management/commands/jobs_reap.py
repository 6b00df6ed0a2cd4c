"""Mark background jobs whose worker died as failed (run from cron every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bangfu.core.jobs import jobs_reap


class Command(BaseCommand):
    help = "将处理进程已停止的后台任务标记为失败 / fail the jobs whose worker died"

    def handle(self, *args: Any, **options: Any) -> None:
        dead = jobs_reap()
        self.stdout.write(f"{len(dead)}")
