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

        # The 帮扶资金台帐 and the totals per household on the export kit.
        from bangfu.kits.exports.registry import register

        from .exporting import HouseholdTotalsExporter, TaizhangExporter

        register(TaizhangExporter())
        register(HouseholdTotalsExporter())

        # The bank's return files (and statements) on the import kit.
        from . import importing  # noqa: F401 - registers the importers
