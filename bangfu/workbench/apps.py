from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The pages that span contexts: the worklist, the holiday table, background jobs, the audit
    trail and the access log. The kernel (`bangfu.core`) holds their models and machinery and
    knows no context; these pages check roles and scope through `bangfu.accounts.policy`."""

    name = "bangfu.workbench"
    label = "workbench"
    verbose_name = _("工作台")
