"""The audited actions of accounts (see `bangfu.core.audit_actions`)."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register(
    legacy={
        "accounts.login": "accounts.user.login",
        "accounts.logout": "accounts.user.logout",
        "accounts.login_failed": "accounts.user.login_fail",
        "accounts.lockout": "accounts.user.lock_out",
        "system.bootstrap": "accounts.installation.bootstrap",
    }
)
class AccountsAction(AuditAction):
    USER_CREATE = "accounts.user.create", _("创建账号")
    USER_UPDATE = "accounts.user.update", _("修改账号")
    USER_ACTIVATE = "accounts.user.activate", _("启用账号")
    USER_DEACTIVATE = "accounts.user.deactivate", _("停用账号")
    USER_UNLOCK = "accounts.user.unlock", _("解除登录锁定")
    USER_PASSWORD_RESET = "accounts.user.password_reset", _("重置密码")
    USER_PASSWORD_CHANGE = "accounts.user.password_change", _("修改密码")
    USER_LOGIN = "accounts.user.login", _("登录")
    USER_LOGOUT = "accounts.user.logout", _("退出登录")
    USER_LOGIN_FAIL = "accounts.user.login_fail", _("登录失败")
    USER_LOCK_OUT = "accounts.user.lock_out", _("连续登录失败,账号锁定")
    ROLE_ASSIGN = "accounts.role.assign", _("授予角色")
    ROLE_REVOKE = "accounts.role.revoke", _("撤销角色")
    USER_PASSWORD_SET = "accounts.user.password_set", _("用一次性设置码设置密码")
    TOKEN_CREATE = "accounts.token.create", _("创建接口令牌")
    TOKEN_REVOKE = "accounts.token.revoke", _("撤销接口令牌")
    TOKEN_LOGOUT = "accounts.token.logout", _("接口令牌退出登录")
    CHANGE_PROPOSE = "accounts.change.propose", _("提出三员账号变更")
    CHANGE_APPROVE = "accounts.change.approve", _("批准三员账号变更")
    CHANGE_REJECT = "accounts.change.reject", _("驳回三员账号变更")
    CHANGE_COMMAND = "accounts.change.command", _("在服务器命令行变更三员账号")
    INSTALLATION_BOOTSTRAP = "accounts.installation.bootstrap", _("系统初始化")
