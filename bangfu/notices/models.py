"""Public notices (公示) and the objections raised against them.

A notice lists subjects (an archive now, an aid application later) with display fields only:
name, unit, category, kind of aid and amount. What may be shown is decided when the notice is
made, by whoever makes it; the notice never reaches into the subject for more.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangfu.core.crypto import EncryptedTextField
from bangfu.core.models import TimeStampedModel
from bangfu.core.money import MoneyField


class Notice(TimeStampedModel):
    """One public notice, posted by a unit for at least N full working days."""

    class Kind(models.TextChoices):
        ARCHIVE = "archive", _("困难职工建档公示")
        ASSISTANCE = "assistance", _("帮扶救助公示")
        OTHER = "other", _("其他公示")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("公示中")
        ENDED = "ended", _("公示期满")
        WITHDRAWN = "withdrawn", _("已撤回")

    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("发布单位"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    kind = models.CharField(_("公示类别"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("公示说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    starts_on = models.DateField(_("发布日期"), null=True, blank=True)
    # The first full working day counted: the working day after `starts_on`.
    counts_from = models.DateField(_("公示期起始"), null=True, blank=True)
    ends_on = models.DateField(_("公示期截止"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"), null=True, blank=True)
    due_rule = models.CharField(_("期限规则"), max_length=200, blank=True)
    # Counted across a year whose official holidays were not known yet: recounted (and the
    # flag cleared) when that year is confirmed; shown on the page and on the printed notice.
    due_provisional = models.BooleanField(_("公示期暂定"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("期满时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("撤回原因"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        indexes = [models.Index(fields=["status", "ends_on"], name="notices_status_ends_idx")]

    def __str__(self) -> str:
        return self.title

    def status_on(self, today: date | None = None) -> str:
        """Return the status as it stands on `today` (default: today): a published notice whose
        last day has passed has ended, whether or not `end_notices` has recorded it yet."""
        today = today or timezone.localdate()
        if (
            self.status == self.Status.PUBLISHED
            and self.ends_on is not None
            and self.ends_on < today
        ):
            return self.Status.ENDED
        return self.status

    @property
    def current_status(self) -> str:
        """The status as it stands today (see `status_on`): what pages show and act on."""
        return self.status_on()

    def get_current_status_display(self) -> str:
        return str(self.Status(self.current_status).label)

    @property
    def period_text(self) -> str:
        """The notice period in the reader's language (`due_rule` keeps it as written)."""
        if not (self.working_days and self.counts_from and self.ends_on):
            return self.due_rule
        text = gettext("公示 %(n)d 个工作日(%(first)s 至 %(last)s)") % {
            "n": self.working_days,
            "first": self.counts_from.isoformat(),
            "last": self.ends_on.isoformat(),
        }
        if self.due_provisional:
            text += gettext("(暂定:按暂定节假日安排计算,节假日安排确认后自动调整)")
        return text


def ended_unrecorded_q(today: date) -> Q:
    """Match published notices whose last day has passed (ended, not yet recorded as such)."""
    return Q(status=Notice.Status.PUBLISHED, ends_on__lt=today)


def current_status_expression(today: date) -> Case:
    """The status as it stands on `today`, in SQL: what `Notice.status_on` works out, so that a
    list can be filtered on it."""
    return Case(
        When(ended_unrecorded_q(today), then=Value(Notice.Status.ENDED.value)),
        default=F("status"),
        output_field=models.CharField(),
    )


class NoticeItemState(models.TextChoices):
    """Where a subject stands with its latest notice (`selectors.subject_notice_state`).
    Only CLEARED lets a procedure go on (approval, payment)."""

    NONE = "none", _("未公示")  # no notice, or only withdrawn ones
    DRAFT = "draft", _("公示草稿")  # on a notice not yet published
    PUBLISHING = "publishing", _("公示中")  # published, the period running, no open objection
    # an open objection concerns the item or the whole notice (period over or not)
    OBJECTION_OPEN = "objection_open", _("异议待核实")
    # the period is over and every objection is settled, none upheld for it
    CLEARED = "cleared", _("公示期满,无异议")
    UPHELD = "upheld", _("异议成立")  # an upheld objection concerns the item or the whole notice


class NoticeItem(models.Model):
    """One line of a notice: its subject, and only what may be shown about it."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="items"
    )
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    subject = GenericForeignKey("subject_type", "subject_id")
    person_name = models.CharField(_("姓名"), max_length=50)
    unit_name = models.CharField(_("单位"), max_length=200, blank=True)
    category = models.CharField(_("困难类别"), max_length=50, blank=True)
    aid_kind = models.CharField(_("帮扶项目"), max_length=50, blank=True)
    amount = MoneyField(_("金额(元)"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["notice", "sort_order", "id"]
        verbose_name = _("公示对象")
        verbose_name_plural = _("公示对象")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="notices_item_subject_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "subject_type", "subject_id"],
                name="notices_item_unique_subject",
            )
        ]

    def __str__(self) -> str:
        return self.person_name


class Objection(TimeStampedModel):
    """An objection (异议) to a notice as a whole or to one of its items."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("来电")
        LETTER = "letter", _("来信")
        VISIT = "visit", _("来访")
        ONLINE = "online", _("网上")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections"
    )
    item = models.ForeignKey(
        NoticeItem,
        verbose_name=_("异议对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
        help_text=_("不选表示对整个公示提出异议。"),
    )
    received_on = models.DateField(_("收到日期"))
    channel = models.CharField(_("反映方式"), max_length=16, choices=Channel.choices)
    from_name = models.CharField(
        _("反映人"), max_length=50, blank=True, help_text=_("可以匿名,不填即为匿名。")
    )
    contact = EncryptedTextField(_("联系方式"), blank=True)
    content = models.TextField(_("异议内容"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("核实处理结果"), blank=True)
    settled_on = models.DateField(_("办结日期"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["notice", "received_on", "id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        indexes = [models.Index(fields=["notice", "status"], name="notices_objection_status_idx")]

    def __str__(self) -> str:
        return f"{self.notice} · {self.get_status_display()}"
