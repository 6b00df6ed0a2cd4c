"""Cancel the imports left waiting longer than BANGFU_IMPORT_KEEP_DAYS and delete their
uploaded files (run it from cron, daily)."""

from typing import Any

from django.core.management.base import BaseCommand

from bangfu.kits.imports.services import imports_expire


class Command(BaseCommand):
    help = (
        "Cancel the imports left waiting longer than BANGFU_IMPORT_KEEP_DAYS; delete their files."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = imports_expire()
        self.stdout.write(f"{count} import(s) cancelled.")
