from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bangfu.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from .discovery import autodiscover

        # Every app's models are loaded by now: the contexts' panels and due items can register.
        autodiscover()
