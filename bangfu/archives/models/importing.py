"""Excel imports and roster exports: the uploaded file, what its check found, and the export
files waiting to be downloaded. Files hold personal data, so they are kept encrypted in the
database (never under a public URL) and emptied once they are no longer needed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One uploaded roster and the two phases of its import: check, then (confirmed) write."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("校验中")
        INVALID = "invalid", _("有错误,未导入")
        READY = "ready", _("校验通过,待确认导入")
        NOTHING = "nothing", _("无需导入(各户均已存在)")
        IMPORTING = "importing", _("导入中")
        IMPORTED = "imported", _("已导入")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    FINISHED = frozenset({Status.INVALID, Status.NOTHING, Status.IMPORTED, Status.CANCELLED})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    source_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("大小(字节)"))
    # The uploaded bytes sealed with `core.crypto.encrypt_bytes`; emptied when the import is
    # written, refused or cancelled (minimum retention of personal data).
    content = models.BinaryField(_("文件内容(加密)"), blank=True, default=b"")
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.CHECKING
    )
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    households_new = models.PositiveIntegerField(_("新建户数"), default=0)
    members_new = models.PositiveIntegerField(_("新建成员人数"), default=0)
    households_existing = models.PositiveIntegerField(_("已存在的户数"), default=0)
    people_existing = models.PositiveIntegerField(_("已存在的人数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # [[sheet, row, column, message], …] in the order of the file; messages never hold a full ID.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    # [[row, name, archive], …] of households already filed (archive: number and masked ID).
    skipped = models.JSONField(_("已存在,跳过"), default=list, blank=True)
    check_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("档案导入")
        verbose_name_plural = _("档案导入")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.get_status_display()})"
