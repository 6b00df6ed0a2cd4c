"""The audit actions of the assistance context (`<context>.<entity>.<verb>`), with their labels."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register()
class AssistanceAction(AuditAction):
    PROGRAMME_CREATE = "assistance.programme.create", _("新建救助项目")
    RULE_REVISE = "assistance.rule.revise", _("修改救助规则(新版本)")
    APPLICATION_CREATE = "assistance.application.create", _("新建救助申请")
    APPLICATION_SUBMIT = "assistance.application.submit", _("提交救助申请")
    APPLICATION_RESUBMIT = "assistance.application.resubmit", _("修改后重新提交救助申请")
    APPLICATION_VISIT = "assistance.application.visit", _("记录救助申请入户走访")
    APPLICATION_REVIEW = "assistance.application.review", _("记录救助申请民主评议")
    APPLICATION_NOTICE = "assistance.application.notice", _("发布救助公示")
    APPLICATION_SEND_FOR_APPROVAL = (
        "assistance.application.send_for_approval",
        _("救助申请提交审批"),
    )
    APPLICATION_SIGNOFF = "assistance.application.signoff", _("救助申请审批签批")
    APPLICATION_RELEASE_DUPLICATE = (
        "assistance.application.release_duplicate",
        _("放行疑似重复申请"),
    )
    BATCH_CREATE = "assistance.batch.create", _("新建金秋助学批次")
    BATCH_ADD = "assistance.batch.add", _("金秋助学批次加入申请")
    FOLLOWUP_SCHEDULE = "assistance.followup.schedule", _("安排回访")
    FOLLOWUP_RECORD = "assistance.followup.record", _("记录回访结果")
