from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.core.audit import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero naming the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problem = verify_chain()
        if problem is not None:
            raise CommandError(
                f"审计链在第 {problem.seq} 号事件(id={problem.event_id})处断裂:{problem.message}"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完整:共校验 {checked} 条事件。"))
