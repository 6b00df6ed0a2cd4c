from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel
from bangfu.core.money import MoneyField

from .choices import AreaKind


class Area(TimeStampedModel):
    """An area with its own 低保 standard and minimum wage (市区, a county, …)."""

    code = models.CharField(
        _("行政区划代码"), max_length=12, unique=True, help_text=_("例如 430302(雨湖区)。")
    )
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类别"), max_length=16, choices=AreaKind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("低保标准地区")
        verbose_name_plural = _("低保标准地区")

    def __str__(self) -> str:
        return f"{self.name}({self.get_kind_display()})"


class DibaoStandard(TimeStampedModel):
    """The local minimum-living standard, yuan per person per month, from a date on.

    Rows are never edited or deleted once a determination used them; a new standard is a new row
    with a later effective date, so every past determination still names the standard it used.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="dibao_standards"
    )
    amount = MoneyField(_("低保标准(元/人·月)"))
    effective_from = models.DateField(_("执行日期"))
    document = models.CharField(_("依据文件"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["area", "-effective_from"]
        verbose_name = _("低保标准")
        verbose_name_plural = _("低保标准")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "effective_from"], name="archives_dibao_one_per_area_and_date"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="archives_dibao_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.amount} 元 ({self.effective_from:%Y-%m-%d})"


class MinimumWage(TimeStampedModel):
    """The local monthly minimum wage, used to count idle working-age members' income."""

    area = models.ForeignKey(
        Area, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="minimum_wages"
    )
    amount = MoneyField(_("最低工资标准(元/月)"))
    effective_from = models.DateField(_("执行日期"))
    document = models.CharField(_("依据文件"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["area", "-effective_from"]
        verbose_name = _("最低工资标准")
        verbose_name_plural = _("最低工资标准")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "effective_from"], name="archives_minwage_one_per_area_and_date"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="archives_minwage_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.amount} 元 ({self.effective_from:%Y-%m-%d})"
