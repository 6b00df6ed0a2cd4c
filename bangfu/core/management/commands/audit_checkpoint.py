from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.core.checkpoints import (
    CheckpointError,
    checkpoint_compare,
    checkpoint_report,
    checkpoint_write,
    checkpoints_read,
)


class Command(BaseCommand):
    help = (
        "Append a signed checkpoint of the audit trail's and the access log's heads to "
        "BANGFU_AUDIT_CHECKPOINT_FILE and print it as the daily report (run it daily from cron "
        "or a systemd timer). Exit non-zero when the chains no longer reach the last checkpoint."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        points, file_problems = checkpoints_read()
        previous = points[-1] if points else None
        problems = list(file_problems)
        if previous is not None:
            problems += checkpoint_compare(previous)
        try:
            point = checkpoint_write(reason="daily")
        except CheckpointError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(checkpoint_report(point, previous))
        if problems:
            raise CommandError("\n".join(problems))
