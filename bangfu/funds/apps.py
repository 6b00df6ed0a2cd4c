from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "bangfu.funds"
    label = "funds"
    verbose_name = _("帮扶资金")

    def ready(self) -> None:
        # Wire funds to the contexts whose items it pays (approval hook, payable registries).
        from . import due, links  # noqa: F401 - due registers the worklist provider

        links.connect()
