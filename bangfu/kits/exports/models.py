"""The export kit's records: one `Export` per file asked for, its content in encrypted chunks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """Why an export is made (asked on every export; a note says more)."""

    REPORT = "report", _("报送上级工会")
    VISIT = "visit", _("走访慰问")
    PAYMENT = "payment", _("帮扶资金发放")
    STATISTICS = "statistics", _("统计分析")
    AUDIT = "audit", _("审计检查")
    ARCHIVE = "archive", _("存档备查")
    OTHER = "other", _("其他")


class Format(models.TextChoices):
    XLSX = "xlsx", _("Excel(.xlsx)")
    CSV = "csv", _("CSV(UTF-8,Excel 可直接打开)")
    CSV_GBK = "csv_gbk", _("CSV(GBK,旧版软件)")
    PDF = "pdf", _("PDF(打印用,仅限少量数据)")


class Export(models.Model):
    """One export: what was asked (kind, purpose, scope, filters in words, masked or full,
    format), by whom and when, how it went (status, rows) and its file, kept encrypted in
    chunks (`ExportChunk`) until it expires and is emptied."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        READY = "ready", _("可下载")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期清除")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("导出类型"), max_length=64)
    title = models.CharField(_("名称"), max_length=100)
    purpose = models.CharField(_("导出用途"), max_length=20, choices=Purpose.choices)
    purpose_note = models.CharField(_("用途说明"), max_length=200, blank=True)
    scope = models.CharField(_("范围"), max_length=255, blank=True)
    filters_text = models.CharField(_("筛选条件"), max_length=500, blank=True)
    # What the exporter needs to write the file later (a job); personal data in it is sealed.
    # Emptied once the file is written or the export fails.
    params = models.JSONField(_("导出参数"), default=dict, blank=True)
    masked = models.BooleanField(_("已打码"), default=True)
    format = models.CharField(_("格式"), max_length=10, choices=Format.choices)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小(字节)"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("导出时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导出")
        verbose_name_plural = _("导出")
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="exports_mine"),
            models.Index(fields=["status", "expires_at"], name="exports_expiry"),
        ]

    def __str__(self) -> str:
        kind = _("打码") if self.masked else _("完整")
        return str(_("%(title)s导出 %(rows)s 行(%(kind)s),范围:%(scope)s")) % {
            "title": self.title,
            "rows": self.rows,
            "kind": kind,
            "scope": self.scope,
        }


class ExportChunk(models.Model):
    """One piece of an export's file, sealed with `core.crypto.encrypt_bytes`: a large file is
    written and read back piece by piece, never whole in memory."""

    export = models.ForeignKey(Export, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField(_("序号"))
    data = models.BinaryField(_("内容(加密)"))

    class Meta:
        ordering = ["export", "seq"]
        verbose_name = _("导出文件块")
        verbose_name_plural = _("导出文件块")
        constraints = [
            models.UniqueConstraint(fields=["export", "seq"], name="exports_chunk_unique_seq")
        ]

    def __str__(self) -> str:
        return f"{self.export_id}#{self.seq}"
