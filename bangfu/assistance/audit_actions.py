"""The audit actions of the assistance context (`<context>.<entity>.<verb>`), with their labels."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register()
class AssistanceAction(AuditAction):
    PROGRAMME_CREATE = "assistance.programme.create", _("新建救助项目")
    RULE_REVISE = "assistance.rule.revise", _("修改救助规则(新版本)")
    APPLICATION_CREATE = "assistance.application.create", _("新建救助申请")
