from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.core.crypto import EncryptedTextField
from bangfu.core.models import TimeStampedModel
from bangfu.core.money import MoneyField

from . import choices as c
from .standards import Area, DibaoStandard, MinimumWage

ZERO = Decimal("0.00")


class Household(TimeStampedModel):
    """One hardship archive: a worker's household (一户一档), with the head's fields of the
    national 档案表. Personal data (ID, phone, bank card) is encrypted; `*_index` columns are
    keyed blind indexes for exact look-ups and `*_last4` columns serve tail searches."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPLIED = "applied", _("待入户调查")
        INVESTIGATED = "investigated", _("待民主评议")
        REVIEWED = "reviewed", _("待公示")
        PUBLICIZING = "publicizing", _("公示中")
        PENDING_APPROVAL = "pending_approval", _("待审批")
        ACTIVE = "active", _("在档")
        RETURNED = "returned", _("退回修改")
        REFUSED = "refused", _("不予建档")
        CLOSED = "closed", _("已撤档")

    # An ID number belongs to at most one archive in these states.
    OPEN_STATUSES = frozenset(
        {
            Status.DRAFT,
            Status.APPLIED,
            Status.INVESTIGATED,
            Status.REVIEWED,
            Status.PUBLICIZING,
            Status.PENDING_APPROVAL,
            Status.ACTIVE,
            Status.RETURNED,
        }
    )

    class Origin(models.TextChoices):
        APPLICATION = "application", _("职工本人申请")
        UNION = "union", _("工会代为建档")
        IMPORT = "import", _("批量导入")

    class CloseReason(models.TextChoices):
        RECOVERED = "recovered", _("脱困")
        RESOLVED = "resolved", _("解困")
        RETIRED = "retired", _("退休")
        TRANSFERRED = "transferred", _("调离")
        DECEASED = "deceased", _("死亡")
        OTHER = "other", _("其他")

    # Where the archive belongs and how it is numbered.
    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("所属帮扶站(点)"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    centre = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("建档中心"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("编号所属的帮扶中心(所属单位的最近一级中心)。"),
    )
    archive_no = models.CharField(_("职工编号"), max_length=32, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    origin = models.CharField(
        _("建档方式"), max_length=16, choices=Origin.choices, default=Origin.APPLICATION
    )
    applied_on = models.DateField(_("申请日期"))
    area = models.ForeignKey(
        Area, verbose_name=_("低保标准地区"), on_delete=models.PROTECT, related_name="households"
    )

    # Category: the rule version the archive is filed under, and its latest determination.
    rule_version = models.CharField(_("认定规则版本"), max_length=32, default="acftu-2021")
    category = models.CharField(
        _("困难类别"), max_length=20, choices=c.Category.choices, blank=True, db_index=True
    )

    # The head of household (职工本人).
    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(max_length=50, blank=True, editable=False)
    ethnicity = models.CharField(
        _("民族"), max_length=16, choices=c.ETHNICITY_CHOICES, default="汉族"
    )
    sex = models.CharField(_("性别"), max_length=1, choices=c.Sex.choices)
    political_status = models.CharField(
        _("政治面貌"),
        max_length=20,
        choices=c.PoliticalStatus.choices,
        default=c.PoliticalStatus.MASSES,
    )
    id_number = EncryptedTextField(_("身份证号"))
    id_index = models.CharField(max_length=64, editable=False)
    id_last4 = models.CharField(max_length=4, editable=False)
    # The masked forms (`core.masking`), what any user who sees the archive may see, kept beside
    # the ciphertext so that a masked roster export decrypts nothing ("" = not filled yet: the
    # export then decrypts and masks).
    id_masked = models.CharField(max_length=64, blank=True, default="", editable=False)
    birth_date = models.DateField(_("出生日期"))
    health = models.CharField(
        _("健康状况"), max_length=20, choices=c.Health.choices, default=c.Health.HEALTHY
    )
    disability = models.CharField(
        _("残疾类别"), max_length=16, choices=c.Disability.choices, default=c.Disability.NONE
    )
    work_status = models.CharField(_("工作状态"), max_length=16, choices=c.WorkStatus.choices)
    model_worker = models.CharField(
        _("劳模类型"), max_length=16, choices=c.ModelWorker.choices, default=c.ModelWorker.NONE
    )
    work_started_on = models.DateField(_("参加工作时间"), null=True, blank=True)
    industry = models.CharField(_("所属行业"), max_length=2, choices=c.Industry.choices, blank=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    employer_nature = models.CharField(
        _("单位性质"), max_length=20, choices=c.EmployerNature.choices, blank=True
    )
    enterprise_status = models.CharField(
        _("企业状况"), max_length=16, choices=c.EnterpriseStatus.choices, blank=True
    )
    housing = models.CharField(_("住房类型"), max_length=16, choices=c.Housing.choices)
    floor_area = models.DecimalField(
        _("建筑面积(平方米)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    mobile = EncryptedTextField(_("手机"), blank=True)
    mobile_index = models.CharField(max_length=64, blank=True, editable=False)
    mobile_last4 = models.CharField(max_length=4, blank=True, editable=False)
    mobile_masked = models.CharField(max_length=64, blank=True, default="", editable=False)
    postcode = models.CharField(_("邮编"), max_length=6, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=16, choices=c.Marital.choices)
    hukou = models.CharField(_("户口类型"), max_length=8, choices=c.Hukou.choices)
    hukou_area_code = models.CharField(_("户口所在地行政区划"), max_length=12, blank=True)
    address = models.CharField(_("家庭住址"), max_length=200)
    single_parent = models.BooleanField(_("单亲家庭"), default=False)
    zero_employment = models.BooleanField(_("零就业家庭"), default=False)
    medical_insurance = models.CharField(
        _("医保状况"), max_length=16, choices=c.MedicalInsurance.choices
    )
    union_member = models.BooleanField(_("工会会员"), default=True)

    # Income and spending over the last 12 months (yuan), for the 2021 rule.
    head_monthly_income = MoneyField(_("本人月平均收入"), default=ZERO)
    wage_income = MoneyField(_("工资性收入(年)"), default=ZERO)
    business_income = MoneyField(_("经营净收入(年)"), default=ZERO)
    property_income = MoneyField(_("财产净收入(年)"), default=ZERO)
    transfer_income = MoneyField(_("转移净收入(年)"), default=ZERO)
    other_income = MoneyField(_("其他收入(年)"), default=ZERO)
    medical_spending = MoneyField(_("医疗支出(年)"), default=ZERO)
    disability_spending = MoneyField(_("残疾康复支出(年)"), default=ZERO)
    education_spending = MoneyField(_("非义务教育支出(年)"), default=ZERO)
    housing_spending = MoneyField(_("住房支出(年)"), default=ZERO)
    other_spending = MoneyField(_("其他刚性支出(年)"), default=ZERO)
    sudden_hardship = models.BooleanField(
        _("因突发事件致困"),
        default=False,
        help_text=_("因意外事故、自然灾害或重特大疾病,扣除保险和赔偿后仍生活困难。"),
    )
    receives_dibao = models.BooleanField(_("享受低保"), default=False)

    # Exclusions (any one excludes the household).
    controlling_shareholder = models.BooleanField(_("家庭成员为企业控股股东"), default=False)
    multiple_homes = models.BooleanField(_("拥有两套及以上超标准住房"), default=False)
    owns_vehicle = models.BooleanField(_("拥有机动车辆(残疾人功能性补偿代步车除外)"), default=False)
    refuses_cooperation = models.BooleanField(_("拒不配合调查或隐瞒收入"), default=False)

    # Hardship causes: one main and up to three secondary, from the coded list.
    main_cause = models.PositiveSmallIntegerField(
        _("主要致困原因"), choices=c.HardshipCause.choices
    )
    secondary_causes = models.JSONField(_("次要致困原因"), default=list, blank=True)

    # Bank account, in the head's own name (实名制).
    bank_name = models.CharField(_("开户银行"), max_length=50, blank=True)
    bank_branch = models.CharField(_("支行"), max_length=100, blank=True)
    bank_card = EncryptedTextField(_("银行卡号"), blank=True)
    bank_card_last4 = models.CharField(max_length=4, blank=True, editable=False)
    bank_card_masked = models.CharField(max_length=64, blank=True, default="", editable=False)

    notes = models.TextField(_("备注"), blank=True)
    opinions = models.JSONField(
        _("各级工会意见"),
        default=list,
        blank=True,
        help_text=_("[{level, opinion, date, by}],按时间先后。"),
    )

    # Consent (separately for sensitive data and for publication in a public notice).
    consent_sensitive_on = models.DateField(_("敏感信息处理同意日期"), null=True, blank=True)
    consent_publication_on = models.DateField(_("同意公示日期"), null=True, blank=True)

    # People.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("建档人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Dynamic management.
    filed_on = models.DateField(_("建档日期"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("上次复核日期"), null=True, blank=True)
    review_due_on = models.DateField(_("下次复核期限"), null=True, blank=True)
    closed_on = models.DateField(_("撤档日期"), null=True, blank=True)
    close_reason = models.CharField(
        _("撤档原因"), max_length=16, choices=CloseReason.choices, blank=True
    )
    close_note = models.TextField(_("撤档说明"), blank=True)
    retention_review_on = models.DateField(
        _("档案保管期满复查日期"), null=True, blank=True, help_text=_("撤档后 10 年。")
    )

    # The latest category determination, kept here when it is stored (services.categories), so
    # that lists over a whole city read it from the row instead of searching every archive's
    # determinations. `net_income_under_line` is its net income per person when that is at or
    # below the 低保 standard it used (and the household is not excluded): the 应享未享低保
    # candidates, read through a partial index in income order.
    latest_determination = models.ForeignKey(
        "Determination",
        verbose_name=_("最新类别认定"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    net_income_under_line = MoneyField(
        _("低保线以下的月人均净收入"), null=True, blank=True, editable=False
    )

    # The 脱困 run, kept by `services.dynamic` whenever an income or a 低保 standard is recorded
    # (or the archive moves to another area): how many recorded months, counting back from the
    # latest without a gap, were each above the 低保 standard in force that month, and that
    # latest month (null when the run is 0). An archive in the roster is proposed for 脱困 when
    # its run reaches `BANGFU_RECOVERY_MONTHS`, read through a partial index in month order.
    recovery_run = models.PositiveSmallIntegerField(
        _("连续高于低保标准的月数"), default=0, editable=False
    )
    recovery_run_end = models.DateField(
        _("连续高于低保标准的最近月份"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("困难职工档案")
        verbose_name_plural = _("困难职工档案")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "archive_no"],
                condition=~models.Q(archive_no=""),
                name="archives_household_unique_number_per_centre",
            )
        ]
        # Each index serves one query of the list, the searches or a worklist (see
        # selectors/browse.py and the EXPLAIN test); exact look-ups get a plain B-tree, prefix
        # searches a pattern-ops one (LIKE 'x%' under any collation; opclasses and INCLUDE are
        # PostgreSQL's, SQLite builds the plain index).
        indexes = [
            models.Index(fields=["unit", "status"], name="archives_ho_unit_id_953b80_idx"),
            models.Index(fields=["-created_at", "-id"], name="archives_hh_newest"),
            # Covering (INCLUDE): a page's keys and a capped count of a common name or
            # initials ("zw": 1 % of a city) come from the index alone, not 10,000 rows.
            models.Index(
                fields=["name"],
                name="archives_hh_name_prefix",
                opclasses=["varchar_pattern_ops"],
                include=["unit", "created_at", "id"],
            ),
            models.Index(
                fields=["name_initials"],
                name="archives_hh_initials_prefix",
                opclasses=["varchar_pattern_ops"],
                include=["unit", "created_at", "id"],
            ),
            models.Index(fields=["archive_no"], name="archives_hh_archive_no"),
            models.Index(fields=["id_index"], name="archives_hh_id_index"),
            models.Index(fields=["id_last4"], name="archives_hh_id_last4"),
            models.Index(fields=["mobile_index"], name="archives_hh_mobile_index"),
            models.Index(fields=["mobile_last4"], name="archives_hh_mobile_last4"),
            # Partial: only the archives in the roster; covering the scope's unit, so that a
            # capped count of a city's reviews due reads the index alone.
            models.Index(
                fields=["review_due_on", "id"],
                name="archives_hh_review_due",
                condition=models.Q(status="active"),
                include=["unit"],
            ),
            models.Index(
                fields=["net_income_under_line", "id"],
                name="archives_hh_dibao_gap",
                condition=models.Q(net_income_under_line__isnull=False, receives_dibao=False),
                include=["unit", "status"],
            ),
            # Partial: archives with a 脱困 run, in the order they are proposed; covering the
            # run's length and the unit, so that the candidates of a city come from the index.
            models.Index(
                fields=["recovery_run_end", "id"],
                name="archives_hh_recovery",
                condition=models.Q(status="active", recovery_run_end__isnull=False),
                include=["recovery_run", "unit"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.archive_no or '未编号'} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class HouseholdMember(TimeStampedModel):
    """A member of the household other than the head."""

    household = models.ForeignKey(
        Household, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与户主关系"), max_length=16, choices=c.Relation.choices)
    sex = models.CharField(_("性别"), max_length=1, choices=c.Sex.choices)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_index = models.CharField(max_length=64, blank=True, editable=False)
    id_last4 = models.CharField(max_length=4, blank=True, editable=False)
    id_masked = models.CharField(max_length=64, blank=True, default="", editable=False)
    birth_date = models.DateField(_("出生日期"))
    health = models.CharField(
        _("健康状况"), max_length=20, choices=c.Health.choices, default=c.Health.HEALTHY
    )
    disability = models.CharField(
        _("残疾类别"), max_length=16, choices=c.Disability.choices, default=c.Disability.NONE
    )
    medical_insurance = models.CharField(
        _("医保状况"), max_length=16, choices=c.MedicalInsurance.choices, blank=True
    )
    monthly_income = MoneyField(_("月收入"), default=ZERO)
    identity = models.CharField(_("身份"), max_length=16, choices=c.MemberIdentity.choices)
    able_to_work = models.BooleanField(
        _("有劳动能力"),
        default=True,
        help_text=_("劳动年龄内、有劳动能力而未就业者按最低工资计收入。"),
    )
    employer_or_school = models.CharField(_("工作单位或学校"), max_length=100, blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=c.Education.choices, blank=True)
    enrolled_year = models.PositiveSmallIntegerField(_("入学年份"), null=True, blank=True)
    schooling_years = models.PositiveSmallIntegerField(_("学制(年)"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["household", "sort_order", "id"]
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        indexes = [
            models.Index(fields=["id_index"], name="archives_member_id_index"),
            models.Index(fields=["id_last4"], name="archives_member_id_last4"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.get_relation_display()})"


class IdRegistration(models.Model):
    """The rule "one ID, one open archive", enforced by the database.

    Every ID number (head or member) of an open archive holds one row here; the unique index on
    the blind index makes a second open archive with the same ID impossible even when two
    people file at the same moment. Closing or refusing an archive releases its rows.
    """

    # Unique by `Meta.constraints`, not `unique=True`: on PostgreSQL a unique CharField also
    # gets a `varchar_pattern_ops` index for LIKE, which a blind index is never searched by
    # and which cost an import a third of its registry COPY (issue 10).
    id_index = models.CharField(max_length=64)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="id_registrations"
    )
    member = models.OneToOneField(
        HouseholdMember,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="id_registration",
    )

    class Meta:
        verbose_name = _("身份证号登记")
        verbose_name_plural = _("身份证号登记")
        constraints = [
            # The name PostgreSQL gave the column's own UNIQUE when the table was made.
            models.UniqueConstraint(
                fields=["id_index"], name="archives_idregistration_id_index_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.member_id or 'head'}"


class Determination(models.Model):
    """One category determination: its inputs, the standard and rule version used, the
    result and the reason in words. Never changed; a new determination supersedes it."""

    household = models.ForeignKey(
        Household, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="determinations"
    )
    rule_version = models.CharField(_("规则版本"), max_length=32)
    dibao_standard = models.ForeignKey(
        DibaoStandard, verbose_name=_("低保标准"), on_delete=models.PROTECT, related_name="+"
    )
    minimum_wage = models.ForeignKey(
        MinimumWage,
        verbose_name=_("最低工资标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inputs = models.JSONField(_("输入"))
    net_income_per_capita = MoneyField(_("月人均净收入"), null=True, blank=True)
    category = models.CharField(_("困难类别"), max_length=20, choices=c.Category.choices)
    reason = models.TextField(_("认定理由"))
    determined_on = models.DateField(_("认定日期"))
    determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household", "-created_at", "-id"]
        verbose_name = _("类别认定")
        verbose_name_plural = _("类别认定")

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_category_display()}"

    def income_under_line(self, line: Decimal) -> Decimal | None:
        """Return the net income per person when it is at or below `line` (the amount of the
        低保 standard this determination used) and the household is not excluded, else None:
        what `Household.net_income_under_line` keeps for the latest determination."""
        net = self.net_income_per_capita
        if net is None or self.category == c.Category.NOT_ELIGIBLE or net > line:
            return None
        return net


class MonthlyIncome(models.Model):
    """Recorded net household income per person for one month; six months in a row above the
    低保 standard suggest 脱困."""

    household = models.ForeignKey(
        Household, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="monthly_incomes"
    )
    month = models.DateField(_("月份"), help_text=_("该月 1 日。"))
    net_income_per_capita = MoneyField(_("月人均净收入"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household", "-month"]
        verbose_name = _("月收入记录")
        verbose_name_plural = _("月收入记录")
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="archives_income_month")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.month:%Y-%m} {self.net_income_per_capita}"


class Attachment(TimeStampedModel):
    """A supporting document, stored encrypted, served only within the archive's scope."""

    class Kind(models.TextChoices):
        ID_COPY = "id_copy", _("身份证复印件")
        HUKOU = "hukou", _("户口簿")
        INCOME_PROOF = "income_proof", _("收入证明")
        DIBAO_CERTIFICATE = "dibao", _("低保证明")
        DIAGNOSIS = "diagnosis", _("诊断证明")
        DISABILITY_CERTIFICATE = "disability", _("残疾证")
        STUDENT_CARD = "student_card", _("学生证")
        BANK_CARD_COPY = "bank_card", _("银行卡复印件")
        CONSENT_FORM = "consent", _("知情同意书")
        VISIT_PHOTO = "visit_photo", _("入户调查照片")
        OTHER = "other", _("其他")

    household = models.ForeignKey(
        Household, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("材料类型"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="archives/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn = models.BooleanField(_("已撤回"), default=False)

    class Meta:
        ordering = ["household", "kind", "-created_at"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"


class BenefitType(TimeStampedModel):
    """A public benefit a household may receive (低保, 水电优惠, 有线电视优惠, 医疗保险…)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    is_dibao = models.BooleanField(_("即低保"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("政策待遇")
        verbose_name_plural = _("政策待遇")

    def __str__(self) -> str:
        return self.name


class HouseholdBenefit(TimeStampedModel):
    """A public benefit the household receives, with dates (应保尽保)."""

    household = models.ForeignKey(
        Household, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="benefits"
    )
    benefit = models.ForeignKey(
        BenefitType, verbose_name=_("待遇"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["household", "benefit", "-started_on"]
        verbose_name = _("享受的政策待遇")
        verbose_name_plural = _("享受的政策待遇")

    def __str__(self) -> str:
        return f"{self.household_id} {self.benefit}"
