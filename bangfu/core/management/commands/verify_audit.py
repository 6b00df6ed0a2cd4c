from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.core.checkpoints import verify_evidence


class Command(BaseCommand):
    help = (
        "Check the audit trail's and the access log's hash chains and compare them with the "
        "checkpoints kept outside the database; exit non-zero naming what is broken or missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_evidence()
        if not report.ok:
            raise CommandError("\n".join(report.problems()))
        self.stdout.write(self.style.SUCCESS(f"审计链完整:共校验 {report.audit_checked} 条事件。"))
        self.stdout.write(
            self.style.SUCCESS(f"查看记录链完整:共校验 {report.access_checked} 条记录。")
        )
        if report.last_checkpoint is not None:
            point = report.last_checkpoint
            self.stdout.write(
                f"与 {report.checkpoints} 个检查点相符;最近一个:{point.when},"
                f"记录到第 {point.newest_seq} 号事件,校验码 {point.mac}。"
            )
        elif not report.configured:
            self.stdout.write(
                self.style.WARNING(
                    "未设置检查点文件(BANGFU_AUDIT_CHECKPOINT_FILE):无法发现末尾被删除的事件。"
                )
            )
