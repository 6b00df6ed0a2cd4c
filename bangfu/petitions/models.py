"""Petitions (信访): letters, calls, visits and online submissions, with their statutory deadlines.

A petition is kept whole: it is never deleted; each step (acceptance, routing, the reply, 复查,
复核, the rating) adds its dates and records, and every step is in the audit trail. Personal data
of the petitioner (phone, address, ID number) and of group representatives is encrypted; the ID
and the phone have blind indexes for finding repeats. The query code the petitioner follows
progress with is kept encrypted (to print it again) with a blind index (to look it up).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.crypto import EncryptedTextField
from bangfu.core.models import TimeStampedModel

# A group visit sends at most this many representatives [law: 信访工作条例 art. 33].
MAX_REPRESENTATIVES = 5


class Petition(TimeStampedModel):
    """One petition, from registration to its last answer."""

    class Channel(models.TextChoices):
        LETTER = "letter", _("来信")
        CALL = "call", _("来电")
        VISIT = "visit", _("来访")
        ONLINE = "online", _("网上")

    class Nature(models.TextChoices):
        REQUEST = "request", _("申诉求决")
        REPORT = "report", _("检举控告")
        SUGGESTION = "suggestion", _("意见建议")

    class Category(models.TextChoices):
        WAGES = "wages", _("工资报酬")
        SOCIAL_INSURANCE = "social_insurance", _("社会保险")
        WORK_INJURY = "work_injury", _("工伤")
        LABOUR_RELATION = "labour_relation", _("劳动关系")
        ASSISTANCE = "assistance", _("困难帮扶")
        UNION_AFFAIRS = "union_affairs", _("工会事务")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已登记,待受理")
        ACCEPTED = "accepted", _("办理中")
        REPLIED = "replied", _("已答复")
        REVIEWING = "reviewing", _("复查中")
        REVIEWED = "reviewed", _("已复查")
        RECHECKING = "rechecking", _("复核中")
        RECHECKED = "rechecked", _("已复核(终结)")
        DECLINED = "declined", _("不予受理")
        TRANSFERRED = "transferred", _("已转交其他机关")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("支持")
        PARTLY_UPHELD = "partly_upheld", _("部分支持")
        NOT_UPHELD = "not_upheld", _("不支持")
        WITHDRAWN = "withdrawn", _("信访人撤回")
        TRANSFERRED = "transferred", _("转交有权机关")
        REFERRED = "referred", _("转介法律援助或帮扶")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    class AckMethod(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", _("当场告知")
        LETTER = "letter", _("书面告知(邮寄)")
        HANDED = "handed", _("书面告知(当面交付)")
        ONLINE = "online", _("网上告知")

    number = models.CharField(_("信访编号"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("办理单位"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("负责办理的中心或帮扶站;范围按此单位确定。"),
    )
    centre = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("受理中心"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("来源方式"), max_length=10, choices=Channel.choices)
    nature = models.CharField(
        _("信访性质"), max_length=12, choices=Nature.choices, default=Nature.REQUEST
    )
    category = models.CharField(_("问题类别"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    received_on = models.DateField(_("收到日期"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    anonymous = models.BooleanField(_("匿名"), default=False)
    petitioner_name = models.CharField(_("信访人姓名"), max_length=50, blank=True)
    petitioner_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    petitioner_address = EncryptedTextField(_("住址"), blank=True, default="")
    petitioner_id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    group_size = models.PositiveSmallIntegerField(
        _("来访人数"), default=1, help_text=_("集体访时的到场人数。")
    )
    household = models.ForeignKey(
        "archives.Household",
        verbose_name=_("关联档案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    request = models.TextField(_("信访诉求"))
    facts = models.TextField(_("事实"))
    reasons = models.TextField(_("理由"), blank=True)
    subject = models.CharField(
        _("被反映人或单位"),
        max_length=100,
        blank=True,
        help_text=_("检举控告所涉及的人或单位。"),
    )
    concerned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被反映的系统用户"),
        blank=True,
        related_name="+",
        help_text=_("检举控告涉及本系统的用户时选择:他们在任何地方都看不到这件信访。"),
    )
    restricted = models.BooleanField(
        _("保密"),
        default=False,
        help_text=_("保密件只有具有查看保密信访权限的人员可见,每次查看都记入查看记录。"),
    )

    oral = models.BooleanField(_("口头反映"), default=False)
    read_back_at = models.DateTimeField(_("记录已向信访人宣读确认"), null=True, blank=True)
    read_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("宣读人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    query_code = EncryptedTextField(_("查询码"), blank=True, default="")
    query_index = models.CharField(max_length=64, unique=True, editable=False)

    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("重复信访,前次为"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )
    repeat_similarity = models.PositiveSmallIntegerField(
        _("与前次诉求的相似度(%)"), null=True, blank=True
    )

    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    declined_reason = models.TextField(_("不予受理理由"), blank=True)
    transferred_to = models.CharField(_("转交机关"), max_length=100, blank=True)
    transfer_reason = models.TextField(_("转交理由"), blank=True)
    acknowledged_on = models.DateField(_("告知日期"), null=True, blank=True)
    ack_method = models.CharField(
        _("告知方式"), max_length=12, choices=AckMethod.choices, blank=True
    )

    extension_days = models.PositiveSmallIntegerField(_("延期天数"), null=True, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("延期批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extension_told_on = models.DateField(_("延期理由告知日期"), null=True, blank=True)

    review_requested_on = models.DateField(_("请求复查日期"), null=True, blank=True)
    review_request_reason = models.TextField(_("复查请求理由"), blank=True)
    recheck_requested_on = models.DateField(_("请求复核日期"), null=True, blank=True)
    recheck_request_reason = models.TextField(_("复核请求理由"), blank=True)

    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome.choices, blank=True)
    rating = models.CharField(_("满意度"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_on = models.DateField(_("评价日期"), null=True, blank=True)
    rated_online = models.BooleanField(_("信访人网上评价"), default=False)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("信访件")
        verbose_name_plural = _("信访件")
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="petitions_unique_number"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "-received_on"], name="petitions_unit_received"),
            models.Index(fields=["status", "-received_on"], name="petitions_status_received"),
            models.Index(fields=["-received_on", "-id"], name="petitions_received_id"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_final(self) -> bool:
        """Return whether nothing more can happen to the matter (复核 answered)."""
        return self.status == self.Status.RECHECKED

    @property
    def is_closed(self) -> bool:
        return self.status in (
            self.Status.RECHECKED,
            self.Status.DECLINED,
            self.Status.TRANSFERRED,
        )


# The channels staff register (online petitions come through the public form).
STAFF_CHANNELS = [(c.value, c.label) for c in Petition.Channel if c != Petition.Channel.ONLINE]


class Representative(models.Model):
    """One of the at most five representatives a group visit sends."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="representatives")
    name = models.CharField(_("姓名"), max_length=50)
    phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["petition", "position"]
        verbose_name = _("集体访代表")
        verbose_name_plural = _("集体访代表")

    def __str__(self) -> str:
        return self.name


class Deadline(models.Model):
    """A limit of the statute for one petition: when it started, when it ends, the rule in words,
    and when it was met. `ours` tells the office's duties (on the worklist, counted in the on-time
    rate) from the petitioner's windows (复查 and 复核 requests), which only lapse."""

    class Stage(models.TextChoices):
        ROUTE = "route", _("登记转送")
        ACKNOWLEDGE = "acknowledge", _("书面告知")
        HANDLE = "handle", _("办理答复")
        REVIEW_REQUEST = "review_request", _("请求复查")
        REVIEW_REPLY = "review_reply", _("复查答复")
        RECHECK_REQUEST = "recheck_request", _("请求复核")
        RECHECK_REPLY = "recheck_reply", _("复核答复")

    class Counting(models.TextChoices):
        CALENDAR = "calendar", _("日历日")
        WORKING = "working", _("工作日")

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="deadlines")
    stage = models.CharField(_("环节"), max_length=16, choices=Stage.choices)
    ours = models.BooleanField(_("本单位的办理期限"), default=True)
    starts_on = models.DateField(_("起算日"))
    days = models.PositiveSmallIntegerField(_("期限(天)"))
    counting = models.CharField(_("计算方式"), max_length=10, choices=Counting.choices)
    due_on = models.DateField(_("截止日期"))
    rule = models.CharField(_("依据"), max_length=255)
    met_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["petition", "starts_on", "pk"]
        verbose_name = _("信访期限")
        verbose_name_plural = _("信访期限")
        constraints = [
            models.UniqueConstraint(fields=["petition", "stage"], name="petitions_one_per_stage"),
        ]
        indexes = [
            # The worklist and the overdue list: the office's open limits by due date.
            models.Index(
                fields=["due_on"],
                condition=Q(met_on__isnull=True, ours=True),
                name="petitions_deadline_open_due",
            ),
            models.Index(fields=["stage", "met_on"], name="petitions_deadline_stage_met"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.due_on}"


class Route(models.Model):
    """Where a petition was sent: a referral to legal aid or to assistance. Another context (legal,
    assistance) takes a referral over through the handler it registers in `petitions.hooks`;
    until one is installed the referral waits, recorded."""

    class Kind(models.TextChoices):
        LEGAL_AID = "legal_aid", _("转法律援助")
        ASSISTANCE = "assistance", _("转帮扶救助")

    class State(models.TextChoices):
        WAITING = "waiting", _("待相关模块接收")
        TAKEN = "taken", _("已转为案件或申请")

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="routes")
    kind = models.CharField(_("去向"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("理由"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.WAITING)
    reference = models.CharField(_("对方编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("转出时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["petition", "created_at", "pk"]
        verbose_name = _("转办记录")
        verbose_name_plural = _("转办记录")
        constraints = [
            models.UniqueConstraint(fields=["petition", "kind"], name="petitions_one_route_kind"),
        ]
        indexes = [models.Index(fields=["kind", "state"], name="petitions_route_kind_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.petition}"


class Reply(models.Model):
    """A written answer: the reply (处理意见书), the 复查 opinion or the 复核 opinion."""

    class Stage(models.TextChoices):
        REPLY = "reply", _("处理意见书")
        REVIEW = "review", _("复查意见书")
        RECHECK = "recheck", _("复核意见书")

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="replies")
    stage = models.CharField(_("文书"), max_length=10, choices=Stage.choices)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Petition.Outcome.choices)
    decision = models.TextField(_("处理意见"))
    basis = models.TextField(_("依据"))
    replied_on = models.DateField(_("答复日期"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["petition", "replied_on", "pk"]
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        constraints = [
            models.UniqueConstraint(fields=["petition", "stage"], name="petitions_one_reply_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.petition}"


class Attachment(TimeStampedModel):
    """A letter, a piece of evidence or a record, stored encrypted (`core.files`), served only
    after the petition was fetched within the user's scope."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("来信原件")
        EVIDENCE = "evidence", _("证据材料")
        ID_COPY = "id_copy", _("身份证明")
        RECORD = "record", _("谈话记录")
        REPLY = "reply", _("答复文书")
        OTHER = "other", _("其他")

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("材料类型"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="petitions/%Y/%m/")
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
        ordering = ["petition", "-created_at"]
        verbose_name = _("信访材料")
        verbose_name_plural = _("信访材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"


class PublicHit(models.Model):
    """One request to a public petitions page (no log-in) from a client, for the rate limit.

    Kept in the database so that every app server and gunicorn worker counts the same hits; the
    address itself is not stored, only its keyed hash."""

    scope = models.CharField(max_length=16)
    client_key = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["scope", "client_key", "created_at"], name="petitions_hit_lookup"),
            models.Index(fields=["created_at"], name="petitions_hit_created"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.created_at:%Y-%m-%d %H:%M}"
