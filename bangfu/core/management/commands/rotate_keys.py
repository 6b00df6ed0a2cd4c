from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.core import crypto
from bangfu.core.keys import (
    Location,
    RotationProgress,
    encrypted_locations,
    field_key_register_newest,
    field_keys_retire_unused,
    rotate_location,
    rotation_report,
)


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column and sealed file under the newest key of "
        "BANGFU_FIELD_KEYS, in batches (each one transaction with one audit event; run it again "
        "after an interruption and it carries on with what is left), then retire old keys that "
        "hold nothing any more. --report lists what remains under each key, per table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--report", action="store_true", help="只报告各表在各密钥下的数量,不做改动"
        )
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的行数或文件数")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            newest = crypto.newest_key_id()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if options["report"]:
            self._report(rotation_report(), newest)
            return
        if field_key_register_newest() is not None:
            self.stdout.write(f"已登记新密钥 {newest}。")
        total = 0
        for location in encrypted_locations():
            try:
                total += rotate_location(
                    location, batch_size=options["batch_size"], progress=self._progress
                )
            except crypto.DecryptionError as error:
                raise CommandError(
                    f"{location.label}:{error} 请把加密该数据的旧密钥加回 BANGFU_FIELD_KEYS"
                    "(放在最新密钥之后)再运行。"
                ) from error
        self.stdout.write(f"共重新加密 {total} 个值或文件到密钥 {newest}。")
        report = rotation_report()
        retired = field_keys_retire_unused(report)
        self._report(report, newest)
        for kid in retired:
            self.stdout.write(
                self.style.SUCCESS(
                    f"旧密钥 {kid} 下已无数据,已停用:可以从 BANGFU_FIELD_KEYS 中移除。"
                )
            )

    def _progress(self, step: RotationProgress) -> None:
        self.stdout.write(f"  {step.location.label}:{step.done}/{step.total}")

    def _report(self, locations: list[Location], newest: str) -> None:
        self.stdout.write(f"最新密钥:{newest}")
        remaining = 0
        for location in locations:
            if not location.counts:
                continue
            left = location.remaining(newest)
            remaining += left
            parts = ",".join(
                f"{kid}{'(最新)' if kid == newest else ''} {count}"
                for kid, count in sorted(location.counts.items())
            )
            self.stdout.write(f"  {location.label}:{parts};仍在旧密钥下 {left}")
        if remaining:
            self.stdout.write(self.style.WARNING(f"仍在旧密钥下:共 {remaining} 个。"))
        else:
            self.stdout.write(self.style.SUCCESS("所有加密数据都在最新密钥下。"))
