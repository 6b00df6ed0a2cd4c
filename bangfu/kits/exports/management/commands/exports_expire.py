"""Empty the exports kept longer than BANGFU_EXPORT_KEEP_HOURS (run it from cron, hourly)."""

from typing import Any

from django.core.management.base import BaseCommand

from bangfu.kits.exports.services import exports_expire


class Command(BaseCommand):
    help = "Empty the files of exports older than BANGFU_EXPORT_KEEP_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        count = exports_expire()
        self.stdout.write(f"{count} export(s) emptied.")
