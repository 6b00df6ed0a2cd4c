"""The filing procedure: 申请 → 入户调查 → 民主评议 → 公示 → 审批 → 在档."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel

from .household import Household

_VISIT_RULE = re.compile(r"入户调查:申请后 (\d+) 个工作日")


class Investigation(TimeStampedModel):
    """A home verification visit (入户调查), due a number of working days after application."""

    household = models.ForeignKey(
        Household, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="investigations"
    )
    due_on = models.DateField(_("调查期限"))
    due_rule = models.CharField(_("期限依据"), max_length=100)
    # The day the working days are counted from (the application, or a resubmission), and
    # whether the count crossed a year whose official holidays were not known yet: such a
    # due date is recounted when the year is confirmed (`archives.deadlines`).
    due_from = models.DateField(_("期限起算日"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限暂定"), default=False)
    visited_on = models.DateField(_("调查日期"), null=True, blank=True)
    visitors = models.JSONField(_("调查人员"), default=list, help_text=_("至少两人。"))
    findings = models.TextField(_("调查情况"), blank=True)
    recommendation = models.CharField(
        _("调查意见"),
        max_length=16,
        choices=[("agree", _("情况属实,建议建档")), ("disagree", _("情况不符,不建议建档"))],
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["household", "-created_at"]
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on or self.due_on}"

    @property
    def due_rule_text(self) -> str:
        """The rule of the due date in the reader's language (`due_rule` keeps it as written,
        in Chinese: 入户调查:申请后 N 个工作日)."""
        match = _VISIT_RULE.fullmatch(self.due_rule)
        if match is None:
            text = self.due_rule
        else:
            text = gettext("入户调查:申请后 %(days)d 个工作日") % {"days": int(match.group(1))}
        if self.due_provisional:
            text += gettext("(暂定:按暂定节假日安排计算)")
        return text

    @property
    def due_working_days(self) -> int | None:
        """The number of working days of the rule as written, or None for another rule."""
        match = _VISIT_RULE.fullmatch(self.due_rule)
        return int(match.group(1)) if match else None


class DemocraticReview(TimeStampedModel):
    """The record of the collective review (民主评议)."""

    household = models.ForeignKey(
        Household, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="reviews"
    )
    held_on = models.DateField(_("评议日期"))
    participants = models.TextField(_("参加人员"))
    votes_for = models.PositiveSmallIntegerField(_("同意票数"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("反对票数"), default=0)
    passed = models.BooleanField(_("评议通过"))
    record = models.TextField(_("评议记录"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["household", "-held_on"]
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")

    def __str__(self) -> str:
        return f"{self.household} {self.held_on}"


class Decision(TimeStampedModel):
    """An approver's decision on an archive: approve, return for correction, or refuse."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("批准建档")
        RETURNED = "returned", _("退回修改")
        REFUSED = "refused", _("不予建档")

    household = models.ForeignKey(
        Household, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(_("审批结果"), max_length=16, choices=Outcome.choices)
    level_unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("审批单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["household", "-created_at"]
        verbose_name = _("审批")
        verbose_name_plural = _("审批")

    def __str__(self) -> str:
        return f"{self.household} {self.get_outcome_display()}"
