"""Audited actions of the export kit."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register()
class ExportsAction(AuditAction):
    EXPORT_CREATE = "exports.export.create", _("导出数据")
    EXPORT_EXPIRE = "exports.export.expire", _("清除过期导出文件")
