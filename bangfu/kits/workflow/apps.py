from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "bangfu.kits.workflow"
    label = "workflow"
    verbose_name = _("办理流程")
