"""The import kit's records: one uploaded file (`ImportBatch`), its sealed content in chunks
(`ImportChunk`) and the problems its check found, one row each (`ImportBatchError`).

A batch's status is set only by `bangfu.kits.imports.services` (never by a task, a view or an
importer). Files hold personal data: the chunks are sealed with `core.crypto.encrypt_bytes`,
never under a public URL, and deleted once the file is no longer needed (written, refused,
cancelled)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One uploaded file of one kind and the two phases of its import: check, then write."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("待核对列和取值")
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
    kind = models.CharField(_("导入类型"), max_length=64)
    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(_("导入方式"), max_length=32, blank=True)
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
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.CHECKING
    )
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    # What the importer counted ({"households_new": 12, …}); its labels are the importer's.
    counts = models.JSONField(_("计数"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # [[row, name, what it is already], …]: rows already present, skipped (idempotency).
    skipped = models.JSONField(_("已存在,跳过"), default=list, blank=True)
    check_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    # The user's mapping for this file: {"columns": {title: key or ""}, "values": {key: {cell
    # as compared: choice}}} (`services.Mapping`); read with the file in each phase.
    mapping = models.JSONField(_("列和取值对应"), default=dict, blank=True)
    headers_key = models.CharField(_("表头摘要"), max_length=64, blank=True, default="")
    # What the file is imported into, when the upload page knows it (a bank return file:
    # {"bank_batch": 12, "date": "2026-12-05"}); set once at upload, read by the importer.
    context = models.JSONField(_("导入对象"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        indexes = [
            models.Index(
                fields=["created_by", "kind", "-created_at"], name="imports_batch_user_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.get_status_display()})"

    @property
    def errors(self) -> list[list[Any]]:
        """The problems as [[sheet, row, column, message], …] in the order of the file."""
        return [[e.sheet, e.row, e.column, e.message] for e in self.error_rows.order_by("seq")]

    @property
    def has_content(self) -> bool:
        return self.chunks.filter(part=ImportChunk.Part.FILE).exists()


class ImportChunk(models.Model):
    """A piece of an uploaded file, sealed on its own (files are read back chunk by chunk) —
    or of the file's rows as read for the mapping (`Part.ROWS`), kept so that the check and
    the write do not read the file again (`services.batch_table`)."""

    class Part(models.TextChoices):
        FILE = "file", _("上传的文件")
        ROWS = "rows", _("读出的行")
        CHECKED = "checked", _("校验时转换的行")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="chunks")
    part = models.CharField(_("内容"), max_length=8, choices=Part.choices, default=Part.FILE)
    seq = models.PositiveIntegerField(_("序号"))
    data = models.BinaryField(_("内容(加密)"))

    class Meta:
        ordering = ["batch", "part", "seq"]
        verbose_name = _("导入文件分块")
        verbose_name_plural = _("导入文件分块")
        constraints = [
            models.UniqueConstraint(fields=["batch", "part", "seq"], name="imports_chunk_part")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} #{self.seq}"


class ImportBatchError(models.Model):
    """One problem of a checked file, located as a person finds it in Excel."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="error_rows")
    seq = models.PositiveIntegerField(_("序号"))
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)
    row = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=200, blank=True)
    message = models.TextField(_("错误说明"))

    class Meta:
        ordering = ["batch", "seq"]
        verbose_name = _("导入错误")
        verbose_name_plural = _("导入错误")
        constraints = [
            models.UniqueConstraint(fields=["batch", "seq"], name="imports_error_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}: {self.message}"


class ColumnMapping(models.Model):
    """A centre's mapping of one sheet layout (its header titles) for one kind of import,
    offered again on the next upload of a sheet with the same headers."""

    unit = models.ForeignKey(
        "network.OrgUnit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("导入类型"), max_length=64)
    headers_key = models.CharField(_("表头摘要"), max_length=64)
    headers = models.JSONField(_("表头"), default=list)
    columns = models.JSONField(_("列对应"), default=dict)  # {title: key or ""}
    values = models.JSONField(_("取值对应"), default=dict)  # {key: {cell: choice}}
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保存人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("保存时间"), auto_now=True)

    class Meta:
        verbose_name = _("列对应")
        verbose_name_plural = _("列对应")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "headers_key"], name="imports_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.headers_key[:8]}"
