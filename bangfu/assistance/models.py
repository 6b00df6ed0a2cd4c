"""Assistance programmes by kind and year, their versioned rules, and applications.

A programme-year (生活救助 2026, 金秋助学 2026, …) has rule versions: editing the rules makes a
new version, so an application keeps the version it was computed under and no rule version in
use is ever rewritten.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.core.crypto import EncryptedTextField
from bangfu.core.models import TimeStampedModel
from bangfu.core.money import MoneyField


class Kind(models.TextChoices):
    LIVING = "living", _("生活救助")
    TEMPORARY = "temporary", _("临时救助")
    MEDICAL = "medical", _("医疗救助")
    EDUCATION = "education", _("助学")
    EMPLOYMENT = "employment", _("就业帮扶补贴")
    LEGAL = "legal", _("法律援助补贴")
    FESTIVAL = "festival", _("节日慰问/送温暖")


class SchoolLevel(models.TextChoices):
    UNIVERSITY = "university", _("大学(含大专)")
    HIGH_SCHOOL = "high_school", _("高中(含中职)")


class SchoolKind(models.TextChoices):
    ORDINARY = "ordinary", _("普通学校")
    MILITARY = "military", _("军事院校")
    FREE_TEACHER = "free_teacher", _("免费师范生")


class DuplicatePolicy(models.TextChoices):
    REFUSE = "refuse", _("拒绝重复申请")
    FLAG = "flag", _("标记重复,由领导说明理由后放行")


class Programme(TimeStampedModel):
    """One programme of one year, run by one centre (or station) of the network."""

    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("主办单位"),
        on_delete=models.PROTECT,
        related_name="assistance_programmes",
    )
    kind = models.CharField(_("救助类别"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("项目名称"), max_length=100)
    campaign = models.BooleanField(
        _("金秋助学活动"), default=False, help_text=_("助学项目是否为当年金秋助学活动。")
    )
    budget_line = models.CharField(_("预算科目"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "kind", "name"]
        verbose_name = _("救助项目")
        verbose_name_plural = _("救助项目")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "name"], name="assistance_programme_unique_name"
            )
        ]
        indexes = [models.Index(fields=["unit", "year"], name="assistance_prog_unit_year")]

    def __str__(self) -> str:
        return self.name if str(self.year) in self.name else f"{self.year} {self.name}"


class RuleVersion(models.Model):
    """The rules of a programme-year as of one edit. Never rewritten: an edit adds a version."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("救助项目"), on_delete=models.PROTECT, related_name="rules"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    standard_amount = MoneyField(_("标准金额"), null=True, blank=True)
    yearly_cap = MoneyField(_("年度上限(元/户)"), null=True, blank=True)
    living_multiple = models.DecimalField(
        _("生活救助上限倍数(×全年低保)"), max_digits=5, decimal_places=2, default=Decimal("1")
    )
    medical_ratio = models.DecimalField(
        _("医疗救助比例"), max_digits=5, decimal_places=4, default=Decimal("0.5")
    )
    university_amount = MoneyField(_("大学每生每年"), default=Decimal("5000"))
    high_school_amount = MoneyField(_("高中每生每年"), default=Decimal("3000"))
    duplicates = models.CharField(
        _("重复申请"), max_length=8, choices=DuplicatePolicy.choices, default=DuplicatePolicy.REFUSE
    )
    eligible_categories = models.JSONField(_("可申请的困难类别"), default=list, blank=True)
    required_materials = models.JSONField(_("须提交的材料"), default=list, blank=True)
    requires_visit = models.BooleanField(_("须入户走访"), default=True)
    requires_review = models.BooleanField(_("须民主评议"), default=True)
    requires_notice = models.BooleanField(_("须公示"), default=True)
    mask_names = models.BooleanField(_("公示时隐去姓名中间字"), default=True)
    # Sign-offs by amount: one leader up to `one_signoff_limit`, two above it, the county above
    # `county_limit`.
    one_signoff_limit = MoneyField(_("一名领导签批上限"), default=Decimal("1000"))
    county_limit = MoneyField(_("报县级审批起点"), default=Decimal("5000"))
    followup_days = models.PositiveSmallIntegerField(_("发放后回访期限(天)"), default=30)
    # The application window (the 金秋助学 campaign's, or any programme's); blank: always open.
    opens_on = models.DateField(_("申请开始日期"), null=True, blank=True)
    closes_on = models.DateField(_("申请截止日期"), null=True, blank=True)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["programme", "-version"]
        verbose_name = _("救助规则版本")
        verbose_name_plural = _("救助规则版本")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "version"], name="assistance_rule_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.version}"

    def signoffs_needed(self, amount: Decimal) -> int:
        """Leaders' sign-offs an amount needs: 1 up to the first limit, 2 above, 3 (the county)
        above the county limit."""
        if amount > self.county_limit:
            return 3
        if amount > self.one_signoff_limit:
            return 2
        return 1


class CampaignBatch(TimeStampedModel):
    """A 金秋助学 batch: applications of one campaign programme from one centre's network,
    reviewed together (one decision per item) and publicized on one notice."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("救助项目"), on_delete=models.PROTECT, related_name="batches"
    )
    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("帮扶中心"),
        on_delete=models.PROTECT,
        related_name="assistance_batches",
    )
    name = models.CharField(_("批次名称"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("金秋助学批次")
        verbose_name_plural = _("金秋助学批次")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "unit", "name"], name="assistance_batch_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} · {self.name}"


class Application(TimeStampedModel):
    """One household's application to one programme, with the facts of its kind."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        VERIFIED = "verified", _("已核实")
        REVIEWED = "reviewed", _("已评议")
        PUBLICIZING = "publicizing", _("公示中")
        PENDING_APPROVAL = "pending_approval", _("待审批")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("退回修改")
        REFUSED = "refused", _("不予救助")

    programme = models.ForeignKey(
        Programme, verbose_name=_("救助项目"), on_delete=models.PROTECT, related_name="applications"
    )
    rule = models.ForeignKey(
        RuleVersion, verbose_name=_("规则版本"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "archives.Household",
        verbose_name=_("档案"),
        on_delete=models.PROTECT,
        related_name="assistance_applications",
    )
    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("所属帮扶站(点)"),
        on_delete=models.PROTECT,
        related_name="assistance_applications",
    )
    kind = models.CharField(_("救助类别"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    period_start = models.DateField(_("救助期间起"))
    period_end = models.DateField(_("救助期间止"))
    suggested_amount = MoneyField(_("建议金额"))
    cap = MoneyField(_("上限"), null=True, blank=True)
    working = models.TextField(_("计算过程"))
    amount = MoneyField(_("申请金额"))
    amount_reason = models.CharField(_("调整金额的理由"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    duplicate_reason = models.CharField(_("放行重复申请的理由"), max_length=200, blank=True)
    # Living aid.
    cause = models.CharField(_("困难原因"), max_length=200, blank=True)
    expenses = MoneyField(_("支出金额"), null=True, blank=True)
    # Medical aid (the illness is health data: encrypted, masked by default).
    illness = EncryptedTextField(_("疾病名称"), blank=True)
    hospital = models.CharField(_("就诊医院"), max_length=100, blank=True)
    bill_items = models.JSONField(_("费用明细"), default=list, blank=True)
    bill_total = MoneyField(_("医疗费用合计"), null=True, blank=True)
    insurance_paid = MoneyField(_("医保报销"), null=True, blank=True)
    other_aid = MoneyField(_("其他救助"), null=True, blank=True)
    self_paid = MoneyField(_("个人自付"), null=True, blank=True)
    # Education aid.
    student = models.ForeignKey(
        "archives.HouseholdMember",
        verbose_name=_("学生"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.CharField(_("学校"), max_length=100, blank=True)
    school_level = models.CharField(
        _("学段"), max_length=16, choices=SchoolLevel.choices, blank=True
    )
    school_year = models.PositiveSmallIntegerField(_("年级"), null=True, blank=True)
    tuition = MoneyField(_("学费"), null=True, blank=True)
    admission_letter = models.BooleanField(_("已交录取通知书"), default=False)
    school_kind = models.CharField(
        _("学校性质"), max_length=16, choices=SchoolKind.choices, blank=True
    )
    aided_elsewhere = models.BooleanField(_("已获其他助学资助"), default=False)
    # Set by the procedure: the last day of the public notice, the day of approval.
    notice_ends_on = models.DateField(_("公示截止日"), null=True, blank=True)
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    batch = models.ForeignKey(
        CampaignBatch,
        verbose_name=_("金秋助学批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("救助申请")
        verbose_name_plural = _("救助申请")
        indexes = [
            models.Index(fields=["unit", "status"], name="assistance_app_unit_status"),
            models.Index(fields=["household", "year", "kind"], name="assistance_app_house_year"),
            # The lists' order (newest first): a page is read from the index, not by sorting
            # every application in a county (archives_hh_newest does the same for archives).
            models.Index(fields=["-created_at", "-id"], name="assistance_app_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} · {self.household.name}"


class FollowUp(TimeStampedModel):
    """A follow-up visit (回访) after the aid was paid or handed over: due a programme-set number
    of days after payment; its outcome recorded."""

    class Outcome(models.TextChoices):
        IMPROVED = "improved", _("困难有所缓解")
        UNCHANGED = "unchanged", _("困难依旧")
        WORSE = "worse", _("困难加重")
        UNREACHABLE = "unreachable", _("未能联系")

    application = models.OneToOneField(
        Application, verbose_name=_("救助申请"), on_delete=models.PROTECT, related_name="followup"
    )
    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("所属帮扶站(点)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField(_("发放日期"))
    due_on = models.DateField(_("回访期限"))
    rule = models.CharField(_("期限依据"), max_length=100)
    done_on = models.DateField(_("回访日期"), null=True, blank=True)
    outcome = models.CharField(_("回访结果"), max_length=16, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("回访情况"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        indexes = [
            models.Index(
                fields=["unit", "due_on"],
                name="assistance_followup_open",
                condition=models.Q(done_on__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return str(self.application)
