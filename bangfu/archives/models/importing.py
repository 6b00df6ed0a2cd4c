"""How an archive came in by the roster import (historical or new).

The roster import's batches are the import kit's (`bangfu.kits.imports.models.ImportBatch`,
kind "archives.roster"); `ImportBatch` is re-exported from `archives.models` for its callers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedArchive(models.Model):
    """How an archive came in by the roster import (the file, as what) and, for an archive
    approved on paper before (已审批的原有档案), the national-form fields the file did not give:
    the archive shows "资料待补全" until its station marks them completed."""

    class Mode(models.TextChoices):
        HISTORICAL = "historical", _("已审批的原有档案")
        NEW = "new", _("新申请")

    household = models.OneToOneField(
        "archives.Household", on_delete=models.CASCADE, related_name="imported"
    )
    batch_id = models.UUIDField(_("导入批次"))
    source_name = models.CharField(_("文件名"), max_length=200)
    mode = models.CharField(_("导入为"), max_length=16, choices=Mode.choices)
    # ["民族", "手机", "李梅:健康状况", …]: what the file left blank, never filled in silently
    missing = models.JSONField(_("待补全的资料"), default=list, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("补全时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("补全确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("导入的档案")
        verbose_name_plural = _("导入的档案")
        indexes = [
            models.Index(
                fields=["imported_at"],
                name="archives_imported_incomplete",
                condition=models.Q(completed_at__isnull=True, mode="historical"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_mode_display()}"

    @property
    def incomplete(self) -> bool:
        return (
            self.mode == self.Mode.HISTORICAL and self.completed_at is None and bool(self.missing)
        )
