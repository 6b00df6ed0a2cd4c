from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from bangfu.core.models import TimeStampedModel

from .roles import Role


# django-stubs cannot see the API tokens' reverse relation (declared on knox's untyped model).
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person who logs in. Users are deactivated, never deleted (the audit trail names them)."""

    # Chinese names are not split into first and last.
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("账号归属的单位;管理员只能管理其范围内单位的账号。"),
    )
    must_change_password = models.BooleanField(
        _("须修改密码"),
        default=False,
        help_text=_("管理员创建或重置密码后,用户首次登录须先修改密码。"),
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = UserManager()  # type: ignore[misc]

    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return f"{self.full_name}({self.username})" if self.full_name else self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class RoleAssignment(TimeStampedModel):
    """A role held over an org unit and everything under it."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "network.OrgUnit",
        verbose_name=_("范围(组织单位)"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"], name="accounts_roleassignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.unit}"


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only a SHA-512 digest and the first characters are
    stored; it expires after an idle time and at the end of its lifetime (settings), ends at
    log-out, and its owner or a security administrator can revoke it. A user may hold several,
    each with a name saying what uses it."""

    name: models.CharField[str, str] = models.CharField(
        _("名称"), max_length=50, help_text=_("用在哪里,如“帮扶站报表程序”,便于识别和撤销。")
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name}({self.token_key}…)"


class PasswordTicket(models.Model):
    """A one-time code with which a user sets their own password after a reset: handed over
    out of band, valid for BANGFU_PASSWORD_CODE_MINUTES, single use. Only its SHA-256 is
    stored; the administrator who issued it never sees a password."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_tickets"
    )
    code_hash = models.CharField(_("设置码摘要"), max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空:服务器命令行签发。"),
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("一次性密码设置码")
        verbose_name_plural = _("一次性密码设置码")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


class AccountChange(TimeStampedModel):
    """A change to a 三员 account (system admin, security admin, auditor), which no single
    administrator may make: one of the other two proposes it, the third approves it (三员分立,
    two-person rule); both steps are audited. The server's command line is the other way."""

    class Kind(models.TextChoices):
        UPDATE = "update", _("修改账号信息")
        DEACTIVATE = "deactivate", _("停用账号")
        ACTIVATE = "activate", _("启用账号")
        PASSWORD_RESET = "password_reset", _("重置密码(一次性设置码)")
        ROLE_ASSIGN = "role_assign", _("授予角色")
        ROLE_REVOKE = "role_revoke", _("撤销角色")

    class Status(models.TextChoices):
        PENDING = "pending", _("待批准")
        APPROVED = "approved", _("已批准并执行")
        REJECTED = "rejected", _("已驳回")

    target = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.PROTECT, related_name="changes"
    )
    kind = models.CharField(_("变更"), max_length=20, choices=Kind.choices)
    payload = models.JSONField(_("变更内容"), default=dict, blank=True)
    summary = models.CharField(_("说明"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    proposed_by = models.ForeignKey(
        User, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("批准或驳回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("三员账号变更")
        verbose_name_plural = _("三员账号变更")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target}"


class CspReport(models.Model):
    """A browser's report that the Content-Security-Policy blocked something on a page: a
    script injected into a page, or a page of ours that breaks the policy. The security
    administrator reads them (账号 › 内容安全策略报告)."""

    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True, db_index=True)
    document_uri = models.CharField(_("页面"), max_length=500, blank=True)
    directive = models.CharField(_("违反的指令"), max_length=100, blank=True)
    blocked_uri = models.CharField(_("被阻止的内容"), max_length=500, blank=True)
    source = models.CharField(_("位置"), max_length=500, blank=True)
    sample = models.CharField(_("片段"), max_length=200, blank=True)
    client_address = models.CharField(_("客户端地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("内容安全策略报告")
        verbose_name_plural = _("内容安全策略报告")

    def __str__(self) -> str:
        return f"{self.directive} · {self.document_uri}"
