from typing import Any

from django.core.management.base import BaseCommand

from bangfu.notices.services import notice_end_due


class Command(BaseCommand):
    help = (
        "Record published notices whose period has passed as ended, one audit event each. "
        "Pages already show them ended (reads never write); run this daily (cron, see README). "
        "Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = notice_end_due()
        self.stdout.write(f"{count} notice(s) ended.")
