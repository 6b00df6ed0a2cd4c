"""The audited actions of the network (see `bangfu.core.audit_actions`)."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register()
class NetworkAction(AuditAction):
    UNIT_CREATE = "network.unit.create", _("新建组织单位")
    UNIT_UPDATE = "network.unit.update", _("修改组织单位")
    UNIT_DELETE = "network.unit.delete", _("删除组织单位")
    PERSON_ADD = "network.person.add", _("登记单位人员")
    PERSON_UPDATE = "network.person.update", _("修改单位人员")
    PERSON_REMOVE = "network.person.remove", _("移除单位人员")
