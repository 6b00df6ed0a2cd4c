from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for business records: when a row was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ImmutableError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """Refuse bulk `update()` and `delete()`, which bypass the model's own `save`/`delete` guards.

    The audit trail and the access log are append-only. On PostgreSQL a trigger refuses UPDATE
    and DELETE of their rows even in raw SQL, and the application's role is granted neither
    (README, production); elsewhere the hash chains make any change visible.
    """

    def update(self, **kwargs: Any) -> int:
        raise ImmutableError(f"{self.model._meta.label} rows are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError(f"{self.model._meta.label} rows are never deleted.")


class AuditEvent(models.Model):
    """One link of the hash-chained audit trail. Written only by `audit.audit_record`.

    `seq` numbers the events for people (the audit pages, "第 N 号事件"); `chain` and
    `chain_seq` place the event in one of the chains (`core.chain`), where `prev_hash` links it
    to the event before it.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    chain = models.PositiveSmallIntegerField(_("链"), default=0)
    chain_seq = models.PositiveBigIntegerField(_("链内序号"))
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        # Users are deactivated, never deleted; DO_NOTHING keeps the hashed actor id intact.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    # The name is kept as written so that the trail still reads right if the user changes.
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    # Indexed for equality only (`Meta.indexes`): a CharField's own index on PostgreSQL comes
    # with a second, `varchar_pattern_ops` one for LIKE, which nothing asks of these two and
    # which every event written paid for (a quarter of an import's audit COPY, issue 10).
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    summary = models.CharField(_("摘要"), max_length=255, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    client_address = models.CharField(_("客户端地址"), max_length=64, blank=True)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "chain_seq"], name="core_auditevent_link")
        ]
        indexes = [
            models.Index(fields=["object_type"], name="core_audit_object_type"),
            models.Index(fields=["object_id"], name="core_audit_object_id"),
        ]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Audit events are never deleted.")


class AccessLog(models.Model):
    """Who saw which sensitive value of which record in full, and why.

    Chained like the audit trail (`core.chain`), so that a deleted or altered entry is found by
    `verify_audit`. Written only by `access.access_log_record`.
    """

    # Set before the row is hashed (not auto_now_add, which would replace it on insert).
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    user_name = models.CharField(_("用户姓名"), max_length=150)
    object_type = models.CharField(_("对象类型"), max_length=80, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    fields = models.CharField(_("查看的字段"), max_length=255)
    purpose = models.CharField(_("事由"), max_length=255)
    client_address = models.CharField(_("客户端地址"), max_length=64, blank=True)
    chain = models.PositiveSmallIntegerField(_("链"), default=0)
    chain_seq = models.PositiveBigIntegerField(_("链内序号"))
    prev_hash = models.CharField(_("前一记录哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "chain_seq"], name="core_accesslog_link")
        ]
        verbose_name = _("敏感信息查看记录")
        verbose_name_plural = _("敏感信息查看记录")

    def __str__(self) -> str:
        return f"{self.user_name} {self.object_type}#{self.object_id} {self.fields}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("Access log entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Access log entries are never deleted.")


class Job(models.Model):
    """A background job that a page can follow with a progress bar."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=80)
    title = models.CharField(_("名称"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    message = models.TextField(_("说明"), blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Written by the worker while the job runs; a running job whose heartbeat is older than
    # BANGFU_JOB_TIMEOUT_SECONDS has lost its worker (`core.jobs.jobs_reap`).
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class CalendarDay(models.Model):
    """An admin's entry in the holiday table: whether one date is a working day.

    It wins over the built-in `chinesecalendar` data, so admins can enter the State Council's
    schedule for a year the package does not know yet, or correct a day. Written only by
    `services.calendar_day_set` and friends; read through `workdays`.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否上班"))
    name = models.CharField(_("名称"), max_length=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日设置")
        verbose_name_plural = _("节假日设置")

    def __str__(self) -> str:
        kind = _("上班") if self.is_workday else _("休息")
        return f"{self.date.isoformat()} {kind} {self.name}"


class KeyFingerprint(models.Model):
    """A fingerprint of a key this installation uses, so that a wrong key refuses to start.

    Recorded at the first migrate and by `bootstrap` (every purpose), and by `rotate_keys` (a
    new field key). The fingerprint is a keyed-purpose SHA-256 prefix: it names a key without
    revealing it. A field key is retired once `rotate_keys` has moved every value off it; until
    then it must stay in BANGFU_FIELD_KEYS. Written only by `core.keys`.
    """

    class Purpose(models.TextChoices):
        FIELD = "field", _("敏感字段加密密钥")
        BLIND_INDEX = "blind_index", _("查找索引密钥")
        AUDIT = "audit", _("审计链密钥")

    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    fingerprint = models.CharField(_("指纹"), max_length=64)
    # A field key's short id, as named in its tokens (`crypto.key_id`); blank for other keys.
    key_id = models.CharField(_("密钥编号"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        ordering = ["purpose", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "fingerprint"], name="core_key_once")
        ]
        verbose_name = _("密钥指纹")
        verbose_name_plural = _("密钥指纹")

    def __str__(self) -> str:
        return f"{self.purpose} {self.key_id or self.fingerprint[:12]}"


class CalendarConfirmation(models.Model):
    """An administrator's confirmation that a year's holidays are the official ones.

    Until a year the `chinesecalendar` package does not know is confirmed, deadlines in it are
    counted on the usual schedule (`core.holidays`) and marked provisional. Confirming says that
    the admins' entries (`CalendarDay`) for the year are the State Council's whole schedule —
    the days without an entry are then plain Monday to Friday — or, for a year a newer package
    release knows, that its data stands. Each confirmation recomputes the open deadlines that
    the year touches and keeps what moved (`DeadlineMove`). A year may be confirmed again after
    a correction; the latest confirmation is the one shown.
    """

    class Source(models.TextChoices):
        ENTRIES = "entries", _("管理员录入")
        PACKAGE = "package", _("系统内置数据")

    year = models.PositiveSmallIntegerField(_("年份"), db_index=True)
    source = models.CharField(_("依据"), max_length=16, choices=Source.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    checked = models.PositiveIntegerField(_("重新计算的期限数"), default=0)
    moved = models.PositiveIntegerField(_("日期变动的期限数"), default=0)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        verbose_name = _("节假日安排确认")
        verbose_name_plural = _("节假日安排确认")

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()}"


class DeadlineMove(models.Model):
    """One stored deadline whose date changed when its year's holidays were confirmed."""

    confirmation = models.ForeignKey(
        CalendarConfirmation,
        verbose_name=_("节假日安排确认"),
        on_delete=models.PROTECT,
        related_name="moves",
    )
    kind = models.CharField(_("期限类型"), max_length=80)
    object_id = models.CharField(_("对象编号"), max_length=64)
    # What it is, without personal data: a notice's title, an archive's number.
    object_repr = models.CharField(_("对象"), max_length=255)
    old_due = models.DateField(_("原期限"))
    new_due = models.DateField(_("新期限"))
    still_provisional = models.BooleanField(_("仍为暂定"), default=False)

    class Meta:
        ordering = ["confirmation", "new_due", "id"]
        verbose_name = _("期限调整")
        verbose_name_plural = _("期限调整")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_repr}: {self.old_due} → {self.new_due}"
