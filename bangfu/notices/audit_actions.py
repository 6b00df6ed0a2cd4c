"""The audited actions of notices (see `bangfu.core.audit_actions`)."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register(
    legacy={
        "notices.notice_create": "notices.notice.create",
        "notices.notice_publish": "notices.notice.publish",
        "notices.notice_withdraw": "notices.notice.withdraw",
        "notices.notice_end": "notices.notice.end",
        "notices.objection_record": "notices.objection.record",
        "notices.objection_settle": "notices.objection.settle",
    }
)
class NoticesAction(AuditAction):
    NOTICE_CREATE = "notices.notice.create", _("新建公示")
    NOTICE_PUBLISH = "notices.notice.publish", _("发布公示")
    NOTICE_WITHDRAW = "notices.notice.withdraw", _("撤回公示")
    NOTICE_END = "notices.notice.end", _("公示期满")
    OBJECTION_RECORD = "notices.objection.record", _("登记异议")
    OBJECTION_SETTLE = "notices.objection.settle", _("异议办结")
