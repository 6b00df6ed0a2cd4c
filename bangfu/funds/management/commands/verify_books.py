from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.funds.chain import verify_books


class Command(BaseCommand):
    help = (
        "Check the special account's books: every book's entries numbered without gaps, "
        "balanced and hash-chained; exit non-zero naming the first broken entry of each book."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_books()
        if not report.ok:
            raise CommandError("\n".join(report.problems))
        self.stdout.write(self.style.SUCCESS(f"账簿链完整:共校验 {report.checked} 张凭证。"))
