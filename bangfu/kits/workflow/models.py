"""The records of a procedure: one `Case` per subject and procedure, and the records of its
steps (`Visit` 入户调查, `Review` 民主评议, `SignOff` 审批签署), each in the round it belongs to.

Subjects are any model (an archive, an aid application), named by content type + id the way
notices names its subjects: a context declares its procedure and writes no tables of its own.
`Case` carries what the worklist needs (step, unit, the unit whose sign-off is awaited, dates,
a display title) so that each kind of due item is one scoped query over one table.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel
from bangfu.core.money import MoneyField


class Step(models.TextChoices):
    """Where a case stands: the step waiting to be done (or how it ended)."""

    VISIT = "visit", _("入户调查")
    REVIEW = "review", _("民主评议")
    NOTICE = "notice", _("公示")
    SUBMIT = "submit", _("提交审批")
    APPROVAL = "approval", _("审批")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")


class Case(TimeStampedModel):
    """One subject going through one procedure (办理)."""

    procedure = models.CharField(_("流程"), max_length=64)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    unit = models.ForeignKey(
        "network.OrgUnit", verbose_name=_("办理单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("名称"), max_length=200)
    # A short reference with no personal data (an archive's number), shown beside the title
    # and alone where personal data must not appear (the calendar's list of moved deadlines).
    reference = models.CharField(_("编号"), max_length=64, blank=True)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    step = models.CharField(_("当前环节"), max_length=16, choices=Step.choices)
    step_since = models.DateField(_("进入环节日期"))
    amount = MoneyField(_("金额"), null=True, blank=True)
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The home visit of this round: due a number of working days after `due_from`.
    visit_due_on = models.DateField(_("调查期限"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示期截止"), null=True, blank=True)
    submitted_on = models.DateField(_("提交审批日期"), null=True, blank=True)
    # The unit whose sign-off is awaited (levels sign in order, the lowest first).
    approval_unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("审批单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approval_level = models.PositiveSmallIntegerField(_("审批层级序号"), default=0)
    decided_on = models.DateField(_("审批完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理")
        verbose_name_plural = _("办理")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "subject_type", "subject_id"],
                name="workflow_case_one_per_subject",
            )
        ]
        indexes = [
            models.Index(fields=["step", "procedure", "unit"], name="workflow_case_step_unit"),
            models.Index(fields=["step", "approval_unit"], name="workflow_case_step_approval"),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """The title with its reference: "张三(XS-2026-0001)"."""
        return f"{self.title}({self.reference})" if self.reference else self.title


class Visit(TimeStampedModel):
    """A home verification visit (入户调查), due a number of working days after its start."""

    class Recommendation(models.TextChoices):
        AGREE = "agree", _("情况属实,建议批准")
        DISAGREE = "disagree", _("情况不符,不建议批准")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="visits")
    round = models.PositiveSmallIntegerField(_("轮次"))
    due_on = models.DateField(_("调查期限"))
    due_rule = models.CharField(_("期限依据"), max_length=100)
    due_from = models.DateField(_("期限起算日"))
    due_provisional = models.BooleanField(_("期限暂定"), default=False)
    visited_on = models.DateField(_("调查日期"), null=True, blank=True)
    visitors = models.JSONField(_("调查人员"), default=list)
    findings = models.TextField(_("调查情况"), blank=True)
    recommendation = models.CharField(
        _("调查意见"), max_length=16, choices=Recommendation.choices, blank=True
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
        ordering = ["case", "round", "created_at"]
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        indexes = [models.Index(fields=["visited_on", "due_on"], name="workflow_visit_open")]

    def __str__(self) -> str:
        return f"{self.case} {self.visited_on or self.due_on}"

    @property
    def due_rule_text(self) -> str:
        """The rule of the due date as stored, marked when it is provisional."""
        if self.due_provisional:
            return self.due_rule + gettext("(暂定:按暂定节假日安排计算)")
        return self.due_rule


class Review(TimeStampedModel):
    """The record of a collective review (民主评议)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("轮次"))
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
        ordering = ["case", "round", "held_on"]
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")

    def __str__(self) -> str:
        return f"{self.case} {self.held_on}"


class SignOff(TimeStampedModel):
    """One approver's sign-off at one level: approve, return for correction, or refuse."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("同意")
        RETURNED = "returned", _("退回修改")
        REFUSED = "refused", _("不予批准")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="signoffs")
    round = models.PositiveSmallIntegerField(_("轮次"))
    level = models.PositiveSmallIntegerField(_("审批层级序号"))
    level_unit = models.ForeignKey(
        "network.OrgUnit", verbose_name=_("审批单位"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("审批结果"), max_length=16, choices=Outcome.choices)
    opinion = models.TextField(_("意见"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["case", "round", "created_at"]
        verbose_name = _("审批签署")
        verbose_name_plural = _("审批签署")
        constraints = [
            # The same person never signs twice in a round.
            models.UniqueConstraint(
                fields=["case", "round", "signed_by"], name="workflow_signoff_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_outcome_display()}"
