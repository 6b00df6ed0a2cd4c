from typing import Any

from django.core.management.base import BaseCommand

from bangfu.notices.services import notice_end_due


class Command(BaseCommand):
    help = "Mark published notices whose period has passed as ended (run daily; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = notice_end_due()
        self.stdout.write(f"{count} notice(s) ended.")
