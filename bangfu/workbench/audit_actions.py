"""The audited actions of the workbench pages (see `bangfu.core.audit_actions`)."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register(
    legacy={
        "core.calendar_day.create": "workbench.calendar_day.create",
        "core.calendar_day.update": "workbench.calendar_day.update",
        "core.calendar_day.set_range": "workbench.calendar_day.set_range",
        "core.calendar_day.delete": "workbench.calendar_day.delete",
    }
)
class WorkbenchAction(AuditAction):
    CALENDAR_DAY_CREATE = "workbench.calendar_day.create", _("录入节假日设置")
    CALENDAR_DAY_UPDATE = "workbench.calendar_day.update", _("修改节假日设置")
    CALENDAR_DAY_SET_RANGE = "workbench.calendar_day.set_range", _("按日期范围录入节假日")
    CALENDAR_DAY_DELETE = "workbench.calendar_day.delete", _("删除节假日设置")
    CALENDAR_DAY_PREFILL = "workbench.calendar_day.prefill", _("以暂定安排录入节假日")
    CALENDAR_YEAR_CONFIRM = "workbench.calendar_year.confirm", _("确认全年节假日安排")
