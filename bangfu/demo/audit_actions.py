"""The audited actions of the demo (see `bangfu.core.audit_actions`)."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register(legacy={"demo.seed": "demo.data.seed"})
class DemoAction(AuditAction):
    DATA_SEED = "demo.data.seed", _("载入演示数据")
