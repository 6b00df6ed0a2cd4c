from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "bangfu.assistance"
    label = "assistance"
    verbose_name = _("帮扶救助")

    def ready(self) -> None:
        # Declare the application procedure on the workflow kit before its worklist is read.
        # The 金秋助学 importer registers itself on the import kit (kind "assistance.campaign").
        from . import (
            campaign_import,  # noqa: F401
            procedure,  # noqa: F401
        )
