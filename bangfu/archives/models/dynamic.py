"""Keeping archives current: yearly reviews, spot checks, re-evaluation after a standard change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel

from . import choices as c
from .household import Household
from .standards import DibaoStandard


class AnnualReview(TimeStampedModel):
    """A yearly review (年审/复核) of an archive."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("继续在档")
        RECATEGORISE = "recategorise", _("变更困难类别")
        PROPOSE_CLOSE = "propose_close", _("建议撤档")

    household = models.ForeignKey(
        Household, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="annual_reviews"
    )
    reviewed_on = models.DateField(_("复核日期"))
    findings = models.TextField(_("复核情况"))
    outcome = models.CharField(_("复核结论"), max_length=16, choices=Outcome.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    next_due_on = models.DateField(_("下次复核期限"))

    class Meta:
        ordering = ["household", "-reviewed_on"]
        verbose_name = _("年度复核")
        verbose_name_plural = _("年度复核")

    def __str__(self) -> str:
        return f"{self.household} {self.reviewed_on}"


class SpotCheck(TimeStampedModel):
    """A yearly random sample of open archives under a centre, reproducible from its seed."""

    centre = models.ForeignKey(
        "network.OrgUnit", verbose_name=_("帮扶中心"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    rate_percent = models.PositiveSmallIntegerField(_("抽查比例(%)"), default=30)
    seed = models.CharField(_("随机种子"), max_length=64)
    population = models.PositiveIntegerField(_("在档户数"))
    households: models.ManyToManyField = models.ManyToManyField(
        Household, through="SpotCheckItem", verbose_name=_("抽中档案"), related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抽取人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "centre"]
        verbose_name = _("年度抽查")
        verbose_name_plural = _("年度抽查")
        constraints = [
            models.UniqueConstraint(fields=["centre", "year"], name="archives_spotcheck_yearly")
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.year}"


class SpotCheckItem(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("抽查日期"), null=True, blank=True)
    finding = models.TextField(_("抽查结果"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "household"], name="archives_spot_item")
        ]

    def __str__(self) -> str:
        return f"{self.spot_check} {self.household_id}"


class Reevaluation(TimeStampedModel):
    """A re-evaluation of every open archive of an area after its standard changed."""

    standard = models.ForeignKey(
        DibaoStandard, verbose_name=_("新低保标准"), on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluated = models.PositiveIntegerField(_("评估户数"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("标准调整重新评估")
        verbose_name_plural = _("标准调整重新评估")

    def __str__(self) -> str:
        return f"{self.standard} {self.created_at:%Y-%m-%d}"


class ReevaluationItem(models.Model):
    """An archive whose category would change under the new standard, for staff to confirm."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认变更")
        DISMISSED = "dismissed", _("不变更")

    reevaluation = models.ForeignKey(Reevaluation, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    old_category = models.CharField(max_length=20, choices=c.Category.choices, blank=True)
    new_category = models.CharField(max_length=20, choices=c.Category.choices)
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reevaluation", "household"], name="archives_reeval_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.old_category} → {self.new_category}"
